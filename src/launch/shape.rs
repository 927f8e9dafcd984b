//! What each statement an AU sends must look like, on its own (cmi5 §9.1–§9.7): the
//! rules that need no session state. Session and registration order rules are in
//! `rules.rs`. Every refusal names the rule and its section.

use serde_json::Value;

use super::grant::LaunchGrant;
use super::vocab;

/// The statement as the rules need it.
pub struct Sent<'a> {
    pub payload: &'a Value,
    /// Whether the AU gave the id (cmi5 §9.1: it must).
    pub id_given: bool,
    /// Whether the AU gave the timestamp (cmi5 §9.7: it must).
    pub timestamp_given: bool,
    /// Carries the cmi5 category (cmi5 §9.6.2.1): a "cmi5 defined" statement.
    pub defined: bool,
}

/// Checks one statement; the error says which rule it breaks.
pub fn check(grant: &LaunchGrant, sent: &Sent<'_>) -> Result<(), String> {
    let statement = sent.payload;
    if !sent.id_given {
        return Err("the AU must give every statement an `id` (cmi5 §9.1)".into());
    }
    if !sent.timestamp_given {
        return Err("the AU must give every statement a `timestamp` (cmi5 §9.7)".into());
    }
    let timestamp = statement
        .get("timestamp")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !is_utc(timestamp) {
        return Err(format!(
            "`timestamp` must be in UTC (ending in `Z` or `+00:00`), got {timestamp:?} (cmi5 §9.7)"
        ));
    }
    let session = statement
        .pointer("/context/extensions")
        .and_then(|e| e.get(vocab::EXT_SESSION_ID))
        .and_then(Value::as_str);
    if session != Some(grant.session_id.as_str()) {
        return Err(format!(
            "context.extensions[{:?}] must be this launch's session id, as in LMS.LaunchData's contextTemplate (cmi5 §9.6.3.1)",
            vocab::EXT_SESSION_ID
        ));
    }
    let move_on_category = has_category(statement, vocab::CATEGORY_MOVEON);
    if !sent.defined {
        if move_on_category {
            return Err(
                "only cmi5 defined statements whose result has `success` or `completion` may carry the moveOn category (cmi5 §9.6.2.2)"
                    .into(),
            );
        }
        return Ok(());
    }
    check_defined(grant, statement, move_on_category)
}

fn check_defined(grant: &LaunchGrant, statement: &Value, move_on: bool) -> Result<(), String> {
    match statement
        .pointer("/actor/objectType")
        .and_then(Value::as_str)
    {
        None | Some("Agent") => {}
        Some(other) => {
            return Err(format!(
                "the actor of a cmi5 defined statement must be an Agent, not {other:?} (cmi5 §9.2)"
            ));
        }
    }
    let verb = statement
        .pointer("/verb/id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(short) = vocab::short_name(verb) else {
        return Ok(()); // rules.rs refuses the verb itself
    };
    let result = statement.get("result");
    let field = |name: &str| result.and_then(|r| r.get(name));
    let success = field("success").and_then(Value::as_bool);
    let completion = field("completion").and_then(Value::as_bool);
    let score = field("score");
    if score.is_some() && !matches!(short, "passed" | "failed") {
        return Err(format!(
            "`{short}` may not carry result.score: only passed and failed may (cmi5 §9.5.1)"
        ));
    }
    if let Some(score) = score
        && score.get("raw").is_some()
        && (score.get("min").is_none() || score.get("max").is_none())
    {
        return Err("result.score.raw needs result.score.min and max (cmi5 §9.5.1)".into());
    }
    let wanted_success = match short {
        "passed" => Some(true),
        "failed" => Some(false),
        _ => None,
    };
    if field("success").is_some() != wanted_success.is_some() || success != wanted_success {
        return Err(match wanted_success {
            Some(v) => format!("`{short}` must have result.success {v} (cmi5 §9.5.2)"),
            None => format!("`{short}` may not carry result.success (cmi5 §9.5.2)"),
        });
    }
    let wanted_completion = (short == "completed").then_some(true);
    if field("completion").is_some() != wanted_completion.is_some()
        || completion != wanted_completion
    {
        return Err(match wanted_completion {
            Some(_) => "`completed` must have result.completion true (cmi5 §9.5.3)".into(),
            None => format!("`{short}` may not carry result.completion (cmi5 §9.5.3)"),
        });
    }
    let needs_duration = matches!(short, "terminated" | "completed" | "passed" | "failed");
    if needs_duration && field("duration").is_none() {
        return Err(format!(
            "`{short}` must carry result.duration (cmi5 §9.5.4.1)"
        ));
    }
    let judged = wanted_success.is_some() || wanted_completion.is_some();
    if judged != move_on {
        return Err(if judged {
            format!("`{short}` must carry the moveOn category activity (cmi5 §9.6.2.2)")
        } else {
            format!("`{short}` may not carry the moveOn category activity (cmi5 §9.6.2.2)")
        });
    }
    if matches!(short, "passed" | "failed") {
        check_mastery(grant, statement, short, score.is_some())?;
    }
    Ok(())
}

/// cmi5 §9.6.3.2: a judgement based on the mastery score carries that score, unaltered.
fn check_mastery(
    grant: &LaunchGrant,
    statement: &Value,
    short: &str,
    scored: bool,
) -> Result<(), String> {
    let sent = statement
        .pointer("/context/extensions")
        .and_then(|e| e.get(vocab::EXT_MASTERY_SCORE));
    match (grant.mastery_score, sent) {
        (Some(mastery), Some(value)) if value.as_f64() != Some(mastery) => Err(format!(
            "context.extensions masteryscore must be the launch's masteryScore {mastery}, got {value} (cmi5 §9.6.3.2)"
        )),
        (Some(mastery), None) if scored => Err(format!(
            "a scored `{short}` must carry the launch's masteryScore {mastery} in context.extensions (cmi5 §9.6.3.2)"
        )),
        _ => Ok(()),
    }
}

fn is_utc(timestamp: &str) -> bool {
    timestamp.ends_with('Z') || timestamp.ends_with('z') || timestamp.ends_with("+00:00")
}

fn has_category(statement: &Value, id: &str) -> bool {
    statement
        .pointer("/context/contextActivities/category")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter()
                .any(|a| a.get("id").and_then(Value::as_str) == Some(id))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::grant::LaunchMode;
    use serde_json::json;

    fn grant() -> LaunchGrant {
        LaunchGrant {
            session_id: "s1".into(),
            registration: "r".into(),
            au_id: "urn:uuid:x".into(),
            publisher_au_id: "https://x.example/au".into(),
            actor: json!({}),
            actor_key: String::new(),
            launch_mode: LaunchMode::Normal,
            mastery_score: Some(0.9),
        }
    }

    fn passed() -> Value {
        json!({
            "timestamp": "2026-11-29T10:00:00Z",
            "verb": {"id": vocab::PASSED},
            "result": {"success": true, "duration": "PT1S", "score": {"scaled": 0.95}},
            "context": {
                "contextActivities": {"category": [
                    {"id": vocab::CATEGORY_CMI5}, {"id": vocab::CATEGORY_MOVEON}]},
                "extensions": {vocab::EXT_SESSION_ID: "s1", vocab::EXT_MASTERY_SCORE: 0.9},
            },
        })
    }

    fn check_value(v: &Value) -> Result<(), String> {
        check(
            &grant(),
            &Sent {
                payload: v,
                id_given: true,
                timestamp_given: true,
                defined: true,
            },
        )
    }

    #[test]
    fn a_well_formed_passed_statement_passes() {
        check_value(&passed()).unwrap();
    }

    #[test]
    fn each_broken_rule_is_refused_with_its_section() {
        type Alter = fn(&mut Value);
        let cases: Vec<(&str, Alter)> = vec![
            ("§9.7", |s| {
                s["timestamp"] = json!("2026-11-29T10:00:00-06:00")
            }),
            ("§9.6.3.1", |s| {
                s["context"]["extensions"][vocab::EXT_SESSION_ID] = json!("other")
            }),
            ("§9.2", |s| s["actor"] = json!({"objectType": "Group"})),
            ("§9.5.2", |s| s["result"]["success"] = json!(false)),
            ("§9.5.3", |s| s["result"]["completion"] = json!(true)),
            ("§9.5.4.1", |s| {
                s["result"].as_object_mut().unwrap().remove("duration");
            }),
            ("§9.5.1", |s| s["result"]["score"] = json!({"raw": 5})),
            ("§9.6.2.2", |s| {
                s["context"]["contextActivities"]["category"] =
                    json!([{"id": vocab::CATEGORY_CMI5}]);
            }),
            ("§9.6.3.2", |s| {
                s["context"]["extensions"][vocab::EXT_MASTERY_SCORE] = json!(0.8)
            }),
            ("§9.6.3.2", |s| {
                s["context"]["extensions"]
                    .as_object_mut()
                    .unwrap()
                    .remove(vocab::EXT_MASTERY_SCORE);
            }),
        ];
        for (section, alter) in cases {
            let mut s = passed();
            alter(&mut s);
            let err = check_value(&s).unwrap_err();
            assert!(err.contains(section), "{section}: {err}");
        }
    }

    #[test]
    fn allowed_statements_may_not_carry_the_move_on_category() {
        let s = json!({
            "timestamp": "2026-11-29T10:00:00Z",
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "context": {
                "contextActivities": {"category": [{"id": vocab::CATEGORY_MOVEON}]},
                "extensions": {vocab::EXT_SESSION_ID: "s1"},
            },
        });
        let sent = Sent {
            payload: &s,
            id_given: true,
            timestamp_given: true,
            defined: false,
        };
        assert!(check(&grant(), &sent).unwrap_err().contains("§9.6.2.2"));
    }
}
