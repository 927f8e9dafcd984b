//! Turns a raw statement into what is stored: validated, then completed with the
//! properties the LRS owns (`id`, `stored`, `timestamp`, `authority`, `version`).
//! Spec: xAPI-Data 2.4.1, 2.4.7–2.4.10; 1.0.3 "Statement Properties set by the LRS".

use serde_json::{Map, Value};

use super::index::{IndexKey, extract_keys};
use crate::xapi::validate::time::{format_utc, parse_timestamp};
use crate::xapi::validate::{JsonPath, VOIDED_VERB, ValidationError, statement};
use crate::xapi::version::XapiVersion;

/// A validated statement, ready for the store.
#[derive(Debug, Clone)]
pub struct PreparedStatement {
    /// Lower-case UUID.
    pub id: String,
    pub payload: Value,
    pub keys: Vec<IndexKey>,
    /// Target of a voiding statement.
    pub voids_id: Option<String>,
    /// Target of a StatementRef object (filters follow it).
    pub object_ref_id: Option<String>,
    /// Whether the client sent a timestamp (else it is a copy of `stored`).
    pub timestamp_given: bool,
}

/// What the LRS adds to every statement of one request.
pub struct WriteContext<'a> {
    pub version: XapiVersion,
    pub stored: jiff::Timestamp,
    pub authority: &'a Value,
}

/// Validates `raw` and completes it. `id_from_url` is the `statementId` of a PUT.
pub fn prepare(
    raw: Value,
    path: &JsonPath<'_>,
    ctx: &WriteContext<'_>,
) -> Result<PreparedStatement, ValidationError> {
    statement(&raw, path, ctx.version)?;
    let Value::Object(mut map) = raw else {
        return Err(ValidationError::new(path, "must be a JSON object"));
    };
    let id = match map.get("id").and_then(Value::as_str) {
        Some(id) => id.to_ascii_lowercase(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    map.insert("id".into(), Value::String(id.clone()));
    let timestamp_given = map.contains_key("timestamp");
    let stored = format_utc(ctx.stored);
    complete_timestamp(&mut map, &stored, ctx.version);
    map.insert("stored".into(), Value::String(stored));
    map.insert("authority".into(), ctx.authority.clone());
    map.entry("version")
        .or_insert_with(|| Value::String(ctx.version.default_statement_version().into()));
    normalize_context_activities(&mut map);
    if let Some(Value::Object(sub)) = map.get_mut("object")
        && sub.get("objectType").and_then(Value::as_str) == Some("SubStatement")
    {
        normalize_context_activities(sub);
    }
    let payload = Value::Object(map);
    let object_ref_id = statement_ref_target(&payload);
    let voids_id = object_ref_id
        .clone()
        .filter(|_| payload.pointer("/verb/id").and_then(Value::as_str) == Some(VOIDED_VERB));
    Ok(PreparedStatement {
        keys: extract_keys(&payload),
        id,
        payload,
        voids_id,
        object_ref_id,
        timestamp_given,
    })
}

/// Without a timestamp, the statement happened when it was stored. xAPI 2.0 stores
/// timestamps in UTC.
fn complete_timestamp(map: &mut Map<String, Value>, stored: &str, version: XapiVersion) {
    let converted = match (version, map.get("timestamp").and_then(Value::as_str)) {
        (_, None) => Some(stored.to_owned()),
        (XapiVersion::V2_0, Some(given)) => parse_timestamp(given).ok().map(format_utc),
        (XapiVersion::V1_0, Some(_)) => None,
    };
    if let Some(timestamp) = converted {
        map.insert("timestamp".into(), Value::String(timestamp));
    }
}

/// A single context activity is stored as a one-element array (the canonical form).
fn normalize_context_activities(map: &mut Map<String, Value>) {
    let Some(Value::Object(activities)) = map
        .get_mut("context")
        .and_then(|context| context.get_mut("contextActivities"))
    else {
        return;
    };
    for list in activities.values_mut() {
        if list.is_object() {
            *list = Value::Array(vec![list.take()]);
        }
    }
}

fn statement_ref_target(payload: &Value) -> Option<String> {
    let object = payload.get("object")?;
    (object.get("objectType")?.as_str()? == "StatementRef")
        .then(|| object.get("id")?.as_str().map(str::to_ascii_lowercase))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx(version: XapiVersion, authority: &Value) -> WriteContext<'_> {
        WriteContext {
            version,
            stored: parse_timestamp("2026-01-02T03:04:05.678Z").unwrap(),
            authority,
        }
    }

    fn minimal() -> Value {
        json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.com/v"},
               "object": {"id": "http://x.com/a"}})
    }

    #[test]
    fn lrs_properties_are_filled_in() {
        let authority = json!({"mbox": "mailto:lrs@x.com"});
        let prepared = prepare(
            minimal(),
            &JsonPath::root("$"),
            &ctx(XapiVersion::V1_0, &authority),
        )
        .unwrap();
        let p = &prepared.payload;
        assert_eq!(p["stored"], "2026-01-02T03:04:05.678Z");
        assert_eq!(p["timestamp"], p["stored"]);
        assert_eq!(p["authority"], authority);
        assert_eq!(p["version"], "1.0.0");
        assert_eq!(p["id"].as_str().unwrap(), prepared.id);
    }

    #[test]
    fn xapi_2_timestamps_are_converted_to_utc() {
        let mut raw = minimal();
        raw["timestamp"] = json!("2026-01-02T05:00:00+02:00");
        let authority = json!({"mbox": "mailto:lrs@x.com"});
        let prepared = prepare(
            raw,
            &JsonPath::root("$"),
            &ctx(XapiVersion::V2_0, &authority),
        )
        .unwrap();
        assert_eq!(prepared.payload["timestamp"], "2026-01-02T03:00:00.000Z");
    }

    #[test]
    fn single_context_activity_becomes_an_array() {
        let mut raw = minimal();
        raw["context"] = json!({"contextActivities": {"parent": {"id": "http://x.com/p"}}});
        let authority = json!({"mbox": "mailto:lrs@x.com"});
        let prepared = prepare(
            raw,
            &JsonPath::root("$"),
            &ctx(XapiVersion::V1_0, &authority),
        )
        .unwrap();
        assert!(prepared.payload["context"]["contextActivities"]["parent"].is_array());
    }

    #[test]
    fn voiding_statement_names_its_target() {
        let raw = json!({"actor": {"mbox": "mailto:a@b.c"},
            "verb": {"id": VOIDED_VERB},
            "object": {"objectType": "StatementRef", "id": "FD41C918-B88B-4B20-A0A5-A4C32391AAA0"}});
        let authority = json!({"mbox": "mailto:lrs@x.com"});
        let prepared = prepare(
            raw,
            &JsonPath::root("$"),
            &ctx(XapiVersion::V1_0, &authority),
        )
        .unwrap();
        assert_eq!(
            prepared.voids_id.as_deref(),
            Some("fd41c918-b88b-4b20-a0a5-a4c32391aaa0")
        );
    }
}
