//! The four document operations, shared by the State, Activity Profile and Agent
//! Profile resources: scope check, parameter parsing, the registered participants'
//! rules for grant holders, then the service.

use poem::Request;

use super::body::DocumentBody;
use super::key::{DocumentKind, DocumentParams};
use super::participant::{DocumentAccess, DocumentParticipants, DocumentRequest};
use super::precondition::Preconditions;
use super::response::DocumentResponse;
use super::service::{self, Fetched, WriteMode};
use crate::auth::{Principal, Scope};
use crate::db::Db;
use crate::error::Error;
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

/// Scope check, parameters, then the participants' rules for the principal's grant.
async fn admit(
    db: &Db,
    participants: &DocumentParticipants,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
    access: DocumentAccess<'_>,
) -> Result<DocumentParams, Error> {
    principal.require_documents(guard(kind), access.writes())?;
    let params = params(kind, req)?;
    let request = DocumentRequest {
        params: &params,
        access,
    };
    participants
        .check(db, principal.grant.as_deref(), request)
        .await?;
    Ok(params)
}

pub async fn get(
    db: &Db,
    participants: &DocumentParticipants,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
) -> Result<DocumentResponse, Error> {
    let access = DocumentAccess::Read;
    let params = admit(db, participants, principal, kind, req, access).await?;
    Ok(match service::get(db, &params).await? {
        Fetched::Document(doc) => DocumentResponse::Document(doc),
        Fetched::Ids(ids, latest) => DocumentResponse::Ids(ids, latest),
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn write(
    db: &Db,
    participants: &DocumentParticipants,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
    version: XapiVersion,
    body: DocumentBody,
    mode: WriteMode,
) -> Result<DocumentResponse, Error> {
    let access = DocumentAccess::Write {
        content_type: body.content_type(),
        bytes: &body.bytes,
    };
    let params = admit(db, participants, principal, kind, req, access).await?;
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
    participants: &DocumentParticipants,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
) -> Result<DocumentResponse, Error> {
    let access = DocumentAccess::Delete;
    let params = admit(db, participants, principal, kind, req, access).await?;
    service::delete(db, &params, &Preconditions::from_request(req)).await?;
    Ok(DocumentResponse::NoContent)
}
