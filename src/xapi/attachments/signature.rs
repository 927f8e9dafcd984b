//! Signed statements: the JWS attachment must be well formed, use RS256/384/512,
//! verify against its `x5c` certificate when it carries one, and its payload must be
//! the statement itself.
//! Spec: xAPI-Data 2.6 (Signed Statements); IEEE 9274.1.1 4.2.7 (duration comparison).

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};

use super::der::certificate_public_key;
use crate::error::Error;
use crate::xapi::statements::compare::same_value;
use crate::xapi::validate::time::{format_utc, parse_timestamp};

pub const SIGNATURE_USAGE: &str = "http://adlnet.gov/expapi/attachments/signature";
pub const SIGNATURE_CONTENT_TYPE: &str = "application/octet-stream";

/// Checks the JWS `jws` signing `statement` (as sent, attachments included).
pub fn verify(jws: &[u8], statement: &Value, path: &str) -> Result<(), Error> {
    let bad = |why: &str| Error::BadRequest(format!("{path}: signature attachment: {why}"));
    let text = std::str::from_utf8(jws).map_err(|_| bad("the JWS is not text"))?;
    let mut segments = text.trim().split('.');
    let (Some(header_b64), Some(payload_b64), Some(sig_b64), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(bad(
            "not a JWS in compact serialization (three dot-separated parts)",
        ));
    };
    let decode = |part: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| bad(&format!("the {what} is not base64url")))
    };
    let header: Value = serde_json::from_slice(&decode(header_b64, "JWS header")?)
        .map_err(|_| bad("the JWS header is not JSON"))?;
    let algorithm: &'static dyn VerificationAlgorithm =
        match header.get("alg").and_then(Value::as_str) {
            Some("RS256") => &signature::RSA_PKCS1_2048_8192_SHA256,
            Some("RS384") => &signature::RSA_PKCS1_2048_8192_SHA384,
            Some("RS512") => &signature::RSA_PKCS1_2048_8192_SHA512,
            other => {
                return Err(bad(&format!(
                    "alg must be RS256, RS384 or RS512, got {}",
                    other.unwrap_or("nothing")
                )));
            }
        };
    let signature = decode(sig_b64, "JWS signature")?;
    if let Some(chain) = header.get("x5c") {
        let leaf = chain
            .as_array()
            .and_then(|certs| certs.first())
            .and_then(Value::as_str)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .ok_or_else(|| bad("x5c must be an array of base64 DER certificates"))?;
        let key = certificate_public_key(&leaf)
            .ok_or_else(|| bad("the first x5c certificate cannot be read"))?;
        let signed = format!("{header_b64}.{payload_b64}");
        UnparsedPublicKey::new(algorithm, key)
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| bad("the signature does not verify against the x5c certificate"))?;
    }
    let payload = crate::xapi::validate::parse_unique(&decode(payload_b64, "JWS payload")?, "$")
        .map_err(|_| bad("the JWS payload is not a JSON serialization of a statement"))?;
    if !same_value(&comparable(&payload, false), &comparable(statement, true)) {
        return Err(bad(
            "the JWS payload differs from the statement (compare the signed JSON with the \
             statement sent, without its attachments)",
        ));
    }
    Ok(())
}

/// What signing covers: the statement without `attachments` and without what the LRS
/// sets, timestamps as instants and durations to hundredths of a second.
fn comparable(statement: &Value, drop_attachments: bool) -> Value {
    let Value::Object(map) = statement else {
        return statement.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        match key.as_str() {
            "attachments" if drop_attachments => {}
            "stored" | "authority" | "version" => {}
            "timestamp" => {
                let normalised = value
                    .as_str()
                    .and_then(|t| parse_timestamp(t).ok())
                    .map_or_else(|| value.clone(), |ts| Value::String(format_utc(ts)));
                out.insert(key.clone(), normalised);
            }
            "result" => out
                .insert(key.clone(), truncate_duration(value))
                .map_or((), drop),
            "object" if value.get("objectType").and_then(Value::as_str) == Some("SubStatement") => {
                out.insert(key.clone(), comparable(value, false));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

fn truncate_duration(result: &Value) -> Value {
    let mut result = result.clone();
    if let Some(Value::String(duration)) = result.get_mut("duration") {
        *duration = hundredths(duration);
    }
    result
}

/// `PT1.2345S` → `PT1.23S`: digits past the hundredths do not count (xAPI 2.0).
fn hundredths(duration: &str) -> String {
    let Some(dot) = duration.find(['.', ',']) else {
        return duration.to_owned();
    };
    let digits_end = duration[dot + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(duration.len(), |i| dot + 1 + i);
    let kept = (dot + 3).min(digits_end);
    format!("{}{}", &duration[..kept], &duration[digits_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_compare_to_hundredths() {
        assert_eq!(hundredths("P1DT12H36M0.1237S"), "P1DT12H36M0.12S");
        assert_eq!(hundredths("PT0.1S"), "PT0.1S");
        assert_eq!(hundredths("PT5S"), "PT5S");
    }

    #[test]
    fn lrs_set_properties_and_attachments_do_not_count() {
        let signed = serde_json::json!({"verb": {"id": "http://v"}, "timestamp": "2020-01-01T01:00:00+01:00"});
        let sent = serde_json::json!({"verb": {"id": "http://v"}, "timestamp": "2020-01-01T00:00:00Z",
            "attachments": [], "stored": "x", "authority": {}});
        assert_eq!(comparable(&signed, false), comparable(&sent, true));
    }

    #[test]
    fn malformed_jws_and_unsupported_algorithms_are_refused() {
        let statement = serde_json::json!({});
        assert!(verify(b"not a jws", &statement, "$").is_err());
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
        let payload = URL_SAFE_NO_PAD.encode(b"{}");
        let jws = format!("{header}.{payload}.c2ln");
        let err = verify(jws.as_bytes(), &statement, "$").unwrap_err();
        assert!(err.to_string().contains("RS256"), "{err}");
    }
}
