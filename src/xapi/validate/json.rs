//! Shape checks on raw JSON values: objects with known keys, strings, booleans, numbers.

use serde_json::{Map, Value};

use super::error::{Check, ValidationError};
use super::path::JsonPath;

pub type Object = Map<String, Value>;

/// The value must be a JSON object whose keys are all in `allowed`.
pub fn object<'v>(
    value: &'v Value,
    path: &JsonPath<'_>,
    allowed: &[&str],
) -> Result<&'v Object, ValidationError> {
    let Value::Object(map) = value else {
        return Err(ValidationError::new(path, "must be a JSON object"));
    };
    if let Some(unknown) = map.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(ValidationError::new(
            &path.key(unknown),
            format!("unknown property; allowed here: {}", allowed.join(", ")),
        ));
    }
    Ok(map)
}

pub fn string<'v>(value: &'v Value, path: &JsonPath<'_>) -> Result<&'v str, ValidationError> {
    value
        .as_str()
        .ok_or_else(|| ValidationError::new(path, "must be a string"))
}

pub fn boolean(value: &Value, path: &JsonPath<'_>) -> Check {
    if value.is_boolean() {
        Ok(())
    } else {
        Err(ValidationError::new(path, "must be true or false"))
    }
}

/// A number the rules compare (scores): numbers keep their text, so `1e400` is a JSON
/// number that no double holds.
pub fn number(value: &Value, path: &JsonPath<'_>) -> Result<f64, ValidationError> {
    value.as_f64().ok_or_else(|| {
        let rule = if value.is_number() {
            "must be a number within the range of a 64-bit float"
        } else {
            "must be a number"
        };
        ValidationError::new(path, rule)
    })
}

pub fn array<'v>(value: &'v Value, path: &JsonPath<'_>) -> Result<&'v [Value], ValidationError> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| ValidationError::new(path, "must be an array"))
}

/// A required property.
pub fn required<'v>(
    map: &'v Object,
    key: &str,
    path: &JsonPath<'_>,
) -> Result<&'v Value, ValidationError> {
    map.get(key)
        .ok_or_else(|| ValidationError::new(path, format!("property `{key}` is required")))
}

/// `objectType`, when present, must be a string.
pub fn object_type<'v>(
    map: &'v Object,
    path: &JsonPath<'_>,
) -> Result<Option<&'v str>, ValidationError> {
    match map.get("objectType") {
        None => Ok(None),
        Some(value) => string(value, &path.key("objectType")).map(Some),
    }
}
