//! The `result` of a statement: score, success, completion, response, duration.
//! Spec: xAPI-Data 2.4.5 (Result), 2.4.5.1 (Score).

use serde_json::Value;

use super::error::{Check, ValidationError};
use super::json::{boolean, number, object, string};
use super::path::JsonPath;
use super::statement::optional_extensions;
use super::time::duration;

pub fn result(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(
        value,
        path,
        &[
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        ],
    )?;
    if let Some(score_value) = map.get("score") {
        score(score_value, &path.key("score"))?;
    }
    for flag in ["success", "completion"] {
        if let Some(value) = map.get(flag) {
            boolean(value, &path.key(flag))?;
        }
    }
    if let Some(response) = map.get("response") {
        string(response, &path.key("response"))?;
    }
    if let Some(elapsed) = map.get("duration") {
        duration(elapsed, &path.key("duration"))?;
    }
    optional_extensions(map, path)
}

fn score(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &["scaled", "raw", "min", "max"])?;
    let field = |key: &str| -> Result<Option<f64>, ValidationError> {
        map.get(key).map(|v| number(v, &path.key(key))).transpose()
    };
    let (scaled, raw, min, max) = (
        field("scaled")?,
        field("raw")?,
        field("min")?,
        field("max")?,
    );
    if let Some(scaled) = scaled
        && !(-1.0..=1.0).contains(&scaled)
    {
        return Err(ValidationError::new(
            &path.key("scaled"),
            "must be between -1 and 1",
        ));
    }
    if let (Some(min), Some(max)) = (min, max)
        && min >= max
    {
        return Err(ValidationError::new(
            &path.key("min"),
            "must be less than `max`",
        ));
    }
    if let (Some(raw), Some(min)) = (raw, min)
        && raw < min
    {
        return Err(ValidationError::new(
            &path.key("raw"),
            "must not be less than `min`",
        ));
    }
    if let (Some(raw), Some(max)) = (raw, max)
        && raw > max
    {
        return Err(ValidationError::new(
            &path.key("raw"),
            "must not be greater than `max`",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value) -> Check {
        result(&value, &JsonPath::root("$"))
    }

    #[test]
    fn scaled_score_stays_within_minus_one_and_one() {
        assert!(check(json!({"score": {"scaled": 0.95}})).is_ok());
        assert!(check(json!({"score": {"scaled": 1.5}})).is_err());
    }

    #[test]
    fn raw_score_stays_between_min_and_max() {
        assert!(check(json!({"score": {"raw": 5, "min": 0, "max": 10}})).is_ok());
        assert!(check(json!({"score": {"raw": 11, "min": 0, "max": 10}})).is_err());
        assert!(check(json!({"score": {"min": 10, "max": 0}})).is_err());
    }

    #[test]
    fn scores_are_compared_from_their_exact_text() {
        let parsed =
            |text: &str| crate::xapi::validate::parse_unique(text.as_bytes(), "$").unwrap();
        assert!(
            check(parsed(
                r#"{"score": {"scaled": -0, "raw": 1E1, "max": 1e1}}"#
            ))
            .is_ok()
        );
        let err = check(parsed(r#"{"score": {"raw": 1e400}}"#)).unwrap_err();
        assert!(
            err.to_string()
                .contains("within the range of a 64-bit float"),
            "{err}"
        );
    }

    #[test]
    fn success_must_be_boolean_and_duration_iso() {
        assert!(check(json!({"success": "yes"})).is_err());
        assert!(check(json!({"duration": "5 minutes"})).is_err());
    }
}
