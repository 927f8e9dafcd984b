//! What the statement explorer shows of a statement: a readable line (when, who, did
//! what, to what, with what result) beside its raw JSON, and the explorer's agent field
//! turned into the Agent JSON `GET /xapi/statements` takes.

use serde_json::{Value, json};

/// One statement as the explorer's table shows it.
pub struct Readable {
    pub id: String,
    pub when: String,
    pub actor: String,
    pub verb: String,
    pub verb_id: String,
    pub object: String,
    pub object_id: String,
    pub result: String,
    /// A voiding statement (it cannot itself be voided).
    pub voids: bool,
    /// Pretty-printed JSON (escaped by the template).
    pub raw: String,
}

impl Readable {
    pub fn of(statement: &Value) -> Readable {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
        let verb_id = text(statement.pointer("/verb/id"));
        let verb = statement
            .pointer("/verb/display")
            .and_then(language_text)
            .unwrap_or_else(|| last_segment(&verb_id).to_owned());
        let object = &statement["object"];
        let object_id = text(object.get("id"))
            .or_if_empty(|| agent_name(object))
            .to_owned();
        let object_name = object
            .pointer("/definition/name")
            .and_then(language_text)
            .or_else(|| (object["objectType"] == "StatementRef").then(|| "a statement".into()))
            .or_else(|| {
                matches!(object["objectType"].as_str(), Some("Agent" | "Group"))
                    .then(|| agent_name(object))
            })
            .unwrap_or_else(|| object_id.clone());
        Readable {
            id: text(statement.get("id")),
            when: text(statement.get("timestamp")).or_if_empty(|| text(statement.get("stored"))),
            actor: agent_name(&statement["actor"]),
            voids: verb_id == crate::xapi::validate::VOIDED_VERB,
            verb,
            verb_id,
            object: object_name,
            object_id,
            result: result_text(statement.get("result")),
            raw: serde_json::to_string_pretty(statement).unwrap_or_default(),
        }
    }
}

trait OrIfEmpty {
    fn or_if_empty(self, other: impl FnOnce() -> String) -> String;
}

impl OrIfEmpty for String {
    fn or_if_empty(self, other: impl FnOnce() -> String) -> String {
        if self.is_empty() { other() } else { self }
    }
}

/// A language map's English text, else its first.
fn language_text(map: &Value) -> Option<String> {
    let map = map.as_object()?;
    ["en-US", "en-GB", "en", "und"]
        .iter()
        .find_map(|tag| map.get(*tag))
        .or_else(|| map.values().next())
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn last_segment(iri: &str) -> &str {
    iri.trim_end_matches('/')
        .rsplit(['/', '#'])
        .next()
        .unwrap_or(iri)
}

/// An Agent or Group by its name, else by how it is identified.
pub fn agent_name(agent: &Value) -> String {
    if let Some(name) = agent.get("name").and_then(Value::as_str) {
        return name.to_owned();
    }
    if let Some(mbox) = agent.get("mbox").and_then(Value::as_str) {
        return mbox.trim_start_matches("mailto:").to_owned();
    }
    if let Some(name) = agent.pointer("/account/name").and_then(Value::as_str) {
        return name.to_owned();
    }
    if let Some(openid) = agent.get("openid").and_then(Value::as_str) {
        return openid.to_owned();
    }
    if agent.get("mbox_sha1sum").is_some() {
        return "(hashed email)".to_owned();
    }
    "(anonymous group)".to_owned()
}

/// "score 80 % (8/10), passed, completed" from a result.
fn result_text(result: Option<&Value>) -> String {
    let Some(result) = result else {
        return String::new();
    };
    let mut parts = Vec::new();
    let score = &result["score"];
    match (
        score["scaled"].as_f64(),
        score["raw"].as_f64(),
        score["max"].as_f64(),
    ) {
        (Some(scaled), Some(raw), Some(max)) => parts.push(format!(
            "score {} % ({raw}/{max})",
            (scaled * 100.0).round()
        )),
        (Some(scaled), _, _) => parts.push(format!("score {} %", (scaled * 100.0).round())),
        (None, Some(raw), Some(max)) => parts.push(format!("score {raw}/{max}")),
        (None, Some(raw), None) => parts.push(format!("score {raw}")),
        _ => {}
    }
    match result["success"].as_bool() {
        Some(true) => parts.push("passed".into()),
        Some(false) => parts.push("failed".into()),
        None => {}
    }
    if result["completion"].as_bool() == Some(true) {
        parts.push("completed".into());
    }
    parts.join(", ")
}

/// The `agent` parameter of the query from the explorer's fields: an email address,
/// an account (home page and name), or Agent JSON as the xAPI takes it. `None` when
/// no agent is asked for; `Err` says which field to fix.
pub fn agent_param(agent: &str, home_page: &str, account: &str) -> Result<Option<String>, String> {
    let (agent, home_page, account) = (agent.trim(), home_page.trim(), account.trim());
    let has_account = !home_page.is_empty() || !account.is_empty();
    if !agent.is_empty() && has_account {
        return Err("Give an email or Agent JSON, or an account, not both.".into());
    }
    if has_account {
        if home_page.is_empty() || account.is_empty() {
            return Err("An account needs both its home page and its name.".into());
        }
        return Ok(Some(
            json!({"account": {"homePage": home_page, "name": account}}).to_string(),
        ));
    }
    if agent.is_empty() {
        return Ok(None);
    }
    if agent.starts_with('{') {
        return Ok(Some(agent.to_owned()));
    }
    let email = agent.trim_start_matches("mailto:");
    if email.contains('@') && !email.contains(char::is_whitespace) {
        return Ok(Some(json!({"mbox": format!("mailto:{email}")}).to_string()));
    }
    Err("Agent: give an email address (ada@example.com) or Agent JSON ({\"mbox\": ...}).".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_becomes_an_mbox_agent() {
        assert_eq!(
            agent_param("ada@example.com", "", "").unwrap().unwrap(),
            r#"{"mbox":"mailto:ada@example.com"}"#
        );
        assert_eq!(
            agent_param("mailto:ada@example.com", "", "")
                .unwrap()
                .unwrap(),
            r#"{"mbox":"mailto:ada@example.com"}"#
        );
    }

    #[test]
    fn an_account_needs_both_halves() {
        let a = agent_param("", "https://lms.example", "42")
            .unwrap()
            .unwrap();
        assert!(a.contains(r#""homePage":"https://lms.example""#) && a.contains(r#""name":"42""#));
        assert!(agent_param("", "https://lms.example", "").is_err());
        assert!(agent_param("a@b.c", "https://lms.example", "42").is_err());
    }

    #[test]
    fn json_passes_through_and_nothing_is_no_agent() {
        assert_eq!(
            agent_param(" {\"mbox\":\"x\"} ", "", "").unwrap().unwrap(),
            "{\"mbox\":\"x\"}"
        );
        assert_eq!(agent_param("", "", "").unwrap(), None);
        assert!(agent_param("not an agent", "", "").is_err());
    }

    #[test]
    fn a_statement_reads_as_a_sentence() {
        let s = json!({
            "id": "x", "timestamp": "2026-01-02T03:04:05Z",
            "actor": {"mbox": "mailto:ada@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed"}},
            "object": {"id": "https://ex/au/1", "definition": {"name": {"de": "Eins", "en-US": "One"}}},
            "result": {"score": {"scaled": 0.8, "raw": 8, "max": 10}, "success": true}
        });
        let r = Readable::of(&s);
        assert_eq!(r.actor, "ada@example.com");
        assert_eq!(r.verb, "passed");
        assert_eq!(r.object, "One");
        assert_eq!(r.result, "score 80 % (8/10), passed");
        assert!(!r.voids);
    }

    #[test]
    fn a_verb_without_display_shows_its_last_segment() {
        let s = json!({"actor": {"name": "Ada"}, "verb": {"id": "http://x/verbs/launched"},
            "object": {"objectType": "StatementRef", "id": "abc"}});
        let r = Readable::of(&s);
        assert_eq!(
            (r.verb.as_str(), r.object.as_str()),
            ("launched", "a statement")
        );
    }
}
