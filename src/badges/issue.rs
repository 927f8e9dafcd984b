//! The service the endpoints use: a credential with both signed forms, signed when first
//! asked for and again when its award changed (renewal), with its live status. A revoked
//! award's credential is never signed again.
//!
//! CONTRACT (helper B).

use serde_json::Value;

use super::Issuer;
use super::status::LiveStatus;
use crate::db::Db;
use crate::error::Error;
use entities::{badge_credential, cert_award};

/// Issues and serves credentials.
#[derive(Clone)]
pub struct Badges {
    pub db: Db,
    pub issuer: Issuer,
}

/// A credential as served.
pub struct Issued {
    pub row: badge_credential::Model,
    pub award: cert_award::Model,
    pub program_id: String,
    pub program_name: String,
    pub belt_id: String,
    pub belt_name: String,
    pub belt_colour: String,
    /// The credential with its Data Integrity proof.
    pub json: Value,
    /// The same credential as a VC-JWT.
    pub jwt: String,
    pub status: LiveStatus,
    /// The holder's name, only when they chose to show it.
    pub holder_name: Option<String>,
}

impl Badges {
    pub fn new(db: Db, issuer: Issuer) -> Badges {
        Badges { db, issuer }
    }

    /// The credential of an award (made and signed when needed).
    pub async fn for_award(&self, award_id: i64) -> Result<Issued, Error> {
        let _ = award_id;
        todo!("helper B")
    }

    /// A credential by its id (the UUID in its URL); `None` when unknown.
    pub async fn by_id(&self, id: &str) -> Result<Option<Issued>, Error> {
        let _ = id;
        todo!("helper B")
    }

    /// Every credential of a learner (one per award, made when missing), newest first.
    pub async fn of_learner(&self, learner_key: &str) -> Result<Vec<Issued>, Error> {
        let _ = learner_key;
        todo!("helper B")
    }

    /// The learner shows (or hides) their name on the public page of their credential.
    pub async fn set_show_name(
        &self,
        id: &str,
        learner_key: &str,
        show: bool,
    ) -> Result<(), Error> {
        let _ = (id, learner_key, show);
        todo!("helper B")
    }

    /// Signs again with the current keys (after a rotation); `Conflict` when revoked.
    pub async fn reissue(&self, id: &str) -> Result<Issued, Error> {
        let _ = id;
        todo!("helper B")
    }

    /// Status list `list`, signed; `None` when no such list.
    pub async fn status_list(&self, list: i32) -> Result<Option<Value>, Error> {
        let _ = list;
        todo!("helper B")
    }

    /// A belt's `Achievement` from the current program; `None` when unknown.
    pub async fn achievement(
        &self,
        program_id: &str,
        belt_id: &str,
    ) -> Result<Option<Value>, Error> {
        let _ = (program_id, belt_id);
        todo!("helper B")
    }

    /// A belt's image (not baked); `None` when unknown.
    pub async fn belt_image(
        &self,
        program_id: &str,
        belt_id: &str,
    ) -> Result<Option<String>, Error> {
        let _ = (program_id, belt_id);
        todo!("helper B")
    }
}
