//! Whether a re-sent statement is the one already stored (then the write is a no-op)
//! or a different one under the same id (409 Conflict).
//! Spec: xAPI-Data 2.3.1 (Statement Comparison Requirements).

use serde_json::{Map, Number, Value};

/// Properties the LRS sets or may change; they do not make two statements differ.
const LRS_OWNED: [&str; 4] = ["stored", "authority", "version", "timestamp"];

/// Compares two prepared statements, ignoring LRS-owned properties and key order.
/// Timestamps count only when the client sent one.
pub fn same_statement(stored: &Value, incoming: &Value, timestamp_given: bool) -> bool {
    let (Value::Object(a), Value::Object(b)) = (stored, incoming) else {
        return same_value(stored, incoming);
    };
    let relevant = |map: &Map<String, Value>| {
        map.iter()
            .filter(|(k, _)| !LRS_OWNED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Map<_, _>>()
    };
    same_value(&Value::Object(relevant(a)), &Value::Object(relevant(b)))
        && (!timestamp_given || timestamps_agree(stored, incoming))
}

/// JSON equality where numbers compare by value: numbers keep the text they were sent
/// with (serde_json's `arbitrary_precision`), and `1.0`, `1` and `10e-1` are one
/// number. 2.3.1 lists what may differ; a number's spelling is not part of its value
/// (RFC 8259 section 6), and a client re-sending a statement through another JSON
/// library must not get 409 for `1.0` turned into `1`.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => decimal(x) == decimal(y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| same_value(x, y)))
        }
        _ => a == b,
    }
}

/// A JSON number as (negative, significant digits, exponent) with no leading or
/// trailing zeros, so equal values have equal forms exactly, however long.
fn decimal(number: &Number) -> (bool, String, i128) {
    let text = number.to_string();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => match e.parse::<i128>() {
            Ok(e) => (m.to_owned(), e),
            // An exponent past i128: equal only to the same text.
            Err(_) => return (false, text, i128::MIN),
        },
        None => (text, 0),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches('-');
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    let significant = digits.trim_end_matches('0');
    if significant.is_empty() {
        return (false, String::new(), 0);
    }
    let exponent = exponent - fraction.len() as i128 + (digits.len() - significant.len()) as i128;
    (negative, significant.to_owned(), exponent)
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
    fn numbers_compare_by_value_not_by_text() {
        let same = |a: &str, b: &str| {
            same_value(
                &serde_json::from_str(a).unwrap(),
                &serde_json::from_str(b).unwrap(),
            )
        };
        assert!(same("1", "1.0"));
        assert!(same("[1.5]", "[15e-1]"));
        assert!(same("{\"n\": 0}", "{\"n\": -0.0}"));
        assert!(same("100", "1E2"));
        assert!(!same("18446744073709551616", "18446744073709551617"));
        assert!(!same(
            "0.1000000000000000055511151231257827",
            "0.1000000000000000055511151231257826"
        ));
        assert!(!same("{\"a\": 1}", "{\"a\": 1, \"b\": 1}"));
        assert!(!same("-1", "1"));
        let huge = "1e9999999999999999999999999999999999999999";
        assert!(same(huge, huge));
        assert!(!same(huge, "1"));
    }

    #[test]
    fn equal_instants_in_other_offsets_are_the_same() {
        let a = json!({"id": "x", "timestamp": "2020-01-01T01:00:00+01:00"});
        let b = json!({"id": "x", "timestamp": "2020-01-01T00:00:00Z"});
        assert!(same_statement(&a, &b, true));
    }
}
