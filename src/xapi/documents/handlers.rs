//! The four document operations, shared by the State, Activity Profile and Agent
//! Profile resources: scope check, parameter parsing, then the service.

use poem::Request;

use super::body::DocumentBody;
use super::key::{DocumentKind, DocumentParams};
use super::precondition::Preconditions;
use super::response::DocumentResponse;
use super::service::{self, Fetched, WriteMode};
use crate::auth::{Principal, Scope};
use crate::db::Db;
use crate::error::Error;
use crate::launch::learner_prefs;
use crate::xapi::version::XapiVersion;

fn guard(kind: DocumentKind) -> Scope {
    match kind {
        DocumentKind::State => Scope::State,
        _ => Scope::Profile,
    }
}

fn params(kind: DocumentKind, req: &Request) -> Result<DocumentParams, Error> {
    DocumentParams::parse(kind, req.uri().query().unwrap_or_default())
}

/// A launch token reaches only its learner's State and Agent Profile documents, may
/// not change `LMS.LaunchData` (cmi5 §10: the AU must not modify it), and only reads
/// Activity Profiles.
fn check_launch(principal: &Principal, params: &DocumentParams, write: bool) -> Result<(), Error> {
    let Some(grant) = &principal.launch else {
        return Ok(());
    };
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
        DocumentKind::State
            if write && params.doc_id.as_deref() == Some(crate::launch::vocab::LAUNCH_DATA) =>
        {
            refuse("LMS.LaunchData is written by the LMS and may not be changed by the AU")
        }
        _ => Ok(()),
    }
}

pub async fn get(
    db: &Db,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
) -> Result<DocumentResponse, Error> {
    principal.require_documents(guard(kind), false)?;
    let params = params(kind, req)?;
    check_launch(principal, &params, false)?;
    if let Some(grant) = &principal.launch
        && kind == DocumentKind::AgentProfile
        && params.doc_id.as_deref() == Some(learner_prefs::DOCUMENT_ID)
    {
        let _gate = db.write_gate().await;
        learner_prefs::mark_read(db.writer(), &grant.session_id).await?;
    }
    Ok(match service::get(db, &params).await? {
        Fetched::Document(doc) => DocumentResponse::Document(doc),
        Fetched::Ids(ids, latest) => DocumentResponse::Ids(ids, latest),
    })
}

pub async fn write(
    db: &Db,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
    version: XapiVersion,
    body: DocumentBody,
    mode: WriteMode,
) -> Result<DocumentResponse, Error> {
    principal.require_documents(guard(kind), true)?;
    let params = params(kind, req)?;
    check_launch(principal, &params, true)?;
    if principal.launch.is_some()
        && kind == DocumentKind::AgentProfile
        && params.doc_id.as_deref() == Some(learner_prefs::DOCUMENT_ID)
    {
        learner_prefs::check(body.content_type(), &body.bytes)
            .map_err(|why| Error::ForbiddenBecause(format!("launch token: {why}")))?;
    }
    service::write(
        db,
        &params,
        body.content_type(),
        &body.bytes,
        mode,
        &Preconditions::from_request(req),
        version,
    )
    .await?;
    Ok(DocumentResponse::NoContent)
}

pub async fn delete(
    db: &Db,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
) -> Result<DocumentResponse, Error> {
    principal.require_documents(guard(kind), true)?;
    let params = params(kind, req)?;
    check_launch(principal, &params, true)?;
    service::delete(db, &params, &Preconditions::from_request(req)).await?;
    Ok(DocumentResponse::NoContent)
}
