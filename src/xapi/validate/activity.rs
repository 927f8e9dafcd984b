//! Activities and their definitions, including interaction activities.
//! Spec: xAPI-Data 2.4.4.1 (Activity), 2.4.4.1.1 (Interaction Activities).

use serde_json::Value;

use super::error::{Check, ValidationError};
use super::json::{array, object, required, string};
use super::path::JsonPath;
use super::primitives::{extensions, iri, language_map};

const DEFINITION_KEYS: [&str; 12] = [
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    "choices",
    "scale",
    "source",
    "target",
    "steps",
];

const COMPONENT_LISTS: [&str; 5] = ["choices", "scale", "source", "target", "steps"];

/// `{objectType?: "Activity", id: IRI, definition?}`.
pub fn activity(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &["objectType", "id", "definition"])?;
    if let Some(kind) = map.get("objectType")
        && kind != "Activity"
    {
        return Err(ValidationError::new(
            &path.key("objectType"),
            "must be \"Activity\" here",
        ));
    }
    iri(required(map, "id", path)?, &path.key("id"))?;
    if let Some(definition) = map.get("definition") {
        activity_definition(definition, &path.key("definition"))?;
    }
    Ok(())
}

pub fn activity_definition(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &DEFINITION_KEYS)?;
    for key in ["name", "description"] {
        if let Some(map_value) = map.get(key) {
            language_map(map_value, &path.key(key))?;
        }
    }
    for key in ["type", "moreInfo"] {
        if let Some(link) = map.get(key) {
            iri(link, &path.key(key))?;
        }
    }
    if let Some(ext) = map.get("extensions") {
        extensions(ext, &path.key("extensions"))?;
    }
    if let Some(pattern) = map.get("correctResponsesPattern") {
        let pattern_path = path.key("correctResponsesPattern");
        for (i, response) in array(pattern, &pattern_path)?.iter().enumerate() {
            string(response, &pattern_path.index(i))?;
        }
    }
    let interaction = match map.get("interactionType") {
        Some(kind) => Some(interaction_type(kind, &path.key("interactionType"))?),
        None => None,
    };
    for list in COMPONENT_LISTS {
        let Some(components) = map.get(list) else {
            continue;
        };
        let list_path = path.key(list);
        let allowed = interaction.is_some_and(|kind| allowed_lists(kind).contains(&list));
        if !allowed {
            return Err(ValidationError::new(
                &list_path,
                format!(
                    "`{list}` is only allowed with interactionType {}",
                    owners(list)
                ),
            ));
        }
        interaction_components(components, &list_path)?;
    }
    if interaction.is_none() && map.contains_key("correctResponsesPattern") {
        return Err(ValidationError::new(
            &path.key("correctResponsesPattern"),
            "requires `interactionType`",
        ));
    }
    Ok(())
}

const INTERACTION_TYPES: [&str; 10] = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
];

fn interaction_type<'v>(value: &'v Value, path: &JsonPath<'_>) -> Result<&'v str, ValidationError> {
    let kind = string(value, path)?;
    if INTERACTION_TYPES.contains(&kind) {
        Ok(kind)
    } else {
        Err(ValidationError::new(
            path,
            format!("must be one of {}", INTERACTION_TYPES.join(", ")),
        ))
    }
}

fn allowed_lists(kind: &str) -> &'static [&'static str] {
    match kind {
        "choice" | "sequencing" => &["choices"],
        "likert" => &["scale"],
        "matching" => &["source", "target"],
        "performance" => &["steps"],
        _ => &[],
    }
}

fn owners(list: &str) -> &'static str {
    match list {
        "choices" => "choice or sequencing",
        "scale" => "likert",
        "source" | "target" => "matching",
        _ => "performance",
    }
}

/// `[{id: string, description?: language map}]` with unique ids.
fn interaction_components(value: &Value, path: &JsonPath<'_>) -> Check {
    let components = array(value, path)?;
    let mut seen = std::collections::HashSet::new();
    for (i, component) in components.iter().enumerate() {
        let item = path.index(i);
        let map = object(component, &item, &["id", "description"])?;
        let id = string(required(map, "id", &item)?, &item.key("id"))?;
        if !seen.insert(id) {
            return Err(ValidationError::new(
                &item.key("id"),
                format!("component id {id:?} appears twice"),
            ));
        }
        if let Some(description) = map.get("description") {
            language_map(description, &item.key("description"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value) -> Check {
        activity(&value, &JsonPath::root("$"))
    }

    #[test]
    fn activity_needs_an_iri_id() {
        assert!(check(json!({"id": "http://x.com/a"})).is_ok());
        assert!(check(json!({"id": "a"})).is_err());
        assert!(check(json!({"definition": {}})).is_err());
    }

    #[test]
    fn choices_are_allowed_for_choice_interactions_only() {
        let choices = json!([{"id": "a", "description": {"en-US": "A"}}]);
        let ok = json!({"id": "http://x.com/q", "definition": {
            "interactionType": "choice", "choices": choices, "correctResponsesPattern": ["a"]}});
        assert!(check(ok).is_ok());
        let bad = json!({"id": "http://x.com/q", "definition": {
            "interactionType": "likert", "choices": choices}});
        assert!(check(bad).is_err());
    }

    #[test]
    fn component_ids_are_unique() {
        let bad = json!({"id": "http://x.com/q", "definition": {
            "interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]}});
        assert!(check(bad).unwrap_err().rule.contains("twice"));
    }

    #[test]
    fn unknown_interaction_type_is_rejected() {
        let bad = json!({"id": "http://x.com/q", "definition": {"interactionType": "essay"}});
        assert!(check(bad).is_err());
    }
}
