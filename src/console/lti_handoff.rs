//! Single-use handoffs from an LTI launch of the console link to a console session.
//! The launch runs inside the LMS's frame, where browsers block or partition cookies
//! (third-party), so it cannot start a session there: it issues a token instead, which
//! `/console/lti/enter/<token>` redeems once, in a window of its own. Only the token's
//! SHA-256 is stored; a token lives two minutes and is bound to the platform, the
//! course (its `lti_contexts` row), the user's `sub` and name, and the role that let
//! them in.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, Set,
};

use super::session::{new_token, token_hash};
use crate::error::Error;
use entities::console_lti_handoff as handoff;

/// How long a handoff token works: long enough to click, short enough that a token
/// seen in a log or history is already dead.
pub const LIFETIME_US: i64 = 2 * 60_000_000;

/// What a person is told when a token does not work (never which of the reasons).
pub const DEAD: &str = "This console link does not work any more: it works once, for two \
     minutes after you opened the console link in your LMS. Go back to your course in the \
     LMS and open the certification console link again.";

/// Who the handoff is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    pub platform_id: i64,
    /// `lti_contexts.id`.
    pub context_row_id: i64,
    pub subject: String,
    pub name: Option<String>,
    /// `instructor`, `administrator` or `manager`.
    pub lti_role: String,
}

/// The path that redeems `token` (relative to the server's root).
pub fn enter_path(token: &str) -> String {
    format!("/console/lti/enter/{token}")
}

/// Stores a new handoff; returns its token (shown once, never stored).
pub async fn issue(
    conn: &impl ConnectionTrait,
    who: &Handoff,
    now_us: i64,
) -> Result<String, Error> {
    let token = new_token()?;
    handoff::ActiveModel {
        token_hash: Set(token_hash(&token)),
        platform_id: Set(who.platform_id),
        context_row_id: Set(who.context_row_id),
        subject: Set(who.subject.clone()),
        name: Set(who.name.clone()),
        lti_role: Set(who.lti_role.clone()),
        created_us: Set(now_us),
        expires_us: Set(now_us.saturating_add(LIFETIME_US)),
        used_us: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// Uses the token up, only if it is unused and unexpired (one atomic update, so two
/// windows cannot both redeem it), and returns whom it was for. `None` for an unknown,
/// used or expired token.
pub async fn redeem(
    conn: &impl ConnectionTrait,
    token: &str,
    now_us: i64,
) -> Result<Option<Handoff>, Error> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let hash = token_hash(token);
    let done = handoff::Entity::update_many()
        .col_expr(
            handoff::Column::UsedUs,
            sea_orm::sea_query::Expr::value(now_us),
        )
        .filter(handoff::Column::TokenHash.eq(hash.clone()))
        .filter(handoff::Column::UsedUs.is_null())
        .filter(handoff::Column::ExpiresUs.gt(now_us))
        .exec(conn)
        .await?;
    if done.rows_affected != 1 {
        return Ok(None);
    }
    Ok(handoff::Entity::find_by_id(hash)
        .one(conn)
        .await?
        .map(|row| Handoff {
            platform_id: row.platform_id,
            context_row_id: row.context_row_id,
            subject: row.subject,
            name: row.name,
            lti_role: row.lti_role,
        }))
}

/// Drops handoffs that expired or were used (housekeeping): neither can be redeemed.
pub async fn purge(conn: &impl ConnectionTrait, now_us: i64) -> Result<u64, Error> {
    Ok(handoff::Entity::delete_many()
        .filter(
            handoff::Column::ExpiresUs
                .lte(now_us)
                .or(handoff::Column::UsedUs.is_not_null()),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enter_path_is_under_the_console() {
        assert_eq!(enter_path("tok"), "/console/lti/enter/tok");
    }
}
