//! From the program file's text to a `Program`: TOML syntax (errors name the line),
//! the JSON Schema, the model, then the rules that need only the file.

use serde_json::Value;

use super::model::Program;
use super::problem::{Problem, ProgramError};
use super::{schema, validate};

/// The largest program file accepted (the default program is a few kilobytes).
pub const MAX_BYTES: usize = 256 * 1024;

/// Parses and checks a program file on its own (no database): everything except the
/// references to imported courses and the comparison with earlier versions.
pub fn parse(text: &str) -> Result<Program, ProgramError> {
    if text.len() > MAX_BYTES {
        return Err(ProgramError::Invalid(vec![Problem::new(
            "",
            format!(
                "the program file is {} bytes; the limit is {MAX_BYTES}",
                text.len()
            ),
        )]));
    }
    let table: toml::Table =
        toml::from_str(text).map_err(|e| ProgramError::Syntax(e.to_string().trim().to_owned()))?;
    let file = serde_json::to_value(&table)
        .map_err(|e| ProgramError::Syntax(format!("cannot be read as data: {e}")))?;
    let schema_problems =
        schema::check(&file).map_err(|e| ProgramError::Invalid(vec![Problem::new("", e)]))?;
    match serde_json::from_value::<Program>(file.clone()) {
        Ok(program) => {
            let mut problems = validate::rules(&program);
            // Our own wording wins where both say something about the same place; the
            // schema's remain for what the rules do not cover.
            let covered: Vec<String> = problems.iter().map(|p| p.at.clone()).collect();
            problems.extend(schema_problems.into_iter().filter(|s| {
                !covered.iter().any(|at| {
                    at == &s.at
                        || at.starts_with(&format!("{} ", s.at))
                        || at.starts_with(&format!("{}.", s.at))
                })
            }));
            if problems.is_empty() {
                Ok(program)
            } else {
                Err(ProgramError::Invalid(problems))
            }
        }
        Err(e) if schema_problems.is_empty() => {
            Err(ProgramError::Invalid(vec![Problem::new("", e.to_string())]))
        }
        Err(_) => Err(ProgramError::Invalid(schema_problems)),
    }
}

/// The normalised form stored and hashed: the model as JSON, defaults filled in, in the
/// model's field order, so equal programs give equal bytes whatever the file's layout.
pub fn normalised(program: &Program) -> Result<(Value, String), String> {
    let bytes = serde_json::to_vec(program).map_err(|e| e.to_string())?;
    let hash = hex::encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &bytes,
    ));
    let value = serde_json::to_value(program).map_err(|e| e.to_string())?;
    Ok((value, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_program_parses_and_keeps_its_rules() {
        let text = include_str!("../../../packages/program.toml");
        let program = parse(text).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = program.belts.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["white", "yellow", "green", "brown", "black"]);
    }
}
