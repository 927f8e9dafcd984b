//! A page of learners as the list and its CSV show them: who, their belts held and
//! their course progress, read for the whole page in two queries.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::certification::learners::search;
use crate::error::Error;
use entities::cert_learner;

/// One learner line.
pub struct Row {
    pub key: String,
    /// `/console/learners/<key, percent-encoded>`.
    pub href: String,
    pub name: String,
    pub email: String,
    pub audience: String,
    pub org_unit: String,
    /// Names of the belts held.
    pub belts: Vec<String>,
    pub courses_started: u64,
    pub courses_satisfied: u64,
}

/// The learner page's address for `key`.
pub fn href(key: &str) -> String {
    format!("/console/learners/{}", segment(key))
}

/// `text` percent-encoded as one path segment (form encoding writes a space as `+`,
/// which a path keeps as a plus; a literal plus is already `%2B`).
pub fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// An email as people write it (the registry may keep the `mailto:` IRI).
pub fn email(stored: Option<&str>) -> String {
    stored
        .map(|e| e.strip_prefix("mailto:").unwrap_or(e).to_owned())
        .unwrap_or_default()
}

/// An attribute's values, comma-separated.
pub fn attribute(attributes: &Value, name: &str) -> String {
    match attributes.get(name) {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::String(one)) => one.clone(),
        _ => String::new(),
    }
}

/// The rows of `learners`, with belt names from `names` (belt id → name).
pub async fn build(
    conn: &impl ConnectionTrait,
    learners: Vec<cert_learner::Model>,
    names: &HashMap<String, String>,
) -> Result<Vec<Row>, Error> {
    let keys: Vec<String> = learners.iter().map(|l| l.learner_key.clone()).collect();
    let belts = search::active_belts(conn, &keys).await?;
    let courses = search::course_counts(conn, &keys).await?;
    Ok(learners
        .into_iter()
        .map(|l| {
            let (started, satisfied) = courses.get(&l.learner_key).copied().unwrap_or((0, 0));
            Row {
                href: href(&l.learner_key),
                name: l.name.clone().unwrap_or_default(),
                email: email(l.email.as_deref()),
                audience: attribute(&l.attributes, "audience"),
                org_unit: attribute(&l.attributes, "org_unit"),
                belts: belts
                    .get(&l.learner_key)
                    .map(|ids| {
                        ids.iter()
                            .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                courses_started: started,
                courses_satisfied: satisfied,
                key: l.learner_key,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_is_one_path_segment_in_its_address() {
        assert_eq!(
            href("account:https://lms.example.com|u 1"),
            "/console/learners/account%3Ahttps%3A%2F%2Flms.example.com%7Cu%201"
        );
    }

    #[test]
    fn attributes_read_as_lists_or_single_values() {
        let a = json!({"audience": ["sales", "emea"], "org_unit": "ops"});
        assert_eq!(attribute(&a, "audience"), "sales, emea");
        assert_eq!(attribute(&a, "org_unit"), "ops");
        assert_eq!(attribute(&a, "role"), "");
        assert_eq!(email(Some("mailto:a@b.c")), "a@b.c");
    }
}
