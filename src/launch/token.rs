//! The fetch code and the auth token of a launch (cmi5 §8.2). Both are random and
//! stored only as keyed hashes; the token is usable as HTTP Basic credentials
//! (`ls_<session>` : secret), which is what AUs send.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::Value;

use super::grant::{LaunchGrant, LaunchMode};
use crate::auth::{KeyScheme, Principal, Scope, Scopes, secret};
use crate::error::Error;
use crate::xapi::statements::index::agent_key;
use entities::{launch_session, registration};

/// The Basic user name prefix that marks a launch token.
pub const KEY_PREFIX: &str = "ls_";
/// Statements written through launch tokens carry this instead of a credential id, so
/// `statements/read/mine` of a real credential never sees them as its own.
pub const LAUNCH_CREDENTIAL_ID: i64 = 0;

/// A fresh random secret and its salted hash.
pub struct Minted {
    pub secret: String,
    pub hash: String,
}

pub fn new_salt() -> String {
    hex::encode(secret::random_bytes::<16>())
}

pub fn mint(salt: &str) -> Minted {
    let value = URL_SAFE_NO_PAD.encode(secret::random_bytes::<32>());
    Minted {
        hash: secret::hash(salt, &value),
        secret: value,
    }
}

/// The `auth-token` value: base64 of `ls_<session>:<secret>`, ready for `Basic `.
pub fn auth_token(session_id: &str, secret: &str) -> String {
    STANDARD.encode(format!(
        "{KEY_PREFIX}{}:{secret}",
        session_id.replace('-', "")
    ))
}

/// The session id a Basic user name names, if it is a launch token's.
pub fn session_of(key: &str) -> Option<String> {
    let hex = key.strip_prefix(KEY_PREFIX)?;
    uuid::Uuid::try_parse(hex).ok().map(|u| u.to_string())
}

/// Checks a launch token. Expired, abandoned and unknown sessions and wrong secrets
/// all answer 403 with the same message: the AU's remedy is the same, a new launch.
/// Never 401: its `WWW-Authenticate: Basic` challenge makes a browser open a login
/// dialog over the AU (or, headless, wait for one), and cmi5 §4.2 expects 403 for
/// requests the LMS refuses to an AU.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    key: &str,
    presented: &str,
    authority: &Value,
) -> Result<Arc<Principal>, Error> {
    let session_id = session_of(key).ok_or_else(dead_token)?;
    let Some(session) = launch_session::Entity::find_by_id(session_id)
        .one(conn)
        .await?
    else {
        return Err(dead_token());
    };
    let token_ok = session
        .token_hash
        .as_deref()
        .is_some_and(|hash| secret::verify(&session.salt, hash, presented));
    let now = jiff::Timestamp::now().as_microsecond();
    if !token_ok || session.abandoned || now >= session.expires_us {
        return Err(dead_token());
    }
    let Some(reg) = registration::Entity::find_by_id(session.registration.clone())
        .one(conn)
        .await?
    else {
        return Err(dead_token());
    };
    let actor_key = agent_key(&reg.actor).ok_or_else(dead_token)?;
    let mut scopes = Scopes::default();
    for scope in [
        Scope::StatementsWrite,
        Scope::StatementsReadMine,
        Scope::State,
        Scope::Profile,
    ] {
        scopes.insert(scope);
    }
    Ok(Arc::new(Principal {
        credential_id: LAUNCH_CREDENTIAL_ID,
        key: key.to_owned(),
        scopes,
        authority: authority.clone(),
        grant: Some(Arc::new(LaunchGrant {
            session_id: session.session_id,
            registration: session.registration,
            au_id: super::ids::au(&reg.course_id, &session.au_id),
            publisher_au_id: session.au_id,
            actor: reg.actor,
            actor_key,
            launch_mode: LaunchMode::parse(&session.launch_mode).unwrap_or(LaunchMode::Normal),
            mastery_score: session.mastery_score,
        })),
    }))
}

/// Launch tokens as a key scheme of the authentication service.
pub struct LaunchTokens {
    /// The authority of statements made through launch tokens: this server as the LMS.
    pub authority: Arc<Value>,
}

impl KeyScheme for LaunchTokens {
    fn owns(&self, key: &str) -> bool {
        key.starts_with(KEY_PREFIX)
    }

    fn authenticate<'a>(
        &'a self,
        conn: &'a DatabaseConnection,
        key: &'a str,
        presented: &'a str,
    ) -> BoxFuture<'a, Result<Arc<Principal>, Error>> {
        Box::pin(authenticate(conn, key, presented, &self.authority))
    }
}

/// The answer to a launch token that does not (or no longer) work.
pub fn dead_token() -> Error {
    Error::ForbiddenBecause(
        "this launch's auth token is not valid: the session is unknown, expired or abandoned, \
         or the token is wrong; launch the AU again from the LMS (cmi5 §8.2)"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_basic_credentials_naming_their_session() {
        let session = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let token = auth_token(session, "s3cret");
        let decoded = String::from_utf8(STANDARD.decode(token).unwrap()).unwrap();
        let (user, password) = decoded.split_once(':').unwrap();
        assert_eq!(password, "s3cret");
        assert_eq!(session_of(user).as_deref(), Some(session));
        assert_eq!(session_of("bb_0123"), None);
        assert_eq!(session_of("ls_nothex"), None);
    }

    #[test]
    fn minted_secrets_verify_against_their_hash_only() {
        let salt = new_salt();
        let a = mint(&salt);
        let b = mint(&salt);
        assert_ne!(a.secret, b.secret);
        assert!(secret::verify(&salt, &a.hash, &a.secret));
        assert!(!secret::verify(&salt, &a.hash, &b.secret));
    }
}
