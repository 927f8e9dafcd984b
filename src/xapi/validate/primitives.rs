//! Value formats of the xAPI data model: IRIs, UUIDs, language maps, mailto IRIs,
//! SHA-1 sums, MIME types, extensions.
//! Spec: xAPI-Data 4.2 (value formats) and 1.0.3 Data appendix.

use iri_string::types::IriStr;
use serde_json::Value;

use super::error::{Check, ValidationError};
use super::json::{object, string};
use super::path::JsonPath;

/// An absolute IRI (RFC 3987): a scheme, then anything an IRI allows.
pub fn iri(value: &Value, path: &JsonPath<'_>) -> Check {
    let text = string(value, path)?;
    if is_absolute_iri(text) {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            format!("must be an absolute IRI such as http://example.com/x, got {text:?}"),
        ))
    }
}

pub fn is_absolute_iri(text: &str) -> bool {
    // A scheme followed by ':' and no white space; iri-string checks the rest.
    !text.is_empty() && !text.contains(char::is_whitespace) && IriStr::new(text).is_ok()
}

/// A UUID in the canonical 8-4-4-4-12 hexadecimal form (any version).
pub fn uuid(value: &Value, path: &JsonPath<'_>) -> Check {
    let text = string(value, path)?;
    if is_uuid(text) {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            format!("must be a UUID like 2f2e6a4c-1d3b-4c5e-8f7a-0b1c2d3e4f5a, got {text:?}"),
        ))
    }
}

pub fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A language map: keys are RFC 5646 tags, values strings.
pub fn language_map(value: &Value, path: &JsonPath<'_>) -> Check {
    let Value::Object(map) = value else {
        return Err(ValidationError::new(
            path,
            "must be a language map: an object from language tags to strings",
        ));
    };
    for (tag, text) in map {
        let entry = path.key(tag);
        if language_tags::LanguageTag::parse(tag).is_err() {
            return Err(ValidationError::new(
                &entry,
                format!("{tag:?} is not an RFC 5646 language tag (e.g. en-US)"),
            ));
        }
        string(text, &entry)?;
    }
    Ok(())
}

/// `mailto:` followed by an email address.
pub fn mbox(value: &Value, path: &JsonPath<'_>) -> Check {
    let text = string(value, path)?;
    let address = text.strip_prefix("mailto:").ok_or_else(|| {
        ValidationError::new(path, "must be a mailto IRI, e.g. mailto:ada@example.com")
    })?;
    match address.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.is_empty()
                && !address.contains(char::is_whitespace) =>
        {
            Ok(())
        }
        _ => Err(ValidationError::new(
            path,
            format!("{address:?} is not an email address"),
        )),
    }
}

/// The hex SHA-1 of a mailto IRI: 40 hexadecimal digits.
pub fn sha1sum(value: &Value, path: &JsonPath<'_>) -> Check {
    let text = string(value, path)?;
    if text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            "must be 40 hexadecimal digits (SHA-1 of the mailto IRI)",
        ))
    }
}

/// Extensions: an object whose keys are absolute IRIs, values any JSON.
pub fn extensions(value: &Value, path: &JsonPath<'_>) -> Check {
    let Value::Object(map) = value else {
        return Err(ValidationError::new(path, "must be a JSON object"));
    };
    for key in map.keys() {
        if !is_absolute_iri(key) {
            return Err(ValidationError::new(
                &path.key(key),
                "extension keys must be absolute IRIs",
            ));
        }
    }
    Ok(())
}

/// An Internet media type (RFC 2046): `type/subtype` with optional parameters.
pub fn media_type(value: &Value, path: &JsonPath<'_>) -> Check {
    let text = string(value, path)?;
    let essence = text.split(';').next().unwrap_or_default().trim();
    match essence.split_once('/') {
        Some((top, sub)) if is_token(top) && is_token(sub) => Ok(()),
        _ => Err(ValidationError::new(
            path,
            format!("{text:?} is not a media type such as text/plain"),
        )),
    }
}

fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
}

/// A StatementRef: `{"objectType": "StatementRef", "id": UUID}`.
pub fn statement_ref(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &["objectType", "id"])?;
    match map.get("objectType").and_then(Value::as_str) {
        Some("StatementRef") => {}
        _ => {
            return Err(ValidationError::new(
                &path.key("objectType"),
                "must be \"StatementRef\"",
            ));
        }
    }
    let id = map
        .get("id")
        .ok_or_else(|| ValidationError::new(path, "property `id` is required"))?;
    uuid(id, &path.key("id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root() -> JsonPath<'static> {
        JsonPath::root("$")
    }

    #[test]
    fn iri_rejects_relative_references() {
        assert!(iri(&json!("not a uri"), &root()).is_err());
        assert!(iri(&json!("/relative"), &root()).is_err());
        assert!(iri(&json!("http://example.com/verbs/x"), &root()).is_ok());
    }

    #[test]
    fn uuid_requires_canonical_hyphenated_form() {
        assert!(uuid(&json!("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"), &root()).is_ok());
        assert!(uuid(&json!("fd41c918b88b4b20a0a5a4c32391aaa0"), &root()).is_err());
        assert!(uuid(&json!("zd41c918-b88b-4b20-a0a5-a4c32391aaa0"), &root()).is_err());
    }

    #[test]
    fn language_map_rejects_invalid_tags_and_non_strings() {
        assert!(language_map(&json!({"en-US": "hi", "fr": "salut"}), &root()).is_ok());
        let err = language_map(&json!({"not a tag": "x"}), &root()).unwrap_err();
        assert_eq!(err.path, "$.not a tag");
        assert!(language_map(&json!({"en": 3}), &root()).is_err());
    }

    #[test]
    fn mbox_requires_mailto_and_an_address() {
        assert!(mbox(&json!("mailto:ada@example.com"), &root()).is_ok());
        assert!(mbox(&json!("ada@example.com"), &root()).is_err());
        assert!(mbox(&json!("mailto:ada"), &root()).is_err());
    }

    #[test]
    fn extensions_keys_must_be_iris() {
        assert!(extensions(&json!({"http://x.com/e": 1}), &root()).is_ok());
        assert!(extensions(&json!({"e": 1}), &root()).is_err());
    }

    #[test]
    fn media_type_needs_type_and_subtype() {
        assert!(media_type(&json!("application/json; charset=utf-8"), &root()).is_ok());
        assert!(media_type(&json!("json"), &root()).is_err());
    }
}
