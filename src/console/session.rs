//! Server-side console sessions: a random token in an `HttpOnly` cookie, its SHA-256 in
//! `console_sessions`. Idle and absolute timeouts are checked on every request; signing
//! out deletes the row, signing out everywhere deletes every row of the user.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::Error;
use entities::{console_session, console_user};

/// How long sessions last (from `Config`).
#[derive(Clone, Copy, Debug)]
pub struct SessionSettings {
    pub idle_us: i64,
    pub absolute_us: i64,
    /// `Secure` cookie with the `__Host-` prefix (when `public_url` is https).
    pub secure: bool,
}

impl SessionSettings {
    pub fn from_config(config: &crate::config::Config) -> Self {
        SessionSettings {
            idle_us: i64::from(config.console_idle_minutes.max(1)) * 60_000_000,
            absolute_us: i64::from(config.console_session_hours.max(1)) * 3_600_000_000,
            secure: config.public_url.starts_with("https://"),
        }
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-blackbelt_console"
        } else {
            "blackbelt_console"
        }
    }

    /// `Set-Cookie` for a new session.
    pub fn cookie(&self, token: &str) -> String {
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax{}",
            self.cookie_name(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// `Set-Cookie` that removes the session cookie.
    pub fn clear_cookie(&self) -> String {
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            self.cookie_name(),
            if self.secure { "; Secure" } else { "" }
        )
    }
}

/// Who a new session belongs to.
pub enum Owner {
    User(i64),
    /// A manager launched from an LMS course (LTI), scoped to its roster.
    LtiContext {
        context_id: i64,
        name: String,
        role: String,
    },
}

/// Where a sign-in came from (kept on the session, shown on the user's page).
#[derive(Default, Clone)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A random 256-bit token, base64url.
pub fn new_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Internal("the system random generator failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored for a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(digest(&SHA256, token.as_bytes()))
}

/// Starts a session; returns the cookie token (shown once, never stored).
pub async fn create(
    conn: &impl ConnectionTrait,
    settings: &SessionSettings,
    owner: Owner,
    client: Client,
    now_us: i64,
) -> Result<String, Error> {
    let token = new_token()?;
    let (user_id, lti_context_id, lti_name, lti_role) = match owner {
        Owner::User(id) => (Some(id), None, None, None),
        Owner::LtiContext {
            context_id,
            name,
            role,
        } => (None, Some(context_id), Some(name), Some(role)),
    };
    console_session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        lti_context_id: Set(lti_context_id),
        lti_name: Set(lti_name),
        lti_role: Set(lti_role),
        created_us: Set(now_us),
        last_seen_us: Set(now_us),
        expires_us: Set(now_us.saturating_add(settings.absolute_us)),
        ip: Set(client.ip.map(|s| truncate(s, 64))),
        user_agent: Set(client.user_agent.map(|s| truncate(s, 256))),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// A live session and its user (`None` for an LTI session).
pub struct Live {
    pub session: console_session::Model,
    pub user: Option<console_user::Model>,
}

/// The live session of `token`: `None` when unknown, idle too long, past its absolute
/// end, or its user is disabled (such a session is deleted). Touches `last_seen_us` at
/// most once a minute, so a page view is not a write.
pub async fn lookup(
    conn: &impl ConnectionTrait,
    settings: &SessionSettings,
    token: &str,
    now_us: i64,
) -> Result<Option<Live>, Error> {
    let hash = token_hash(token);
    let Some(session) = console_session::Entity::find_by_id(hash.clone())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let idle = now_us.saturating_sub(session.last_seen_us) > settings.idle_us;
    let over = now_us >= session.expires_us;
    let user = match session.user_id {
        Some(id) => console_user::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    let disabled =
        session.user_id.is_some() && user.as_ref().is_none_or(|u| u.disabled_us.is_some());
    if idle || over || disabled {
        console_session::Entity::delete_by_id(hash)
            .exec(conn)
            .await?;
        return Ok(None);
    }
    if now_us.saturating_sub(session.last_seen_us) > 60_000_000 {
        console_session::Entity::update_many()
            .col_expr(
                console_session::Column::LastSeenUs,
                sea_orm::sea_query::Expr::value(now_us),
            )
            .filter(console_session::Column::TokenHash.eq(hash))
            .exec(conn)
            .await?;
    }
    Ok(Some(Live { session, user }))
}

/// Signs one session out.
pub async fn end(conn: &impl ConnectionTrait, token: &str) -> Result<(), Error> {
    console_session::Entity::delete_by_id(token_hash(token))
        .exec(conn)
        .await?;
    Ok(())
}

/// Signs a user out everywhere (also after a password change or when disabled).
/// Returns how many sessions ended.
pub async fn end_all_for_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<u64, Error> {
    Ok(console_session::Entity::delete_many()
        .filter(console_session::Column::UserId.eq(user_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Deletes sessions past their absolute end (housekeeping).
pub async fn purge_expired(conn: &impl ConnectionTrait, now_us: i64) -> Result<u64, Error> {
    Ok(console_session::Entity::delete_many()
        .filter(console_session::Column::ExpiresUs.lte(now_us))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The cookie's token from a `Cookie` header.
pub fn token_from_cookie_header(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty() && v.len() <= 128).then(|| v.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_read_by_name_only() {
        let h = "a=1; blackbelt_console=tok; other=2";
        assert_eq!(
            token_from_cookie_header(h, "blackbelt_console").as_deref(),
            Some("tok")
        );
        assert_eq!(
            token_from_cookie_header("x_blackbelt_console=t", "blackbelt_console"),
            None
        );
        assert_eq!(
            token_from_cookie_header("blackbelt_console=", "blackbelt_console"),
            None
        );
    }

    #[test]
    fn secure_cookies_use_the_host_prefix() {
        let s = SessionSettings {
            idle_us: 1,
            absolute_us: 1,
            secure: true,
        };
        let c = s.cookie("t");
        assert!(c.starts_with("__Host-blackbelt_console=t;"), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token().unwrap_or_default();
        let b = new_token().unwrap_or_default();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
    }
}
