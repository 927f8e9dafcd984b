//! A learner's statements as readable lines ("completed Policy essentials"), read with
//! the xAPI agent query (the `agent` filter of GET /xapi/statements), newest first,
//! keyset-paged by the statement's stored position.

use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::console::paging;
use crate::error::Error;
use crate::xapi::statements::index::KeyKind;
use crate::xapi::statements::read::{Position, StatementFilter, find_page};

/// One statement in the timeline.
pub struct Line {
    pub id: String,
    pub stored: String,
    pub verb: String,
    pub object: String,
    /// Result details in words ("score 0.85, success"), when there are any.
    pub result: String,
    /// The statement explorer's view of it.
    pub href: String,
}

/// A page of the timeline and the cursor of the next one.
pub struct Timeline {
    pub lines: Vec<Line>,
    pub next: Option<String>,
}

/// The learner's statements after `cursor`, newest first.
pub async fn page(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    cursor: Option<&str>,
) -> Result<Timeline, Error> {
    let mut filter = StatementFilter::default();
    filter.add_key(KeyKind::Agent, learner_key.to_owned());
    let after: Option<(i64, i64)> = paging::decode(cursor);
    let after = after.map(|(stored_us, seq)| Position { stored_us, seq });
    let rows = find_page(conn, &filter, after, paging::PAGE + 1).await?;
    let (rows, more) = paging::split(rows, paging::PAGE);
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|r| paging::encode(&(r.position.stored_us, r.position.seq)));
    let lines = rows
        .iter()
        .map(|r| {
            let payload = r.payload()?;
            let id = text(&payload, "/id").unwrap_or_default();
            let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
            Ok(Line {
                href: format!("/console/statements?statementId={encoded}"),
                stored: crate::console::learner::when(r.position.stored_us),
                verb: verb(&payload),
                object: object(&payload),
                result: result(&payload),
                id,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
    Ok(Timeline { lines, next })
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A language map's English entry, else its first.
fn best(map: Option<&Value>) -> Option<String> {
    let map = map?.as_object()?;
    ["en-US", "en-GB", "en"]
        .iter()
        .find_map(|l| map.get(*l))
        .or_else(|| map.values().next())
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The last path segment of an IRI (what people recognise of it).
fn short(iri: &str) -> String {
    iri.trim_end_matches('/')
        .rsplit(['/', '#'])
        .next()
        .unwrap_or(iri)
        .to_owned()
}

pub fn verb(s: &Value) -> String {
    best(s.pointer("/verb/display"))
        .or_else(|| text(s, "/verb/id").map(|id| short(&id)))
        .unwrap_or_else(|| "did".into())
}

pub fn object(s: &Value) -> String {
    let Some(object) = s.get("object") else {
        return String::new();
    };
    match object.get("objectType").and_then(Value::as_str) {
        Some("Agent") | Some("Group") => object
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| "someone".into()),
        Some("StatementRef") => "a statement".into(),
        Some("SubStatement") => "a sub-statement".into(),
        _ => best(object.pointer("/definition/name"))
            .or_else(|| text(object, "/id").map(|id| short(&id)))
            .unwrap_or_default(),
    }
}

pub fn result(s: &Value) -> String {
    let Some(result) = s.get("result") else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(scaled) = result.pointer("/score/scaled").and_then(Value::as_f64) {
        parts.push(format!("score {scaled}"));
    }
    match result.get("success").and_then(Value::as_bool) {
        Some(true) => parts.push("success".into()),
        Some(false) => parts.push("not successful".into()),
        None => {}
    }
    if result.get("completion").and_then(Value::as_bool) == Some(true) {
        parts.push("complete".into());
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_statement_reads_as_verb_and_object() {
        let s = json!({
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed",
                     "display": {"de": "abgeschlossen", "en-US": "completed"}},
            "object": {"id": "https://x/au/policy", "definition": {"name": {"en-US": "Policy"}}},
            "result": {"score": {"scaled": 0.85}, "success": true}
        });
        assert_eq!(verb(&s), "completed");
        assert_eq!(object(&s), "Policy");
        assert_eq!(result(&s), "score 0.85, success");
    }

    #[test]
    fn without_display_names_the_iris_last_segments_are_shown() {
        let s = json!({"verb": {"id": "http://adlnet.gov/expapi/verbs/shared"},
                       "object": {"id": "https://x/posts/42/"}});
        assert_eq!(verb(&s), "shared");
        assert_eq!(object(&s), "42");
        assert_eq!(result(&s), "");
    }
}
