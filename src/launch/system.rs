//! Statements the server itself makes as the LMS (launched, abandoned, satisfied),
//! stored in the caller's transaction so they commit or vanish with what caused them.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::token::LAUNCH_CREDENTIAL_ID;
use super::vocab;
use crate::error::Error;
use crate::xapi::statements::prepare::{PreparedStatement, WriteContext, prepare};
use crate::xapi::statements::write::insert_statements;
use crate::xapi::validate::JsonPath;
use crate::xapi::version::XapiVersion;

/// Validates and stores LMS statements; `stored` is the request's `stored` time.
pub async fn insert(
    conn: &impl ConnectionTrait,
    statements: Vec<Value>,
    stored: jiff::Timestamp,
    authority: &Value,
) -> Result<(), Error> {
    if statements.is_empty() {
        return Ok(());
    }
    let ctx = WriteContext {
        version: XapiVersion::V1_0,
        authority,
        credential_id: LAUNCH_CREDENTIAL_ID,
    };
    let mut prepared = statements
        .into_iter()
        .map(|s| prepare(s, &JsonPath::root("$"), &ctx))
        .collect::<Result<Vec<PreparedStatement>, _>>()
        .map_err(|e| Error::Internal(format!("an LMS statement failed validation: {e}")))?;
    for statement in &mut prepared {
        statement.stamp(stored);
    }
    insert_statements(conn, &prepared, stored.as_microsecond()).await?;
    Ok(())
}

/// The common shape of an LMS-issued cmi5 statement about `object_id`.
pub fn lms_statement(
    actor: &Value,
    verb: &str,
    object: Value,
    registration: &str,
    session_id: &str,
    extra_extensions: Vec<(&str, Value)>,
) -> Value {
    let mut extensions = serde_json::Map::new();
    extensions.insert(vocab::EXT_SESSION_ID.into(), json!(session_id));
    for (key, value) in extra_extensions {
        extensions.insert(key.into(), value);
    }
    let display = verb.rsplit('/').next().unwrap_or(verb);
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "actor": actor,
        "verb": {"id": verb, "display": {"en-US": display}},
        "object": object,
        "context": {
            "registration": registration,
            "contextActivities": {
                "category": [{"objectType": "Activity", "id": vocab::CATEGORY_CMI5}],
            },
            "extensions": extensions,
        },
        "timestamp": jiff::Timestamp::now().to_string(),
    })
}

/// An Activity object with an optional type, as used for AUs, blocks and courses.
pub fn activity(id: &str, activity_type: Option<&str>) -> Value {
    match activity_type {
        Some(ty) => json!({"objectType": "Activity", "id": id, "definition": {"type": ty}}),
        None => json!({"objectType": "Activity", "id": id}),
    }
}
