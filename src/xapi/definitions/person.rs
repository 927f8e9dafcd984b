//! The Person object: everything the LRS knows identifies one agent, each property an
//! array. Black Belt links no identities across IFIs, so a Person holds the IFI asked
//! about plus the names statements used for it.
//! Spec: xAPI-Communication 2.4 (Agents Resource, Person Object).

use serde_json::{Map, Value, json};

const IFIS: [&str; 4] = ["mbox", "mbox_sha1sum", "openid", "account"];

/// Builds a Person from a validated Agent and the names known for it (newest first).
pub fn person(agent: &Value, names: &[String]) -> Value {
    let mut out = Map::new();
    out.insert("objectType".into(), json!("Person"));
    let mut all_names: Vec<String> = Vec::new();
    if let Some(name) = agent.get("name").and_then(Value::as_str) {
        all_names.push(name.to_owned());
    }
    for name in names {
        if !all_names.contains(name) {
            all_names.push(name.clone());
        }
    }
    if !all_names.is_empty() {
        out.insert("name".into(), json!(all_names));
    }
    for ifi in IFIS {
        if let Some(value) = agent.get(ifi) {
            out.insert(ifi.into(), json!([value]));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_is_an_array() {
        let agent = json!({"name": "Ann", "mbox": "mailto:ann@example.com"});
        let p = person(&agent, &["Ann B.".to_owned(), "Ann".to_owned()]);
        assert_eq!(
            p,
            json!({"objectType": "Person", "name": ["Ann", "Ann B."],
                   "mbox": ["mailto:ann@example.com"]})
        );
    }
}
