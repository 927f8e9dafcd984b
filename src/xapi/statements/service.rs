//! The Statements resource between HTTP and the store: batch rules, the write
//! transaction, and page assembly.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::cursor::CursorKey;
use super::format::{Format, render_text};
use super::json_text::statement_result;
use super::params::Cursor;
use super::participant::WriteGrant;
use super::prepare::{PreparedStatement, WriteContext, prepare};
use super::read::{self, Position, StatementFilter, StoredStatement, Visibility};
use super::writer::{StatementWriter, Submission};
use crate::auth::Principal;
use crate::db::Db;
use crate::error::Error;
use crate::xapi::attachments::multipart::{self, Part};
use crate::xapi::attachments::request::{check_no_excess, check_statement as check_attachments};
use crate::xapi::attachments::store as attachment_store;
use crate::xapi::attachments::{AttachmentPart, StatementRequest};
use crate::xapi::validate::{JsonPath, is_uuid, parse_stored};
use crate::xapi::version::XapiVersion;

/// Validates and stores statements atomically: all or nothing. Returns their ids in
/// request order.
pub async fn store(
    writer: &StatementWriter,
    principal: &Principal,
    version: XapiVersion,
    request: StatementRequest,
    put_id: Option<&str>,
) -> Result<Vec<String>, Error> {
    let grant = principal.grant.clone().map(|grant| grant as WriteGrant);
    store_with(writer, principal, version, request, put_id, grant).await
}

/// `store`, with the grant the write-time participants see chosen by the caller: the
/// server's own statements pass one so that a participant can write what belongs with
/// them (a console action's audit entry) in their transaction. A write with a grant
/// commits alone.
pub async fn store_with(
    writer: &StatementWriter,
    principal: &Principal,
    version: XapiVersion,
    request: StatementRequest,
    put_id: Option<&str>,
    grant: Option<WriteGrant>,
) -> Result<Vec<String>, Error> {
    let StatementRequest { json, parts } = request;
    let (items, is_batch) = match (json, put_id) {
        (Value::Array(_), Some(_)) => {
            return Err(Error::BadRequest(
                "PUT takes a single statement, not an array".into(),
            ));
        }
        (Value::Array(items), None) => (items, true),
        (single, _) => (vec![single], false),
    };
    let ctx = WriteContext {
        version,
        authority: &principal.authority,
        credential_id: principal.credential_id,
    };
    // Validation runs here, on the request's own task, in parallel with other requests;
    // only the database work is queued.
    let prepared = prepare_all(items, is_batch, put_id, &ctx, &parts)?;
    let ids: Vec<String> = prepared.iter().map(|s| s.id.clone()).collect();
    if prepared.is_empty() {
        return Ok(ids);
    }
    writer
        .write(Submission {
            statements: prepared,
            grant,
            parts,
        })
        .await?;
    Ok(ids)
}

fn prepare_all(
    items: Vec<Value>,
    is_batch: bool,
    put_id: Option<&str>,
    ctx: &WriteContext<'_>,
    parts: &HashMap<String, AttachmentPart>,
) -> Result<Vec<PreparedStatement>, Error> {
    let mut seen = HashSet::with_capacity(items.len());
    let mut used_parts = HashSet::with_capacity(parts.len());
    let mut prepared = Vec::with_capacity(items.len());
    for (i, mut item) in items.into_iter().enumerate() {
        let name = if is_batch {
            format!("$[{i}]")
        } else {
            "$".to_owned()
        };
        check_attachments(&item, parts, &name, &mut used_parts)?;
        if let Some(id) = put_id {
            bind_put_id(&mut item, id)?;
        }
        let statement = prepare(item, &JsonPath::root(&name), ctx)?;
        if !seen.insert(statement.id.clone()) {
            return Err(Error::BadRequest(format!(
                "{name}.id: statement id {} appears more than once in this batch",
                statement.id
            )));
        }
        prepared.push(statement);
    }
    check_no_excess(parts, &used_parts)?;
    Ok(prepared)
}

/// PUT's statementId names the statement; a body id, if any, must agree.
fn bind_put_id(item: &mut Value, id: &str) -> Result<(), Error> {
    let Value::Object(map) = item else {
        return Ok(()); // validation reports the shape
    };
    match map.get("id").and_then(Value::as_str) {
        Some(body_id) if !body_id.eq_ignore_ascii_case(id) => Err(Error::BadRequest(format!(
            "$.id {body_id:?} differs from the statementId parameter {id:?}"
        ))),
        Some(_) => Ok(()),
        None => {
            map.insert("id".into(), Value::String(id.to_owned()));
            Ok(())
        }
    }
}

pub fn require_uuid(name: &str, value: Option<&str>) -> Result<String, Error> {
    match value {
        Some(id) if is_uuid(id) => Ok(id.to_ascii_lowercase()),
        Some(id) => Err(Error::BadRequest(format!(
            "parameter `{name}` must be a UUID, got {id:?}"
        ))),
        None => Err(Error::BadRequest(format!("parameter `{name}` is required"))),
    }
}

/// One statement by id: `voided` false for statementId, true for voidedStatementId.
/// Returns its JSON text in `format` and its `stored`.
pub async fn fetch_one(
    db: &Db,
    id: &str,
    voided: bool,
    visibility: &Visibility,
    format: Format,
    languages: &[String],
) -> Result<(String, i64), Error> {
    let found = read::find_by_id(&db.conn, id, visibility)
        .await?
        .filter(|s| s.voided == voided)
        .ok_or_else(|| {
            let which = if voided {
                "voided statement"
            } else {
                "statement"
            };
            Error::NotFound(format!("no {which} with id {id}"))
        })?;
    let stored_us = found.position.stored_us;
    Ok((
        render_text(found.text, format, languages).map_err(Error::Internal)?,
        stored_us,
    ))
}

/// How the next page's link is made: its path, and the key sealing it for its holder.
pub struct MoreLink<'a> {
    pub base: &'a str,
    pub key: &'a CursorKey,
    /// The credential key the cursor is bound to.
    pub holder: &'a str,
}

/// A page of a query plus the cursor of the next page, if any.
pub struct Page {
    /// The StatementResult as JSON text.
    pub result: String,
    pub last_stored_us: Option<i64>,
}

pub async fn fetch_page(
    db: &Db,
    filter: StatementFilter,
    after: Option<Position>,
    limit: u32,
    format: Format,
    languages: &[String],
    more: &MoreLink<'_>,
) -> Result<Page, Error> {
    let mut rows: Vec<StoredStatement> =
        read::find_page(&db.conn, &filter, after, u64::from(limit) + 1).await?;
    let more = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|last| {
            let cursor = Cursor {
                filter: filter.clone(),
                after: last.position,
                limit,
                format,
            };
            format!("{}?more={}", more.base, more.key.seal(&cursor, more.holder))
        })
    } else {
        None
    };
    let last_stored_us = rows.iter().map(|r| r.position.stored_us).max();
    // The stored texts are joined as they are (for `exact`, not parsed at all): building
    // `Value`s would cost ~80 µs a statement and could only lose number texts.
    let statements = rows
        .into_iter()
        .map(|row| render_text(row.text, format, languages))
        .collect::<Result<Vec<String>, String>>()
        .map_err(Error::Internal)?;
    Ok(Page {
        result: statement_result(
            statements.iter().map(String::as_str),
            more.as_deref().unwrap_or_default(),
        ),
        last_stored_us,
    })
}

/// The multipart answer of `attachments=true`: the JSON text as it is, then every
/// attachment of the statements in it whose bytes are stored here.
pub async fn with_attachments(db: &Db, body: &str, boundary: &str) -> Result<Vec<u8>, Error> {
    // Parsed only to find the attachments; the part itself is the text unchanged.
    let parsed = parse_stored(body).map_err(|e| Error::Internal(format!("response: {e}")))?;
    let statements: Vec<&Value> = match parsed.get("statements").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None => vec![&parsed],
    };
    let stored = attachment_store::load_for(&db.conn, &statements).await?;
    let mut parts = vec![Part {
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }];
    parts.extend(stored.into_iter().map(|a| Part {
        headers: vec![
            ("Content-Type".into(), a.content_type),
            ("Content-Transfer-Encoding".into(), "binary".into()),
            ("X-Experience-API-Hash".into(), a.sha2),
        ],
        body: a.content,
    }));
    Ok(multipart::write(&parts, boundary))
}
