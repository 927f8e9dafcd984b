//! Who is calling: the authenticated credential and what it may do.

use serde_json::Value;

use super::grant::SharedGrant;
use super::scope::{Scope, Scopes};
use crate::error::Error;
use crate::xapi::statements::read::Visibility;

#[derive(Debug, Clone)]
pub struct Principal {
    pub credential_id: i64,
    pub key: String,
    pub scopes: Scopes,
    /// Written as `authority` on the statements this credential stores.
    pub authority: Value,
    /// Set for a launch's auth token: the AU may act only for this learner and
    /// registration (cmi5 §8.2), and the cmi5 statement and document rules apply. Opaque
    /// here: the launch layer downcasts it (`auth::downcast`).
    pub grant: Option<SharedGrant>,
}

impl Principal {
    pub fn require_statement_write(&self) -> Result<(), Error> {
        if self.scopes.writes_statements() {
            Ok(())
        } else {
            Err(Error::Forbidden(Scope::StatementsWrite))
        }
    }

    /// Which statements this caller may read, by id or by query alike: a launch token
    /// its learner's (cmi5 §8.2), `statements/read/mine` those it stored, the read
    /// scopes everything.
    pub fn statement_visibility(&self) -> Result<Visibility, Error> {
        if let Some(grant) = &self.grant {
            Ok(Visibility::AboutAgent(grant.actor_key().to_owned()))
        } else if self.scopes.reads_all_statements() {
            Ok(Visibility::Everything)
        } else if self.scopes.reads_own_statements() {
            Ok(Visibility::SentBy(self.credential_id))
        } else {
            Err(Error::Forbidden(Scope::StatementsRead))
        }
    }

    /// `guard` is `Scope::State` or `Scope::Profile`.
    pub fn require_documents(&self, guard: Scope, write: bool) -> Result<(), Error> {
        let allowed = if write {
            self.scopes.writes_documents(guard)
        } else {
            self.scopes.reads_documents(guard)
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden(guard))
        }
    }

    pub fn require_definitions_read(&self) -> Result<(), Error> {
        if self.scopes.reads_definitions() && self.grant.is_none() {
            Ok(())
        } else {
            Err(Error::Forbidden(Scope::AllRead))
        }
    }

    pub fn require_admin(&self) -> Result<(), Error> {
        if self.scopes.is_admin() {
            Ok(())
        } else {
            Err(Error::Forbidden(Scope::Admin))
        }
    }
}
