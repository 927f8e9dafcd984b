//! The service the endpoints use: a credential with both signed forms, signed when first
//! asked for and again when its award changed (renewal), with its live status. A revoked
//! award's credential is never signed again.

mod lists;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde_json::Value;

use super::credential::{self, Facts, rfc3339};
use super::status::{LiveStatus, live_status};
use super::{Issuer, achievement, identity, integrity, jwt, keys, store, svg};
use crate::certification::learners;
use crate::certification::program::model::{Belt, Program};
use crate::certification::program::store as programs;
use crate::db::Db;
use crate::error::Error;
use entities::{badge_credential, cert_award};

/// Issues and serves credentials.
#[derive(Clone)]
pub struct Badges {
    pub db: Db,
    pub issuer: Issuer,
    /// Signed status lists by number, with the fingerprint they were made for.
    lists: Arc<Mutex<HashMap<i32, lists::Cached>>>,
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
        Badges {
            db,
            issuer,
            lists: Arc::default(),
        }
    }

    /// The credential of an award (made and signed when needed).
    pub async fn for_award(&self, award_id: i64) -> Result<Issued, Error> {
        let award = cert_award::Entity::find_by_id(award_id)
            .one(&self.db.conn)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no award has id {award_id}")))?;
        let row = self.ensure_row(&award).await?;
        self.issued(row, award, false).await
    }

    /// A credential by its id (the UUID in its URL); `None` when unknown.
    pub async fn by_id(&self, id: &str) -> Result<Option<Issued>, Error> {
        let Some(row) = store::find(&self.db.conn, id).await? else {
            return Ok(None);
        };
        let award = self.award_of(&row).await?;
        Ok(Some(self.issued(row, award, false).await?))
    }

    /// Every credential of a learner (one per award, made when missing), newest first.
    pub async fn of_learner(&self, learner_key: &str) -> Result<Vec<Issued>, Error> {
        let awards = cert_award::Entity::find()
            .filter(cert_award::Column::LearnerKey.eq(learner_key))
            .order_by_desc(cert_award::Column::EarnedUs)
            .order_by_desc(cert_award::Column::Id)
            .all(&self.db.conn)
            .await?;
        let mut out = Vec::with_capacity(awards.len());
        for award in awards {
            let row = self.ensure_row(&award).await?;
            out.push(self.issued(row, award, false).await?);
        }
        Ok(out)
    }

    /// The learner shows (or hides) their name on the public page of their credential.
    pub async fn set_show_name(
        &self,
        id: &str,
        learner_key: &str,
        show: bool,
    ) -> Result<(), Error> {
        // Someone else's credential reads as unknown: ids are not confirmed to others.
        let row = store::find(&self.db.conn, id)
            .await?
            .filter(|row| row.learner_key == learner_key)
            .ok_or_else(|| Error::NotFound(format!("you hold no credential with id {id}")))?;
        let _gate = self.db.write_gate().await;
        store::set_show_name(self.db.writer(), row, show, now_us()).await?;
        Ok(())
    }

    /// Signs again with the current keys (after a rotation); `Conflict` when revoked.
    pub async fn reissue(&self, id: &str) -> Result<Issued, Error> {
        let row = store::find(&self.db.conn, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no credential has id {id}")))?;
        let award = self.award_of(&row).await?;
        if award.status == "revoked" {
            return Err(Error::Conflict(format!(
                "credential {id} is revoked (award {}); a revoked credential is never signed again",
                award.id
            )));
        }
        self.issued(row, award, true).await
    }

    /// Status list `list`, signed; `None` when no such list.
    pub async fn status_list(&self, list: i32) -> Result<Option<Value>, Error> {
        lists::signed(self, list).await
    }

    /// A belt's `Achievement` from the current program; `None` when unknown.
    pub async fn achievement(
        &self,
        program_id: &str,
        belt_id: &str,
    ) -> Result<Option<Value>, Error> {
        Ok(self
            .current_belt(program_id, belt_id)
            .await?
            .map(|(p, b)| achievement::achievement(&self.issuer.urls, &p, &b)))
    }

    /// A belt's image (not baked); `None` when unknown.
    pub async fn belt_image(
        &self,
        program_id: &str,
        belt_id: &str,
    ) -> Result<Option<String>, Error> {
        Ok(self
            .current_belt(program_id, belt_id)
            .await?
            .map(|(p, b)| svg::belt_svg(&p.program.name, &b.name, &b.colour)))
    }

    async fn current_belt(
        &self,
        program_id: &str,
        belt_id: &str,
    ) -> Result<Option<(Program, Belt)>, Error> {
        let current = programs::current_all(&self.db.conn).await?;
        Ok(current
            .into_iter()
            .find(|p| p.program_id == program_id)
            .and_then(|p| {
                let belt = p.program.belts.iter().find(|b| b.id == belt_id).cloned()?;
                Some((p.program, belt))
            }))
    }

    /// The award's credential row, made in its own short transaction when missing.
    async fn ensure_row(
        &self,
        award: &cert_award::Model,
    ) -> Result<badge_credential::Model, Error> {
        if let Some(row) = store::find_by_award(&self.db.conn, award.id).await? {
            return Ok(row);
        }
        let _gate = self.db.write_gate().await;
        let txn = self.db.writer().begin().await?;
        let row = store::ensure_for_award(&txn, award.id, &award.learner_key, now_us()).await?;
        txn.commit().await?;
        Ok(row)
    }

    async fn award_of(&self, row: &badge_credential::Model) -> Result<cert_award::Model, Error> {
        cert_award::Entity::find_by_id(row.award_id)
            .one(&self.db.conn)
            .await?
            .ok_or_else(|| {
                Error::Internal(format!(
                    "credential {} names award {}, which does not exist",
                    row.id, row.award_id
                ))
            })
    }

    /// The credential as served: the stored signed forms when they were made for this
    /// award version and these keys (or the award is revoked), else signed now and stored.
    async fn issued(
        &self,
        row: badge_credential::Model,
        award: cert_award::Model,
        force: bool,
    ) -> Result<Issued, Error> {
        let now = now_us();
        let (program, belt) = self.program_of(&award).await?;
        let learner = learners::find(&self.db.conn, &award.learner_key).await?;
        let stored = match (&row.signed_json, &row.signed_jwt) {
            (Some(json), Some(jwt)) => Some((json.clone(), jwt.clone())),
            _ => None,
        };
        let (row, json, jwt) = match stored {
            // Revoked: what was signed stays as it was (its status bit says revoked).
            Some((json, jwt)) if award.status == "revoked" => (row, json, jwt),
            stored => {
                let keys = keys::signing(&self.db).await?;
                let signed_for = format!(
                    "{} {} {}",
                    award.updated_us, keys.es256.kid, keys.ed25519.kid
                );
                match stored {
                    Some((json, jwt)) if !force && row.signed_for.as_ref() == Some(&signed_for) => {
                        (row, json, jwt)
                    }
                    _ => {
                        let (identifier, kind) = identity::of_learner(
                            &award.learner_key,
                            learner.as_ref().and_then(|l| l.email.as_deref()),
                            learner.as_ref().map_or(&Value::Null, |l| &l.actor),
                        );
                        let unsigned = credential::build(&Facts {
                            issuer: &self.issuer,
                            program: &program,
                            belt: &belt,
                            award: &award,
                            row: &row,
                            identity: (&identifier, kind),
                        });
                        let urls = &self.issuer.urls;
                        let json = integrity::sign(
                            &unsigned,
                            &keys.ed25519,
                            &urls.key(&keys.ed25519.kid),
                            &rfc3339(now),
                        )?;
                        let jwt = jwt::sign(&unsigned, &keys.es256, &urls.key(&keys.es256.kid))?;
                        let _gate = self.db.write_gate().await;
                        let row = store::set_signed(
                            self.db.writer(),
                            row,
                            signed_for,
                            json.clone(),
                            jwt.clone(),
                            now,
                        )
                        .await?;
                        (row, json, jwt)
                    }
                }
            }
        };
        let holder_name = if row.show_name {
            learner.and_then(|l| l.name)
        } else {
            None
        };
        Ok(Issued {
            status: live_status(&award, now),
            program_id: program.program.id.clone(),
            program_name: program.program.name.clone(),
            belt_id: belt.id.clone(),
            belt_name: belt.name.clone(),
            belt_colour: belt.colour.clone(),
            row,
            award,
            json,
            jwt,
            holder_name,
        })
    }

    /// The program version the award was last earned or renewed under, and its belt.
    async fn program_of(&self, award: &cert_award::Model) -> Result<(Program, Belt), Error> {
        let version = award
            .renewals
            .as_array()
            .and_then(|r| r.last())
            .and_then(|r| r.get("program_version"))
            .and_then(Value::as_i64)
            .and_then(|v| i32::try_from(v).ok())
            .unwrap_or(award.program_version);
        let stored = programs::version(&self.db.conn, &award.program_id, version)
            .await?
            .ok_or_else(|| {
                Error::Internal(format!(
                    "award {} names program {} version {version}, which is not stored",
                    award.id, award.program_id
                ))
            })?;
        let program = programs::loaded(stored)?.program;
        let belt = program
            .belts
            .iter()
            .find(|b| b.id == award.belt_id)
            .cloned()
            .ok_or_else(|| {
                Error::Internal(format!(
                    "award {} names belt {}, which program {} version {version} does not have",
                    award.id, award.belt_id, award.program_id
                ))
            })?;
        Ok((program, belt))
    }
}

fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}
