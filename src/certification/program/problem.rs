//! What is wrong with a program file, and where: `belt "green"
//! requires.all_of[2].au.min_score: must be within 0..=1`.

use std::fmt;

/// One broken rule at one place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a reader of the file finds it: `program.id`, `belt "green" colour`,
    /// `belt[3] requires.any_of[0].au.id`; empty for the file as a whole.
    pub at: String,
    pub rule: String,
}

impl Problem {
    pub fn new(at: impl Into<String>, rule: impl Into<String>) -> Self {
        Problem {
            at: at.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.rule)
        } else {
            write!(f, "{}: {}", self.at, self.rule)
        }
    }
}

/// Why a program file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProgramError {
    /// Not TOML: the message names the line and column.
    #[error("the program file is not valid TOML: {0}")]
    Syntax(String),
    /// TOML, but it breaks the schema or a rule; every problem is listed.
    #[error("the program file breaks {} rule(s): {}", .0.len(), join(.0))]
    Invalid(Vec<Problem>),
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A place in the file, built segment by segment as the checks walk it.
#[derive(Debug, Clone)]
pub struct At {
    text: String,
    /// Only the belt is named so far: the next field follows a space, not a dot.
    belt_only: bool,
}

impl At {
    /// The belt at `index` with `id` (its index when it has no usable id).
    pub fn belt(index: usize, id: &str) -> Self {
        let text = if id.is_empty() {
            format!("belt[{index}]")
        } else {
            format!("belt {id:?}")
        };
        At {
            text,
            belt_only: true,
        }
    }

    pub fn root(name: &str) -> Self {
        At {
            text: name.to_owned(),
            belt_only: false,
        }
    }

    /// `belt "green"` + `requires` → `belt "green" requires`; later fields join with `.`.
    pub fn field(&self, name: &str) -> Self {
        let text = if self.belt_only {
            format!("{} {name}", self.text)
        } else if self.text.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.text)
        };
        At {
            text,
            belt_only: false,
        }
    }

    pub fn index(&self, i: usize) -> Self {
        At {
            text: format!("{}[{i}]", self.text),
            belt_only: false,
        }
    }

    pub fn problem(&self, rule: impl Into<String>) -> Problem {
        Problem::new(self.text.clone(), rule)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A JSON Pointer into the file's JSON form (`/belt/2/requires/all_of/0`) as a place a
/// reader finds: `belt "green" requires.all_of[0]`, naming the belt by its id.
pub fn from_pointer(pointer: &str, file: &serde_json::Value) -> String {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let (mut at, skip) = match segments.as_slice() {
        ["belt", index, ..] if index.parse::<usize>().is_ok() => {
            let i: usize = index.parse().unwrap_or_default();
            let id = file
                .pointer(&format!("/belt/{i}/id"))
                .and_then(|v| v.as_str())
                .filter(|id| super::validate::is_id(id))
                .unwrap_or_default();
            (At::belt(i, id), 2)
        }
        [] => (At::root(""), 0),
        [first, ..] => (At::root(first), 1),
    };
    for segment in &segments[skip..] {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        at = match segment.parse::<usize>() {
            Ok(i) => at.index(i),
            Err(_) => at.field(&segment),
        };
    }
    at.text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_into_a_belt_names_the_belt_by_its_id() {
        let file = serde_json::json!({"belt": [{"id": "white"}, {"id": "green"}]});
        assert_eq!(
            from_pointer("/belt/1/requires/all_of/2/au/min_score", &file),
            r#"belt "green" requires.all_of[2].au.min_score"#
        );
        assert_eq!(from_pointer("/belt/7/colour", &file), "belt[7] colour");
        assert_eq!(from_pointer("/program/id", &file), "program.id");
        assert_eq!(from_pointer("", &file), "");
    }
}
