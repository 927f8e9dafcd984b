//! cmi5's place in the document seam: a launch token reaches only its learner's State
//! and Agent Profile documents, may not change `LMS.LaunchData` (cmi5 §10: the AU must
//! not modify it), only reads Activity Profiles, and writes learner preferences only in
//! their cmi5 §11 form; reading those preferences is remembered for the session rules.

use futures_util::future::BoxFuture;

use super::grant::LaunchGrant;
use super::{learner_prefs, vocab};
use crate::auth::{Grant, downcast};
use crate::db::Db;
use crate::error::Error;
use crate::xapi::documents::key::{DocumentKind, DocumentParams};
use crate::xapi::documents::participant::{DocumentAccess, DocumentParticipant, DocumentRequest};

/// The document rules of a launched AU.
pub struct LaunchDocuments;

impl DocumentParticipant for LaunchDocuments {
    fn check<'a>(
        &'a self,
        db: &'a Db,
        grant: &'a dyn Grant,
        request: DocumentRequest<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let Some(grant) = downcast::<LaunchGrant>(grant) else {
                return Ok(());
            };
            let params = request.params;
            check_reach(grant, params, request.access.writes())?;
            let prefs = params.scope.kind == DocumentKind::AgentProfile
                && params.doc_id.as_deref() == Some(learner_prefs::DOCUMENT_ID);
            match request.access {
                DocumentAccess::Read if prefs => {
                    let _gate = db.write_gate().await;
                    learner_prefs::mark_read(db.writer(), &grant.session_id).await
                }
                DocumentAccess::Write {
                    content_type,
                    bytes,
                } if prefs => learner_prefs::check(content_type, bytes)
                    .map_err(|why| Error::ForbiddenBecause(format!("launch token: {why}"))),
                _ => Ok(()),
            }
        })
    }
}

/// Which documents a launch token reaches, and which of them it may change.
fn check_reach(grant: &LaunchGrant, params: &DocumentParams, write: bool) -> Result<(), Error> {
    let scope = &params.scope;
    let refuse = |why: &str| Err(Error::ForbiddenBecause(format!("launch token: {why}")));
    match scope.kind {
        DocumentKind::ActivityProfile if write => {
            refuse("Activity Profile documents are read-only for a launched AU")
        }
        DocumentKind::ActivityProfile => Ok(()),
        _ if scope.agent_key != grant.actor_key => {
            refuse("`agent` must be the launched learner (the `actor` launch parameter)")
        }
        DocumentKind::State if write && params.doc_id.is_none() => {
            refuse("a launched AU may not delete all of a learner's State documents")
        }
        DocumentKind::State if write && params.doc_id.as_deref() == Some(vocab::LAUNCH_DATA) => {
            refuse("LMS.LaunchData is written by the LMS and may not be changed by the AU")
        }
        _ => Ok(()),
    }
}
