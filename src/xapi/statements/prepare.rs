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
    /// `payload` as JSON text, serialised on the request's task while it validates, so
    /// the writer (one at a time on SQLite) only splices in the properties it stamps.
    /// Lacks `stored` (and `timestamp`, when not given).
    unstamped: String,
    /// The stored JSON text: `unstamped` plus the stamped properties. Empty until
    /// [`Self::stamp`].
    pub text: String,
    pub keys: Vec<IndexKey>,
    /// Target of a voiding statement.
    pub voids_id: Option<String>,
    /// Target of a StatementRef object (filters follow it).
    pub object_ref_id: Option<String>,
    /// Whether the client sent a timestamp (else it is a copy of `stored`).
    pub timestamp_given: bool,
    /// Whether the client sent the id (else the LRS made one; cmi5 §9.1 asks AUs for it).
    pub id_given: bool,
    /// The credential that sent it (statements/read/mine matches on this).
    pub credential_id: i64,
}

impl PreparedStatement {
    /// Sets `stored`, and `timestamp` when the client gave none: the statement happened
    /// when it was stored. Called by the writer just before the statement is inserted,
    /// so `stored` follows commit order.
    pub fn stamp(&mut self, stored: jiff::Timestamp) {
        let formatted = format_utc(stored);
        let mut stamped = vec![("stored", formatted.as_str())];
        if !self.timestamp_given {
            stamped.push(("timestamp", formatted.as_str()));
        }
        // Stamped once, by the writer; the unstamped copy is not needed after.
        self.text = splice(&std::mem::take(&mut self.unstamped), &stamped);
        if let Value::Object(map) = &mut self.payload {
            for (name, value) in stamped {
                map.insert(name.into(), Value::String(value.to_owned()));
            }
        }
    }
}

/// What the LRS adds to every statement of one request.
pub struct WriteContext<'a> {
    pub version: XapiVersion,
    pub authority: &'a Value,
    pub credential_id: i64,
}

/// Validates `raw` and completes it, all but `stored` (see [`PreparedStatement::stamp`]).
pub fn prepare(
    raw: Value,
    path: &JsonPath<'_>,
    ctx: &WriteContext<'_>,
) -> Result<PreparedStatement, ValidationError> {
    statement(&raw, path, ctx.version)?;
    let Value::Object(mut map) = raw else {
        return Err(ValidationError::new(path, "must be a JSON object"));
    };
    let id_given = map.get("id").is_some_and(Value::is_string);
    let id = match map.get("id").and_then(Value::as_str) {
        Some(id) => id.to_ascii_lowercase(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    map.insert("id".into(), Value::String(id.clone()));
    let timestamp_given = map.contains_key("timestamp");
    if timestamp_given && ctx.version == XapiVersion::V2_0 {
        utc_timestamp(&mut map);
    }
    // The writer stamps `stored` (see [`PreparedStatement::stamp`]); a client's is ignored.
    map.remove("stored");
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
    let unstamped = payload.to_string();
    let object_ref_id = statement_ref_target(&payload);
    let voids_id = object_ref_id
        .clone()
        .filter(|_| payload.pointer("/verb/id").and_then(Value::as_str) == Some(VOIDED_VERB));
    Ok(PreparedStatement {
        keys: extract_keys(&payload),
        id,
        payload,
        unstamped,
        text: String::new(),
        voids_id,
        object_ref_id,
        timestamp_given,
        id_given,
        credential_id: ctx.credential_id,
    })
}

/// Adds string properties at the front of a serialised JSON object. The names are
/// ours and absent from `object` (prepare never keeps a client's `stored`).
fn splice(object: &str, properties: &[(&str, &str)]) -> String {
    let body = object.strip_prefix('{').unwrap_or(object);
    let mut out = String::with_capacity(object.len() + 64 * properties.len());
    out.push('{');
    for (name, value) in properties {
        // Names and RFC 3339 times have nothing JSON would escape; to_string quotes anyway.
        out.push_str(&Value::String((*name).to_owned()).to_string());
        out.push(':');
        out.push_str(&Value::String((*value).to_owned()).to_string());
        out.push(',');
    }
    if body == "}" {
        out.pop();
    }
    out.push_str(body);
    out
}

/// xAPI 2.0 stores timestamps in UTC.
fn utc_timestamp(map: &mut Map<String, Value>) {
    let converted = map
        .get("timestamp")
        .and_then(Value::as_str)
        .and_then(|given| parse_timestamp(given).ok())
        .map(format_utc);
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
            authority,
            credential_id: 7,
        }
    }

    fn minimal() -> Value {
        json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.com/v"},
               "object": {"id": "http://x.com/a"}})
    }

    const STORED: &str = "2026-01-02T03:04:05.678Z";

    /// `raw` prepared under xAPI 1.0.3, then stamped with [`STORED`].
    fn prepared_and_stamped(raw: Value) -> PreparedStatement {
        let authority = json!({"mbox": "mailto:lrs@x.com"});
        let mut prepared = prepare(
            raw,
            &JsonPath::root("$"),
            &ctx(XapiVersion::V1_0, &authority),
        )
        .unwrap();
        prepared.stamp(parse_timestamp(STORED).unwrap());
        prepared
    }

    #[test]
    fn lrs_properties_are_filled_in() {
        let authority = json!({"mbox": "mailto:lrs@x.com"});
        let mut prepared = prepare(
            minimal(),
            &JsonPath::root("$"),
            &ctx(XapiVersion::V1_0, &authority),
        )
        .unwrap();
        assert!(prepared.payload.get("stored").is_none());
        prepared.stamp(parse_timestamp("2026-01-02T03:04:05.678Z").unwrap());
        let p = &prepared.payload;
        assert_eq!(p["stored"], "2026-01-02T03:04:05.678Z");
        assert_eq!(p["timestamp"], p["stored"]);
        assert_eq!(p["authority"], authority);
        assert_eq!(p["version"], "1.0.0");
        assert_eq!(p["id"].as_str().unwrap(), prepared.id);
        assert_eq!(prepared.credential_id, 7);
    }

    #[test]
    fn a_given_timestamp_survives_the_stamp() {
        let mut raw = minimal();
        raw["timestamp"] = json!("2020-05-06T07:08:09Z");
        let prepared = prepared_and_stamped(raw);
        assert_eq!(prepared.payload["timestamp"], "2020-05-06T07:08:09Z");
        assert_eq!(prepared.payload["stored"], STORED);
    }

    #[test]
    fn the_stored_text_is_the_stamped_payload() {
        for timestamp in [None, Some("2020-05-06T07:08:09Z")] {
            let mut raw = minimal();
            // A client's `stored` is the LRS's to set: it must not survive in the text.
            raw["stored"] = json!("1999-01-01T00:00:00Z");
            if let Some(t) = timestamp {
                raw["timestamp"] = json!(t);
            }
            let prepared = prepared_and_stamped(raw);
            let text: Value = serde_json::from_str(&prepared.text).unwrap();
            assert_eq!(text, prepared.payload);
            assert_eq!(text["stored"], STORED);
            assert_eq!(prepared.text.matches("\"stored\"").count(), 1);
            assert_eq!(prepared.text.matches("\"timestamp\"").count(), 1);
        }
    }

    #[test]
    fn splicing_into_an_empty_object_makes_valid_json() {
        let text = splice("{}", &[("stored", STORED)]);
        assert_eq!(text, format!(r#"{{"stored":"{STORED}"}}"#));
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
