//! Document reads and writes between HTTP and the store: preconditions, merging and
//! the retry that makes a write atomic without holding locks.
//! Spec: xAPI-Communication 2.2 (Document Resources), 3.1 (Concurrency).

use aws_lc_rs::digest;

use super::key::{DocumentKind, DocumentParams};
use super::merge::{is_json, json_object, merge};
use super::precondition::Preconditions;
use super::store::{self, NewDocument, StoredDocument};
use crate::db::Db;
use crate::error::Error;
use crate::xapi::version::XapiVersion;

/// How many times a write is retried when another writer changed the document between
/// our read and our conditional write.
const ATTEMPTS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// PUT: the body replaces the document.
    Replace,
    /// POST: JSON objects are merged into the stored one.
    Merge,
}

/// What GET answers.
pub enum Fetched {
    Document(StoredDocument),
    Ids(Vec<String>, Option<i64>),
}

pub async fn get(db: &Db, params: &DocumentParams) -> Result<Fetched, Error> {
    match &params.doc_id {
        Some(_) => {
            let doc_id = params.require_doc_id()?;
            store::find(&db.conn, &params.scope, doc_id)
                .await?
                .map(Fetched::Document)
                .ok_or_else(|| not_found(params.scope.kind, doc_id))
        }
        None => {
            let (ids, latest) = store::list_ids(&db.conn, &params.scope, params.since_us).await?;
            Ok(Fetched::Ids(ids, latest))
        }
    }
}

/// What a write without If-Match or If-None-Match may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unconditional {
    Allowed,
    /// Refused with 409 when the document exists (xAPI 2.0, every document resource).
    RefusedIfExists,
    /// Refused always: 409 when the document exists, else 400 (xAPI 1.0.3 profiles,
    /// conformance requirement XAPI-00273, as the ADL reference LRS does).
    Refused,
}

fn unconditional(kind: DocumentKind, mode: WriteMode, version: XapiVersion) -> Unconditional {
    match (version, mode, kind) {
        (_, WriteMode::Merge, _) => Unconditional::Allowed,
        (XapiVersion::V1_0, WriteMode::Replace, DocumentKind::State) => Unconditional::Allowed,
        (XapiVersion::V1_0, WriteMode::Replace, _) => Unconditional::Refused,
        (XapiVersion::V2_0, WriteMode::Replace, _) => Unconditional::RefusedIfExists,
    }
}

pub async fn write(
    db: &Db,
    params: &DocumentParams,
    content_type: &str,
    body: &[u8],
    mode: WriteMode,
    preconditions: &Preconditions,
    version: XapiVersion,
) -> Result<(), Error> {
    let doc_id = params.require_doc_id()?;
    if is_json(content_type) && serde_json::from_slice::<serde_json::Value>(body).is_err() {
        return Err(Error::BadRequest(format!(
            "the body is declared as {content_type} but is not valid JSON"
        )));
    }
    let posted = match mode {
        WriteMode::Merge if is_json(content_type) => {
            Some(json_object(body, "the posted document")?)
        }
        _ => None,
    };
    for _ in 0..ATTEMPTS {
        let _gate = db.write_gate().await;
        let conn = db.writer();
        let current = store::find(conn, &params.scope, doc_id).await?;
        preconditions.check(current.as_ref().map(|d| d.etag.as_str()))?;
        if preconditions.is_empty() {
            match (unconditional(params.scope.kind, mode, version), &current) {
                (Unconditional::Allowed, _) => {}
                (_, Some(_)) => {
                    return Err(Error::Conflict(format!(
                        "document {doc_id:?} exists: send If-Match with its ETag so that \
                         concurrent changes are not lost"
                    )));
                }
                (Unconditional::RefusedIfExists, None) => {}
                (Unconditional::Refused, None) => {
                    return Err(Error::BadRequest(format!(
                        "PUT {} needs If-None-Match: * to create a document, or If-Match with \
                         the ETag to replace one (xAPI 1.0.3 concurrency)",
                        params.scope.kind.resource()
                    )));
                }
            }
        }
        let (content_type, content) = match (&current, mode) {
            (Some(stored), WriteMode::Merge) => {
                let Some(posted) = posted.clone() else {
                    return Err(Error::BadRequest(format!(
                        "POST merges JSON objects; this body is {content_type}. PUT replaces \
                         a document of any type"
                    )));
                };
                if !is_json(&stored.content_type) {
                    return Err(Error::BadRequest(format!(
                        "the stored document is {}, not JSON, so it cannot be merged; PUT \
                         replaces it",
                        stored.content_type
                    )));
                }
                let stored_object = json_object(&stored.content, "the stored document")?;
                (stored.content_type.clone(), merge(stored_object, posted))
            }
            _ => (content_type.to_owned(), body.to_vec()),
        };
        let etag = etag_of(&content);
        let doc = NewDocument {
            content_type: &content_type,
            content: &content,
            etag: &etag,
            updated_us: jiff::Timestamp::now().as_microsecond(),
        };
        let written = match &current {
            Some(stored) => store::replace(conn, stored.seq, &stored.etag, &doc).await?,
            None => store::insert(conn, &params.scope, doc_id, &doc).await?,
        };
        if written {
            return Ok(());
        }
        // Someone else wrote first. With preconditions the next round reports 412.
    }
    Err(busy(doc_id))
}

pub async fn delete(
    db: &Db,
    params: &DocumentParams,
    preconditions: &Preconditions,
) -> Result<(), Error> {
    let Some(doc_id) = params.doc_id.as_deref() else {
        if params.scope.kind != DocumentKind::State {
            return Err(Error::BadRequest(format!(
                "parameter `{}` is required",
                params.scope.kind.id_param()
            )));
        }
        if params.since_us.is_some() {
            return Err(Error::BadRequest(
                "parameter `since` is not accepted by DELETE".into(),
            ));
        }
        let _gate = db.write_gate().await;
        store::delete_scope(db.writer(), &params.scope).await?;
        return Ok(());
    };
    params.require_doc_id()?;
    for _ in 0..ATTEMPTS {
        let _gate = db.write_gate().await;
        let conn = db.writer();
        let current = store::find(conn, &params.scope, doc_id).await?;
        preconditions.check(current.as_ref().map(|d| d.etag.as_str()))?;
        let Some(stored) = current else {
            return Ok(()); // deleting what is not there leaves it not there
        };
        if store::delete(conn, stored.seq, &stored.etag).await? {
            return Ok(());
        }
    }
    Err(busy(doc_id))
}

/// A quoted SHA-1 of the content: cheap, stable, and what most clients expect.
pub fn etag_of(content: &[u8]) -> String {
    let sum = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, content);
    format!("\"{}\"", hex::encode(sum))
}

fn not_found(kind: DocumentKind, doc_id: &str) -> Error {
    Error::NotFound(format!(
        "no document {doc_id:?} at {} for these parameters",
        kind.resource()
    ))
}

fn busy(doc_id: &str) -> Error {
    Error::Conflict(format!(
        "document {doc_id:?} kept changing under concurrent writers; retry"
    ))
}
