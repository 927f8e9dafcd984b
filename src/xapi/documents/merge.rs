//! POST on a document: JSON objects are merged key by key, the posted value winning.
//! Spec: xAPI-Communication 2.2 (JSON Procedure with Requirements).

use serde_json::{Map, Value};

use crate::error::Error;
use crate::xapi::validate::parse_unique;

/// Whether a content type is JSON (`application/json`, any parameters).
pub fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses a body declared as JSON; merging needs an object. Numbers keep their text,
/// and an object naming a property twice is refused: which value would be merged?
pub fn json_object(bytes: &[u8], what: &str) -> Result<Map<String, Value>, Error> {
    match parse_unique(bytes, "$") {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::BadRequest(format!(
            "{what} must be a JSON object to be merged"
        ))),
        Err(e) => Err(Error::BadRequest(format!("{what} is not valid JSON: {e}"))),
    }
}

/// The stored object with the posted object's top-level properties written over it.
pub fn merge(mut stored: Map<String, Value>, posted: Map<String, Value>) -> Vec<u8> {
    stored.extend(posted);
    Value::Object(stored).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posted_keys_win_and_others_stay() {
        let stored = json_object(br#"{"a":1,"b":{"x":1}}"#, "stored").unwrap();
        let posted = json_object(br#"{"b":{"y":2},"c":3}"#, "posted").unwrap();
        let merged: Value = serde_json::from_slice(&merge(stored, posted)).unwrap();
        assert_eq!(merged, serde_json::json!({"a":1,"b":{"y":2},"c":3}));
    }

    #[test]
    fn arrays_and_invalid_json_cannot_be_merged() {
        assert!(json_object(b"[1]", "posted").is_err());
        assert!(json_object(b"{", "posted").is_err());
    }

    #[test]
    fn json_content_types_are_recognised_with_parameters() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("Application/JSON"));
        assert!(!is_json("text/plain"));
    }
}
