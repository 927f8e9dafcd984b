//! Who an authenticated request acts as, in certification terms.

use crate::auth::{Principal, Scope};
use crate::certification::reviewers::Who;
use crate::error::Error;

/// A credential acts as `credential:<id>`; a launch token as its learner.
pub fn who(principal: &Principal) -> Who {
    match principal.grant.as_ref().map(|grant| grant.actor_key()) {
        Some(actor_key) => Who {
            actor: format!("learner:{actor_key}"),
            admin: false,
            learner: Some(actor_key.to_owned()),
        },
        None => Who {
            actor: format!("credential:{}", principal.credential_id),
            admin: principal.scopes.is_admin(),
            learner: None,
        },
    }
}

/// An administrator or a learner's launch token: other credentials get 403.
pub fn admin_or_learner(principal: &Principal) -> Result<Who, Error> {
    let who = who(principal);
    if who.admin || who.learner.is_some() {
        Ok(who)
    } else {
        Err(Error::Forbidden(Scope::Admin))
    }
}

/// `learner:<key>` names a learner; so does the learner key on its own.
pub fn learner_key_of(text: &str) -> &str {
    text.strip_prefix("learner:").unwrap_or(text)
}
