//! A statement write as received: the statement JSON plus, for `multipart/mixed`, the
//! attachment parts, each checked against its `X-Experience-API-Hash`; then every
//! declared attachment matched to a part (or a `fileUrl`) and every part to a
//! declaration.
//! Spec: xAPI-Communication 1.5.2 (multipart/mixed), xAPI-Data 2.4.11 (Attachments).

use std::collections::{HashMap, HashSet};

use aws_lc_rs::digest;
use serde_json::Value;

use super::multipart::{self, Part};
use super::signature::{self, SIGNATURE_CONTENT_TYPE, SIGNATURE_USAGE};
use crate::error::Error;

/// One attachment's bytes, keyed by SHA-256.
#[derive(Debug, Clone)]
pub struct AttachmentPart {
    pub sha2: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// The statement JSON and the attachment parts of one request.
pub struct StatementRequest {
    pub json: Value,
    pub parts: HashMap<String, AttachmentPart>,
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Reads the body of PUT/POST /statements by its content type; attachments larger than
/// `max_attachment` bytes are refused with 413.
pub fn read(
    content_type: Option<&str>,
    body: &[u8],
    max_attachment: usize,
) -> Result<StatementRequest, Error> {
    let Some(content_type) = content_type else {
        return Err(Error::BadRequest(
            "Content-Type is required: application/json, or multipart/mixed with attachments"
                .into(),
        ));
    };
    match essence(content_type).as_str() {
        "application/json" => Ok(StatementRequest {
            json: parse_json(body)?,
            parts: HashMap::new(),
        }),
        "multipart/mixed" => read_multipart(content_type, body, max_attachment),
        other => Err(Error::BadRequest(format!(
            "Content-Type must be application/json or multipart/mixed, got {other:?}"
        ))),
    }
}

fn parse_json(body: &[u8]) -> Result<Value, Error> {
    crate::xapi::validate::parse_unique(body, "$")
        .map_err(|e| Error::BadRequest(format!("the body is not valid JSON: {e}")))
}

fn read_multipart(
    content_type: &str,
    body: &[u8],
    max_attachment: usize,
) -> Result<StatementRequest, Error> {
    let boundary = multipart::boundary(content_type)?;
    let mut parts = multipart::parse(body, &boundary)?.into_iter();
    let first = parts
        .next()
        .ok_or_else(|| Error::BadRequest("multipart/mixed body has no parts".into()))?;
    match first.header("content-type").map(essence).as_deref() {
        Some("application/json") => {}
        other => {
            return Err(Error::BadRequest(format!(
                "the first part must be the statements as application/json, got Content-Type {}",
                other.unwrap_or("(none)")
            )));
        }
    }
    let json = parse_json(&first.body)?;
    let mut attachments = HashMap::new();
    for (i, part) in parts.enumerate() {
        if part.body.len() > max_attachment {
            return Err(Error::PayloadTooLarge(max_attachment));
        }
        let attachment = attachment_part(part, i + 2)?;
        attachments.insert(attachment.sha2.clone(), attachment);
    }
    Ok(StatementRequest {
        json,
        parts: attachments,
    })
}

fn attachment_part(part: Part, number: usize) -> Result<AttachmentPart, Error> {
    let bad = |why: String| Error::BadRequest(format!("multipart part {number}: {why}"));
    let sha2 = part
        .header("x-experience-api-hash")
        .ok_or_else(|| {
            bad("the X-Experience-API-Hash header (SHA-256 of the part) is required".into())
        })?
        .to_ascii_lowercase();
    match part.header("content-transfer-encoding") {
        Some(enc) if enc.eq_ignore_ascii_case("binary") => {}
        other => {
            return Err(bad(format!(
                "Content-Transfer-Encoding must be binary, got {}",
                other.unwrap_or("(none)")
            )));
        }
    }
    let content_type = part
        .header("content-type")
        .ok_or_else(|| bad("the Content-Type header is required".into()))?
        .to_owned();
    let actual = hex::encode(digest::digest(&digest::SHA256, &part.body));
    if actual != sha2 {
        return Err(bad(format!(
            "X-Experience-API-Hash is {sha2} but the part's SHA-256 is {actual}"
        )));
    }
    Ok(AttachmentPart {
        sha2,
        content_type,
        content: part.body,
    })
}

/// Matches declared attachments to parts, statement by statement. Returns the set of
/// part hashes the statements used.
pub fn check_statement(
    statement: &Value,
    parts: &HashMap<String, AttachmentPart>,
    path: &str,
    used: &mut HashSet<String>,
) -> Result<(), Error> {
    let Some(Value::Array(declared)) = statement.get("attachments") else {
        return Ok(());
    };
    for (i, attachment) in declared.iter().enumerate() {
        let at = format!("{path}.attachments[{i}]");
        let Some(sha2) = attachment.get("sha2").and_then(Value::as_str) else {
            continue; // statement validation reports it
        };
        let sha2 = sha2.to_ascii_lowercase();
        let usage = attachment.get("usageType").and_then(Value::as_str);
        match parts.get(&sha2) {
            Some(part) => {
                used.insert(sha2.clone());
                if usage == Some(SIGNATURE_USAGE) {
                    let declared_type = attachment.get("contentType").and_then(Value::as_str);
                    if declared_type != Some(SIGNATURE_CONTENT_TYPE) {
                        return Err(Error::BadRequest(format!(
                            "{at}.contentType: a signature attachment must be {SIGNATURE_CONTENT_TYPE}"
                        )));
                    }
                    signature::verify(&part.content, statement, path)?;
                }
            }
            None if attachment.get("fileUrl").is_some() && usage != Some(SIGNATURE_USAGE) => {}
            None => {
                return Err(Error::BadRequest(format!(
                    "{at}: no multipart part carries sha2 {sha2}; send the bytes as a part with \
                     X-Experience-API-Hash: {sha2}, or give a fileUrl"
                )));
            }
        }
    }
    Ok(())
}

/// Every part must belong to an attachment some statement declared.
pub fn check_no_excess(
    parts: &HashMap<String, AttachmentPart>,
    used: &HashSet<String>,
) -> Result<(), Error> {
    match parts.keys().find(|sha2| !used.contains(*sha2)) {
        Some(extra) => Err(Error::BadRequest(format!(
            "multipart part with X-Experience-API-Hash {extra} matches no attachment of the \
             statements"
        ))),
        None => Ok(()),
    }
}
