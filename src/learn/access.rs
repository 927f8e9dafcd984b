//! How a learner gets into their home without a password. An AU (holding its launch
//! token) or an LTI launch asks for a single-use code (`issue`), valid two minutes;
//! `/learn/enter/<code>` redeems it once (`redeem`) and starts a short session whose
//! random token sits in an `HttpOnly`, `SameSite=Lax` cookie. Only SHA-256 hashes of
//! codes and tokens are stored, so neither a database copy nor a log opens a session,
//! and no long-lived secret ever sits in a URL.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, Set,
};
use serde_json::Value;

use crate::console::session::{new_token, token_hash};
use crate::error::Error;
use crate::launch::learner::{Learner, LearnerAccount};
use entities::{learn_handoff, learn_session};

/// How long a code works: long enough to follow a link, short enough that a code seen
/// in a history or a log is already dead.
pub const HANDOFF_US: i64 = 2 * 60_000_000;
/// How long a home session lasts, however active (a learner comes back from a module
/// or the LMS for a new one).
pub const SESSION_US: i64 = 2 * 3_600_000_000;

/// What a person is told when a code does not work (never which reason).
pub const DEAD: &str = "This link to your learning home does not work any more: it works \
     once, within two minutes. Open your home again from the end of a module or from your \
     course in the LMS.";

/// The learner a code or a session is for.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerRef {
    /// Registry key (`agent_key` of the actor), as awards and registrations name them.
    pub learner_key: String,
    /// The xAPI Agent of their launches (an `account`).
    pub actor: Value,
    /// `mailto:` IRI, when known.
    pub email: Option<String>,
}

impl LearnerRef {
    /// The learner as a new launch names them: the same account, so the launch reuses
    /// their registration for the course.
    pub fn launch_learner(&self) -> Result<Learner, Error> {
        let account = self.actor.get("account");
        let field = |name: &str| {
            account
                .and_then(|a| a.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::BadRequest(
                        "this learner is not named by an account, so a module cannot be \
                         launched for them here; launch it from the LMS"
                            .into(),
                    )
                })
        };
        Ok(Learner {
            account: LearnerAccount {
                home_page: field("homePage")?,
                name: field("name")?,
            },
            name: self
                .actor
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            mbox: self.email.clone(),
        })
    }

    /// The name to greet them by, when the launch gave one.
    pub fn display_name(&self) -> Option<String> {
        self.actor
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    }
}

/// The path that redeems `code` (relative to the server's root).
pub fn enter_path(code: &str) -> String {
    format!("/learn/enter/{code}")
}

/// Stores a new code for `who`; returns it (shown once, never stored).
pub async fn issue(
    conn: &impl ConnectionTrait,
    who: &LearnerRef,
    now_us: i64,
) -> Result<String, Error> {
    let code = new_token()?;
    learn_handoff::ActiveModel {
        code_hash: Set(token_hash(&code)),
        learner_key: Set(who.learner_key.clone()),
        actor: Set(who.actor.clone()),
        email: Set(who.email.clone()),
        created_us: Set(now_us),
        expires_us: Set(now_us.saturating_add(HANDOFF_US)),
        used_us: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(code)
}

/// Uses the code up, only if unused and unexpired (one conditional update, so two tabs
/// cannot both redeem it); `None` for an unknown, used or expired code.
pub async fn redeem(
    conn: &impl ConnectionTrait,
    code: &str,
    now_us: i64,
) -> Result<Option<LearnerRef>, Error> {
    if code.is_empty() || code.len() > 128 {
        return Ok(None);
    }
    let hash = token_hash(code);
    let done = learn_handoff::Entity::update_many()
        .col_expr(
            learn_handoff::Column::UsedUs,
            sea_orm::sea_query::Expr::value(now_us),
        )
        .filter(learn_handoff::Column::CodeHash.eq(hash.clone()))
        .filter(learn_handoff::Column::UsedUs.is_null())
        .filter(learn_handoff::Column::ExpiresUs.gt(now_us))
        .exec(conn)
        .await?;
    if done.rows_affected != 1 {
        return Ok(None);
    }
    Ok(learn_handoff::Entity::find_by_id(hash)
        .one(conn)
        .await?
        .map(|row| LearnerRef {
            learner_key: row.learner_key,
            actor: row.actor,
            email: row.email,
        }))
}

/// Starts a home session for `who`; returns the cookie's token (never stored).
pub async fn start(
    conn: &impl ConnectionTrait,
    who: &LearnerRef,
    now_us: i64,
) -> Result<String, Error> {
    let token = new_token()?;
    learn_session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        learner_key: Set(who.learner_key.clone()),
        actor: Set(who.actor.clone()),
        email: Set(who.email.clone()),
        created_us: Set(now_us),
        expires_us: Set(now_us.saturating_add(SESSION_US)),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// The learner of a live session; `None` when unknown or past its end.
pub async fn lookup(
    conn: &impl ConnectionTrait,
    token: &str,
    now_us: i64,
) -> Result<Option<LearnerRef>, Error> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    Ok(learn_session::Entity::find_by_id(token_hash(token))
        .one(conn)
        .await?
        .filter(|row| row.expires_us > now_us)
        .map(|row| LearnerRef {
            learner_key: row.learner_key,
            actor: row.actor,
            email: row.email,
        }))
}

/// Drops codes used or expired and sessions past their end (housekeeping).
pub async fn purge(conn: &impl ConnectionTrait, now_us: i64) -> Result<u64, Error> {
    let codes = learn_handoff::Entity::delete_many()
        .filter(
            learn_handoff::Column::ExpiresUs
                .lte(now_us)
                .or(learn_handoff::Column::UsedUs.is_not_null()),
        )
        .exec(conn)
        .await?
        .rows_affected;
    let sessions = learn_session::Entity::delete_many()
        .filter(learn_session::Column::ExpiresUs.lte(now_us))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(codes + sessions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_launch_learner_keeps_the_account_so_the_registration_is_reused() {
        let who = LearnerRef {
            learner_key: "k".into(),
            actor: json!({"objectType": "Agent", "name": "Ada",
                          "account": {"homePage": "https://lms.example", "name": "u1"}}),
            email: Some("mailto:ada@example.com".into()),
        };
        let learner = who.launch_learner().unwrap();
        assert_eq!(learner.actor().unwrap(), who.actor);
        assert_eq!(who.display_name().as_deref(), Some("Ada"));
        let mbox_only = LearnerRef {
            actor: json!({"mbox": "mailto:a@b.co"}),
            ..who
        };
        assert!(mbox_only.launch_learner().is_err());
    }
}
