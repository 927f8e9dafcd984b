//! Statements and sub-statements: required parts, object types, verbs, attachments.
//! Spec: xAPI-Data 2.4 (Statement properties), 2.4.4.3 (SubStatements), 2.4.11.

use serde_json::Value;

use super::activity::activity;
use super::agent::{agent_or_group, group};
use super::context::context;
use super::error::{Check, ValidationError};
use super::json::{array, object, required, string};
use super::path::JsonPath;
use super::primitives::{extensions, iri, language_map, media_type, statement_ref, uuid};
use super::result::result;
use super::time::timestamp;
use crate::xapi::version::XapiVersion;

pub const VOIDED_VERB: &str = "http://adlnet.gov/expapi/verbs/voided";

const STATEMENT_KEYS: [&str; 11] = [
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
];

const SUB_STATEMENT_KEYS: [&str; 8] = [
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
];

/// Checks one statement against every rule of the data model for `version`.
pub fn statement(value: &Value, path: &JsonPath<'_>, version: XapiVersion) -> Check {
    let map = object(value, path, &STATEMENT_KEYS)?;
    if let Some(id) = map.get("id") {
        uuid(id, &path.key("id"))?;
    }
    let object_value = body(map, path, version, false)?;
    if let Some(stored) = map.get("stored") {
        timestamp(stored, &path.key("stored"))?;
    }
    if let Some(value) = map.get("authority") {
        authority(value, &path.key("authority"))?;
    }
    if let Some(declared) = map.get("version") {
        statement_version(declared, &path.key("version"), version)?;
    }
    let verb_id = map.get("verb").and_then(|verb| verb.get("id"));
    if verb_id.and_then(Value::as_str) == Some(VOIDED_VERB)
        && object_value.get("objectType").and_then(Value::as_str) != Some("StatementRef")
    {
        return Err(ValidationError::new(
            &path.key("object"),
            "a voiding statement's object must be a StatementRef",
        ));
    }
    Ok(())
}

/// The parts statements and sub-statements share; returns the object.
fn body<'v>(
    map: &'v serde_json::Map<String, Value>,
    path: &JsonPath<'_>,
    version: XapiVersion,
    nested: bool,
) -> Result<&'v Value, ValidationError> {
    agent_or_group(required(map, "actor", path)?, &path.key("actor"))?;
    verb(required(map, "verb", path)?, &path.key("verb"))?;
    let object_value = required(map, "object", path)?;
    statement_object(object_value, &path.key("object"), version, nested)?;
    if let Some(outcome) = map.get("result") {
        result(outcome, &path.key("result"))?;
    }
    if let Some(ctx) = map.get("context") {
        let object_is_activity = matches!(
            object_value.get("objectType").and_then(Value::as_str),
            None | Some("Activity")
        );
        context(ctx, &path.key("context"), version, object_is_activity)?;
    }
    if let Some(ts) = map.get("timestamp") {
        timestamp(ts, &path.key("timestamp"))?;
    }
    if let Some(list) = map.get("attachments") {
        attachments(list, &path.key("attachments"))?;
    }
    Ok(object_value)
}

/// An Agent, or (OAuth) an anonymous Group of exactly two Agents.
/// Spec: xAPI-Data 2.4.9 (Authority).
fn authority(value: &Value, path: &JsonPath<'_>) -> Check {
    agent_or_group(value, path)?;
    if value.get("objectType").and_then(Value::as_str) != Some("Group") {
        return Ok(());
    }
    let identified = ["mbox", "mbox_sha1sum", "openid", "account"]
        .iter()
        .any(|ifi| value.get(ifi).is_some());
    let members = value
        .get("member")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if identified || members != 2 {
        return Err(ValidationError::new(
            path,
            "a Group authority must be anonymous with exactly two members (client and user)",
        ));
    }
    Ok(())
}

fn verb(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &["id", "display"])?;
    iri(required(map, "id", path)?, &path.key("id"))?;
    if let Some(display) = map.get("display") {
        language_map(display, &path.key("display"))?;
    }
    Ok(())
}

fn statement_object(
    value: &Value,
    path: &JsonPath<'_>,
    version: XapiVersion,
    nested: bool,
) -> Check {
    if !value.is_object() {
        return Err(ValidationError::new(path, "must be a JSON object"));
    }
    match value.get("objectType").map(|kind| (kind, kind.as_str())) {
        None | Some((_, Some("Activity"))) => activity(value, path),
        Some((_, Some("Agent"))) => agent_or_group(value, path),
        Some((_, Some("Group"))) => group(value, path),
        Some((_, Some("StatementRef"))) => statement_ref(value, path),
        Some((_, Some("SubStatement"))) if nested => Err(ValidationError::new(
            &path.key("objectType"),
            "a SubStatement cannot contain another SubStatement",
        )),
        Some((_, Some("SubStatement"))) => sub_statement(value, path, version),
        Some((kind, _)) => Err(ValidationError::new(
            &path.key("objectType"),
            format!("must be Activity, Agent, Group, StatementRef or SubStatement, got {kind}"),
        )),
    }
}

fn sub_statement(value: &Value, path: &JsonPath<'_>, version: XapiVersion) -> Check {
    let map = object(value, path, &SUB_STATEMENT_KEYS)?;
    body(map, path, version, true).map(|_| ())
}

/// `version` on a statement: 1.0.x, plus 2.0.x when the request speaks 2.0.
fn statement_version(value: &Value, path: &JsonPath<'_>, request: XapiVersion) -> Check {
    let text = string(value, path)?;
    if XapiVersion::statement_version_allowed(text, request) {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            format!(
                "{text:?} is not a supported xAPI version ({})",
                request.allowed_statement_versions()
            ),
        ))
    }
}

const ATTACHMENT_KEYS: [&str; 7] = [
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
];

fn attachments(value: &Value, path: &JsonPath<'_>) -> Check {
    for (i, item) in array(value, path)?.iter().enumerate() {
        let item_path = path.index(i);
        let map = object(item, &item_path, &ATTACHMENT_KEYS)?;
        iri(
            required(map, "usageType", &item_path)?,
            &item_path.key("usageType"),
        )?;
        language_map(
            required(map, "display", &item_path)?,
            &item_path.key("display"),
        )?;
        if let Some(description) = map.get("description") {
            language_map(description, &item_path.key("description"))?;
        }
        media_type(
            required(map, "contentType", &item_path)?,
            &item_path.key("contentType"),
        )?;
        let length = required(map, "length", &item_path)?;
        if !length.is_u64() {
            return Err(ValidationError::new(
                &item_path.key("length"),
                "must be a non-negative integer (bytes)",
            ));
        }
        string(required(map, "sha2", &item_path)?, &item_path.key("sha2"))?;
        if let Some(url) = map.get("fileUrl") {
            iri(url, &item_path.key("fileUrl"))?;
        }
    }
    Ok(())
}

/// Used by context and result validation for their `extensions`.
pub fn optional_extensions(map: &serde_json::Map<String, Value>, path: &JsonPath<'_>) -> Check {
    match map.get("extensions") {
        Some(ext) => extensions(ext, &path.key("extensions")),
        None => Ok(()),
    }
}
