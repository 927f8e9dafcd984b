//! The JSON Schema of the program file (`packages/program.schema.json`, draft 2020-12),
//! embedded in the binary: the import checks every file against it, and the API serves
//! it at `GET /api/program/schema`. Local only: the schema has no remote `$ref`, and the
//! validator is built without network resolution.

use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::Value;

use super::problem::{Problem, from_pointer};

/// The schema's text, as committed.
pub const SCHEMA: &str = include_str!("../../../packages/program.schema.json");

static VALIDATOR: LazyLock<Result<Validator, String>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA).map_err(|e| e.to_string())?;
    jsonschema::draft202012::new(&schema).map_err(|e| e.to_string())
});

/// The schema as JSON (for the API).
pub fn document() -> Value {
    serde_json::from_str(SCHEMA).unwrap_or(Value::Null)
}

/// Every place where `file` (the program file read as JSON) breaks the schema.
pub fn check(file: &Value) -> Result<Vec<Problem>, String> {
    let validator = VALIDATOR
        .as_ref()
        .map_err(|e| format!("the embedded program schema does not compile: {e}"))?;
    Ok(validator
        .iter_errors(file)
        .map(|error| {
            let at = from_pointer(error.instance_path().as_str(), file);
            Problem::new(at, error.to_string())
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_compiles_as_draft_2020_12() {
        let schema: Value = serde_json::from_str(SCHEMA).expect("JSON");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(!check(&serde_json::json!({})).expect("compiles").is_empty());
    }

    #[test]
    fn a_schema_problem_names_the_belt_and_the_field() {
        let file = serde_json::json!({
            "program": {"id": "p", "name": "P"},
            "belt": [{"id": "green", "name": "Green", "colour": "#00ff00", "description": "",
                      "requires": {"au": {"id": "https://x/au", "min_score": 1.5}}}]
        });
        let problems = check(&file).expect("compiles");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].at, r#"belt "green" requires.au.min_score"#);
    }
}
