//! The one error type of statement validation: where, and which rule.

use super::path::JsonPath;

/// A statement broke a rule of the xAPI specification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {rule}")]
pub struct ValidationError {
    /// JSON path of the offending value, e.g. `$.actor.mbox`.
    pub path: String,
    /// The rule it broke, in words a developer can act on.
    pub rule: String,
}

impl ValidationError {
    pub fn new(path: &JsonPath<'_>, rule: impl Into<String>) -> Self {
        ValidationError {
            path: path.to_string(),
            rule: rule.into(),
        }
    }
}

pub type Check = Result<(), ValidationError>;
