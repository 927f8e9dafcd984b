//! A survey response's answers, checked against the survey's page before anything is
//! stored (issue 20 contract §6): every question id must be one of the page's, every
//! value one of that question's options, free text at most `MAX_TEXT_CHARS`. The first
//! broken rule is the error, naming the field (`answers.<id>`) and the rule.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::form::{Form, Kind, Question};
use crate::error::Error;

/// Free-text answers longer than this (in characters) are refused.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// One question's answer, validated: the option values chosen (one for a single
/// choice or likert, one or more for multi-select) or the free text, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub question_id: String,
    pub values: Vec<String>,
}

/// Checks every answer against `form`; answers come back in page order.
pub fn validate(form: &Form, answers: &BTreeMap<String, Value>) -> Result<Vec<Answer>, Error> {
    for id in answers.keys() {
        if form.question(id).is_none() {
            return Err(field(
                id,
                format!(
                    "there is no question {id:?} in this survey; its questions are {}",
                    form.questions
                        .iter()
                        .map(|q| q.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    let mut out = Vec::with_capacity(answers.len());
    for question in &form.questions {
        if let Some(value) = answers.get(&question.id) {
            out.push(Answer {
                question_id: question.id.clone(),
                values: values_of(question, value)?,
            });
        }
    }
    Ok(out)
}

fn values_of(q: &Question, value: &Value) -> Result<Vec<String>, Error> {
    match (&q.kind, value) {
        (Kind::Single | Kind::Likert, Value::String(v)) => Ok(vec![option(q, v)?]),
        (Kind::Single | Kind::Likert, _) => Err(field(
            &q.id,
            format!(
                "must be one option value as a string, one of {}",
                options(q)
            ),
        )),
        (Kind::Multi, Value::Array(items)) if !items.is_empty() => {
            let mut seen = HashSet::new();
            let mut chosen = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(v) = item else {
                    return Err(field(
                        &q.id,
                        "every item must be an option value as a string",
                    ));
                };
                if !seen.insert(v.as_str()) {
                    return Err(field(&q.id, format!("{v:?} is chosen twice")));
                }
                chosen.push(option(q, v)?);
            }
            Ok(chosen)
        }
        (Kind::Multi, _) => Err(field(
            &q.id,
            format!(
                "must be a non-empty list of option values (a multi-select question), from {}",
                options(q)
            ),
        )),
        (Kind::FillIn, Value::String(text)) => Ok(vec![free_text(q, text)?]),
        (Kind::FillIn, _) => Err(field(&q.id, "must be text (a fill-in question)")),
        (Kind::Other(kind), _) => Err(field(
            &q.id,
            format!("a {kind} question is not a survey question; it takes no answer here"),
        )),
    }
}

fn option(q: &Question, value: &str) -> Result<String, Error> {
    if q.choices.iter().any(|c| c.value == value) {
        Ok(value.to_owned())
    } else {
        Err(field(
            &q.id,
            format!(
                "{value:?} is not one of this question's options ({})",
                options(q)
            ),
        ))
    }
}

fn free_text(q: &Question, text: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(field(
            &q.id,
            "is empty; leave a question out of `answers` to skip it",
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(field(
            &q.id,
            format!("is {chars} characters long; at most {MAX_TEXT_CHARS} are taken"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(field(
            &q.id,
            "contains a control character; only text, line breaks and tabs are taken",
        ));
    }
    Ok(text.to_owned())
}

fn options(q: &Question) -> String {
    q.choices
        .iter()
        .map(|c| c.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn field(id: &str, rule: impl std::fmt::Display) -> Error {
    Error::BadRequest(format!("answers.{id}: {rule}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::survey::form::parse;

    fn form() -> Form {
        parse(
            r#"<main data-bb-au data-bb-survey="anonymous">
            <fieldset data-bb-question="one" data-type="choice"><legend>One</legend>
              <label><input type="radio" value="a"> A</label><label><input type="radio" value="b"> B</label></fieldset>
            <fieldset data-bb-question="many" data-type="choice"><legend>Many</legend>
              <label><input type="checkbox" value="x"> X</label><label><input type="checkbox" value="y"> Y</label></fieldset>
            <fieldset data-bb-question="scale" data-type="likert"><legend>Scale</legend>
              <label><input type="radio" value="1"> 1</label><label><input type="radio" value="5"> 5</label></fieldset>
            <fieldset data-bb-question="text" data-type="fill-in"><legend>Text</legend>
              <label for="t">T</label><textarea id="t"></textarea></fieldset>
            <fieldset data-bb-question="seq" data-type="sequencing"><legend>Seq</legend></fieldset>
            </main>"#,
        )
    }

    fn check(answers: Value) -> Result<Vec<Answer>, String> {
        let map: BTreeMap<String, Value> = serde_json::from_value(answers).unwrap();
        validate(&form(), &map).map_err(|e| e.to_string())
    }

    #[test]
    fn good_answers_come_back_in_page_order() {
        let got =
            check(json!({"text": "  more time  ", "many": ["y", "x"], "one": "b", "scale": "5"}))
                .unwrap();
        let pairs: Vec<_> = got
            .iter()
            .map(|a| (a.question_id.as_str(), a.values.join("|")))
            .collect();
        assert_eq!(
            pairs,
            [
                ("one", "b".to_owned()),
                ("many", "y|x".to_owned()),
                ("scale", "5".to_owned()),
                ("text", "more time".to_owned())
            ]
        );
    }

    #[test]
    fn an_unknown_question_is_named() {
        let err = check(json!({"nope": "a"})).unwrap_err();
        assert!(
            err.starts_with("answers.nope: there is no question"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_option_is_named_with_the_options() {
        let err = check(json!({"one": "c"})).unwrap_err();
        assert_eq!(
            err,
            "answers.one: \"c\" is not one of this question's options (a, b)"
        );
        assert!(
            check(json!({"scale": 5}))
                .unwrap_err()
                .starts_with("answers.scale: must be one option")
        );
    }

    #[test]
    fn multi_select_takes_a_non_empty_list_without_repeats() {
        assert!(
            check(json!({"many": "x"}))
                .unwrap_err()
                .starts_with("answers.many: must be a non-empty list")
        );
        assert!(check(json!({"many": []})).is_err());
        assert!(
            check(json!({"many": ["x", "x"]}))
                .unwrap_err()
                .contains("chosen twice")
        );
        assert!(check(json!({"one": ["a"]})).is_err());
    }

    #[test]
    fn free_text_is_bounded_and_not_empty() {
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        let err = check(json!({ "text": long })).unwrap_err();
        assert!(err.contains("2001 characters long; at most 2000"), "{err}");
        assert!(check(json!({"text": "é".repeat(MAX_TEXT_CHARS)})).is_ok());
        assert!(
            check(json!({"text": "   "}))
                .unwrap_err()
                .contains("is empty")
        );
        assert!(
            check(json!({"text": "a\u{0}b"}))
                .unwrap_err()
                .contains("control character")
        );
        assert!(check(json!({"text": 3})).is_err());
    }

    #[test]
    fn questions_of_other_types_take_no_answer() {
        assert!(
            check(json!({"seq": "a"}))
                .unwrap_err()
                .contains("not a survey question")
        );
    }
}
