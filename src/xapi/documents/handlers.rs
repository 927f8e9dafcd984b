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

pub async fn get(
    db: &Db,
    principal: &Principal,
    kind: DocumentKind,
    req: &Request,
) -> Result<DocumentResponse, Error> {
    principal.require_documents(guard(kind), false)?;
    let params = params(kind, req)?;
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
    service::delete(db, &params, &Preconditions::from_request(req)).await?;
    Ok(DocumentResponse::NoContent)
}
