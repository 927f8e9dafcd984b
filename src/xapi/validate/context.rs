//! The `context` of a statement, including xAPI 2.0's contextAgents and contextGroups.
//! Spec: xAPI-Data 2.4.6 (Context); IEEE 9274.1.1 9.4.6 (contextAgents, contextGroups).

use serde_json::Value;

use super::activity::activity;
use super::agent::{agent, agent_or_group, group};
use super::error::{Check, ValidationError};
use super::json::{array, object, required, string};
use super::path::JsonPath;
use super::primitives::{iri, statement_ref, uuid};
use super::statement::optional_extensions;
use crate::xapi::version::XapiVersion;

const KEYS_1_0: [&str; 9] = [
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
];
const KEYS_2_0: [&str; 11] = [
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
    "contextAgents",
    "contextGroups",
];

pub fn context(
    value: &Value,
    path: &JsonPath<'_>,
    version: XapiVersion,
    object_is_activity: bool,
) -> Check {
    let allowed: &[&str] = match version {
        XapiVersion::V1_0 => &KEYS_1_0,
        XapiVersion::V2_0 => &KEYS_2_0,
    };
    let map = object(value, path, allowed)?;
    if let Some(registration) = map.get("registration") {
        uuid(registration, &path.key("registration"))?;
    }
    if let Some(instructor) = map.get("instructor") {
        agent_or_group(instructor, &path.key("instructor"))?;
    }
    if let Some(team) = map.get("team") {
        group(team, &path.key("team"))?;
    }
    if let Some(activities) = map.get("contextActivities") {
        context_activities(activities, &path.key("contextActivities"))?;
    }
    for key in ["revision", "platform"] {
        let Some(text) = map.get(key) else { continue };
        string(text, &path.key(key))?;
        if !object_is_activity {
            return Err(ValidationError::new(
                &path.key(key),
                "is only allowed when the statement's object is an Activity",
            ));
        }
    }
    if let Some(language) = map.get("language") {
        let tag = string(language, &path.key("language"))?;
        if language_tags::LanguageTag::parse(tag).is_err() {
            return Err(ValidationError::new(
                &path.key("language"),
                format!("{tag:?} is not an RFC 5646 language tag"),
            ));
        }
    }
    if let Some(reference) = map.get("statement") {
        statement_ref(reference, &path.key("statement"))?;
    }
    if let Some(list) = map.get("contextAgents") {
        typed_members(list, &path.key("contextAgents"), "contextAgent", "agent")?;
    }
    if let Some(list) = map.get("contextGroups") {
        typed_members(list, &path.key("contextGroups"), "contextGroup", "group")?;
    }
    optional_extensions(map, path)
}

/// `parent`, `grouping`, `category`, `other`: an Activity or an array of them.
fn context_activities(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &["parent", "grouping", "category", "other"])?;
    for (key, list) in map {
        let list_path = path.key(key);
        match list {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    activity(item, &list_path.index(i))?;
                }
            }
            single => activity(single, &list_path)?,
        }
    }
    Ok(())
}

/// contextAgents / contextGroups: `[{objectType, agent|group, relevantTypes?}]`.
fn typed_members(value: &Value, path: &JsonPath<'_>, object_type: &str, member: &str) -> Check {
    for (i, item) in array(value, path)?.iter().enumerate() {
        let item_path = path.index(i);
        let map = object(item, &item_path, &["objectType", member, "relevantTypes"])?;
        let kind = string(
            required(map, "objectType", &item_path)?,
            &item_path.key("objectType"),
        )?;
        if kind != object_type {
            return Err(ValidationError::new(
                &item_path.key("objectType"),
                format!("must be {object_type:?}"),
            ));
        }
        let member_value = required(map, member, &item_path)?;
        if member == "agent" {
            agent(member_value, &item_path.key(member))?;
        } else {
            group(member_value, &item_path.key(member))?;
        }
        if let Some(types) = map.get("relevantTypes") {
            let types_path = item_path.key("relevantTypes");
            let types = array(types, &types_path)?;
            if types.is_empty() {
                return Err(ValidationError::new(&types_path, "must not be empty"));
            }
            for (j, kind) in types.iter().enumerate() {
                iri(kind, &types_path.index(j))?;
            }
        }
    }
    Ok(())
}
