//! Whether a re-sent statement is the one already stored (then the write is a no-op)
//! or a different one under the same id (409 Conflict).
//! Spec: xAPI-Data 2.3.1 (Statement Comparison Requirements).

use serde_json::Value;

/// Properties the LRS sets or may change; they do not make two statements differ.
const LRS_OWNED: [&str; 4] = ["stored", "authority", "version", "timestamp"];

/// Compares two prepared statements, ignoring LRS-owned properties and key order.
/// Timestamps count only when the client sent one.
pub fn same_statement(stored: &Value, incoming: &Value, timestamp_given: bool) -> bool {
    let (Value::Object(a), Value::Object(b)) = (stored, incoming) else {
        return stored == incoming;
    };
    let relevant = |map: &serde_json::Map<String, Value>| {
        map.iter()
            .filter(|(k, _)| !LRS_OWNED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<serde_json::Map<_, _>>()
    };
    relevant(a) == relevant(b) && (!timestamp_given || timestamps_agree(stored, incoming))
}

/// Timestamps count only when both sides carry one that denotes a different instant.
fn timestamps_agree(a: &Value, b: &Value) -> bool {
    let instant = |v: &Value| {
        v.get("timestamp")
            .and_then(Value::as_str)
            .and_then(|t| crate::xapi::validate::time::parse_timestamp(t).ok())
    };
    match (instant(a), instant(b)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lrs_owned_properties_are_ignored() {
        let a = json!({"id": "x", "verb": {"id": "http://v"}, "stored": "2020-01-01T00:00:00Z"});
        let b = json!({"id": "x", "verb": {"id": "http://v"}, "stored": "2021-01-01T00:00:00Z"});
        assert!(same_statement(&a, &b, true));
    }

    #[test]
    fn different_content_is_different() {
        let a = json!({"id": "x", "verb": {"id": "http://v"}});
        let b = json!({"id": "x", "verb": {"id": "http://w"}});
        assert!(!same_statement(&a, &b, true));
    }

    #[test]
    fn equal_instants_in_other_offsets_are_the_same() {
        let a = json!({"id": "x", "timestamp": "2020-01-01T01:00:00+01:00"});
        let b = json!({"id": "x", "timestamp": "2020-01-01T00:00:00Z"});
        assert!(same_statement(&a, &b, true));
    }
}
