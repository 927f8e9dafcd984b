//! The `format` parameter of GET /statements: `exact`, `ids` or `canonical`.
//! Spec: xAPI-Communication 2.1.3 (format) and 2.2 (language filtering).

use serde_json::{Map, Value};

use crate::xapi::validate::parse_stored;

/// How statements are rendered in a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Exact,
    Ids,
    Canonical,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "exact" => Some(Format::Exact),
            "ids" => Some(Format::Ids),
            "canonical" => Some(Format::Canonical),
            _ => None,
        }
    }
}

/// Renders a stored statement's JSON text in `format`. `exact` is the text as it is;
/// the others parse it (keeping number texts) and serialise what they keep.
pub fn render_text(text: String, format: Format, languages: &[String]) -> Result<String, String> {
    if format == Format::Exact {
        return Ok(text);
    }
    let statement = parse_stored(&text).map_err(|e| format!("stored statement: {e}"))?;
    serde_json::to_string(&render(statement, format, languages))
        .map_err(|e| format!("stored statement: {e}"))
}

/// Renders a stored statement in `format`; `languages` come from Accept-Language.
pub fn render(mut statement: Value, format: Format, languages: &[String]) -> Value {
    match format {
        Format::Exact => {}
        Format::Ids => ids_only(&mut statement),
        Format::Canonical => canonical(&mut statement, languages),
    }
    statement
}

/// Agents keep only their IFI, activities only their id, verbs only their id.
fn ids_only(statement: &mut Value) {
    let Value::Object(map) = statement else {
        return;
    };
    for key in ["actor", "authority"] {
        if let Some(agent) = map.get_mut(key) {
            agent_ids(agent);
        }
    }
    if let Some(Value::Object(verb)) = map.get_mut("verb") {
        verb.retain(|k, _| k == "id");
    }
    if let Some(object) = map.get_mut("object") {
        match object.get("objectType").and_then(Value::as_str) {
            None | Some("Activity") => {
                if let Value::Object(activity) = object {
                    activity.retain(|k, _| k == "id");
                }
            }
            Some("Agent") | Some("Group") => agent_ids(object),
            Some("SubStatement") => ids_only(object),
            _ => {}
        }
    }
    if let Some(Value::Object(context)) = map.get_mut("context") {
        context_ids(context);
    }
}

fn context_ids(context: &mut Map<String, Value>) {
    for key in ["instructor", "team"] {
        if let Some(agent) = context.get_mut(key) {
            agent_ids(agent);
        }
    }
    if let Some(Value::Object(lists)) = context.get_mut("contextActivities") {
        for activity in lists.values_mut().filter_map(Value::as_array_mut).flatten() {
            if let Value::Object(activity) = activity {
                activity.retain(|k, _| k == "id");
            }
        }
    }
    for (list, member) in [("contextAgents", "agent"), ("contextGroups", "group")] {
        for entry in context
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(agent) = entry.get_mut(member) {
                agent_ids(agent);
            }
        }
    }
}

const IFI_KEYS: [&str; 5] = ["objectType", "mbox", "mbox_sha1sum", "openid", "account"];

fn agent_ids(agent: &mut Value) {
    let Value::Object(map) = agent else {
        return;
    };
    let anonymous_group = map.get("objectType").and_then(Value::as_str) == Some("Group")
        && !IFI_KEYS[1..].iter().any(|k| map.contains_key(*k));
    if anonymous_group {
        map.retain(|k, _| k == "objectType" || k == "member");
        for member in map
            .get_mut("member")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            agent_ids(member);
        }
    } else {
        map.retain(|k, _| IFI_KEYS.contains(&k.as_str()));
    }
}

/// Language maps are cut down to the one entry that best fits the reader.
fn canonical(value: &mut Value, languages: &[String]) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                // Agent and account names are strings, so an object here is a language map.
                let is_language_map = matches!(key.as_str(), "display" | "name" | "description")
                    && child
                        .as_object()
                        .is_some_and(|m| m.values().all(Value::is_string));
                if is_language_map {
                    pick_language(child, languages);
                } else {
                    canonical(child, languages);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| canonical(item, languages)),
        _ => {}
    }
}

fn pick_language(map_value: &mut Value, languages: &[String]) {
    let Value::Object(map) = map_value else {
        return;
    };
    let chosen = languages
        .iter()
        .find_map(|wanted| {
            map.keys()
                .find(|tag| tag.eq_ignore_ascii_case(wanted))
                .or_else(|| {
                    map.keys().find(|tag| {
                        tag.split('-')
                            .next()
                            .is_some_and(|primary| primary.eq_ignore_ascii_case(wanted))
                    })
                })
        })
        .or_else(|| map.keys().find(|tag| tag.eq_ignore_ascii_case("und")))
        .or_else(|| map.keys().next())
        .cloned();
    if let Some(tag) = chosen {
        map.retain(|k, _| *k == tag);
    }
}

/// Parses Accept-Language into tags, best first (`*` and q=0 dropped).
pub fn accept_languages(header: Option<&str>) -> Vec<String> {
    let mut weighted: Vec<(f32, String)> = header
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                .unwrap_or(1.0);
            (!tag.is_empty() && tag != "*" && q > 0.0).then(|| (q, tag.to_owned()))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({"actor": {"mbox": "mailto:a@b.c", "name": "Ada"},
            "verb": {"id": "http://v", "display": {"en-US": "did", "fr": "a fait"}},
            "object": {"id": "http://a", "definition": {"name": {"en-US": "A", "fr": "Un"}}}})
    }

    #[test]
    fn ids_format_strips_names_and_definitions() {
        let out = render(sample(), Format::Ids, &[]);
        assert_eq!(out["actor"], json!({"mbox": "mailto:a@b.c"}));
        assert_eq!(out["verb"], json!({"id": "http://v"}));
        assert_eq!(out["object"], json!({"id": "http://a"}));
    }

    #[test]
    fn canonical_format_keeps_the_preferred_language() {
        let out = render(sample(), Format::Canonical, &["fr".into()]);
        assert_eq!(out["verb"]["display"], json!({"fr": "a fait"}));
        assert_eq!(out["object"]["definition"]["name"], json!({"fr": "Un"}));
        assert_eq!(out["actor"]["name"], "Ada");
    }

    #[test]
    fn exact_text_is_returned_as_stored_and_other_formats_keep_number_texts() {
        let stored = r#"{"stored":"2020-01-01T00:00:00Z","verb":{"id":"http://v","display":{"en":"x"}},"result":{"score":{"raw":1e400}}}"#;
        assert_eq!(
            render_text(stored.to_owned(), Format::Exact, &[]).unwrap(),
            stored
        );
        let ids = render_text(stored.to_owned(), Format::Ids, &[]).unwrap();
        assert!(ids.contains(r#""raw":1e400"#), "{ids}");
        assert!(ids.contains(r#""verb":{"id":"http://v"}"#), "{ids}");
    }

    #[test]
    fn a_stored_text_that_is_not_json_is_an_error_not_a_panic() {
        assert!(render_text("{".to_owned(), Format::Canonical, &[]).is_err());
    }

    #[test]
    fn accept_language_is_ordered_by_quality() {
        assert_eq!(
            accept_languages(Some("fr;q=0.5, en-US, *")),
            vec!["en-US", "fr"]
        );
    }
}
