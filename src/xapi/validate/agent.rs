//! Agents and Groups, identified by exactly one inverse functional identifier (IFI).
//! Spec: xAPI-Data 2.4.2.1 (Agent), 2.4.2.2 (Group), 2.4.2.3 (IFIs).

use serde_json::Value;

use super::error::{Check, ValidationError};
use super::json::{array, object, object_type, required, string};
use super::path::JsonPath;
use super::primitives::{is_absolute_iri, mbox, sha1sum};

const IFIS: [&str; 4] = ["mbox", "mbox_sha1sum", "openid", "account"];
const AGENT_KEYS: [&str; 6] = [
    "objectType",
    "name",
    "mbox",
    "mbox_sha1sum",
    "openid",
    "account",
];
const GROUP_KEYS: [&str; 7] = [
    "objectType",
    "name",
    "mbox",
    "mbox_sha1sum",
    "openid",
    "account",
    "member",
];

/// An Agent or a Group (as `actor`, `instructor`, `authority`, or an object).
pub fn agent_or_group(value: &Value, path: &JsonPath<'_>) -> Check {
    match value.get("objectType").and_then(Value::as_str) {
        Some("Group") => group(value, path),
        _ => agent(value, path),
    }
}

/// An Agent: optional `objectType: "Agent"`, optional name, exactly one IFI.
pub fn agent(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &AGENT_KEYS)?;
    match object_type(map, path)? {
        None | Some("Agent") => {}
        Some(other) => {
            return Err(ValidationError::new(
                &path.key("objectType"),
                format!("must be \"Agent\" here, got {other:?}"),
            ));
        }
    }
    name(map.get("name"), path)?;
    match ifi_count(value, path)? {
        1 => Ok(()),
        0 => Err(ValidationError::new(
            path,
            "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account",
        )),
        _ => Err(ValidationError::new(
            path,
            "an Agent must have only one of mbox, mbox_sha1sum, openid, account",
        )),
    }
}

/// A Group: identified (one IFI, members optional) or anonymous (no IFI, members required).
pub fn group(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &GROUP_KEYS)?;
    if object_type(map, path)? != Some("Group") {
        return Err(ValidationError::new(
            &path.key("objectType"),
            "must be \"Group\"",
        ));
    }
    name(map.get("name"), path)?;
    let ifis = ifi_count(value, path)?;
    if ifis > 1 {
        return Err(ValidationError::new(
            path,
            "a Group must have at most one of mbox, mbox_sha1sum, openid, account",
        ));
    }
    let members_path = path.key("member");
    match map.get("member") {
        Some(members) => {
            let members = array(members, &members_path)?;
            if ifis == 0 && members.is_empty() {
                return Err(ValidationError::new(
                    &members_path,
                    "an anonymous Group must list at least one member",
                ));
            }
            for (i, member) in members.iter().enumerate() {
                // Members are Agents: Groups do not nest.
                agent(member, &members_path.index(i))?;
            }
            Ok(())
        }
        None if ifis == 0 => Err(ValidationError::new(
            path,
            "an anonymous Group (no IFI) must have a `member` list",
        )),
        None => Ok(()),
    }
}

fn name(value: Option<&Value>, path: &JsonPath<'_>) -> Check {
    match value {
        Some(value) => string(value, &path.key("name")).map(|_| ()),
        None => Ok(()),
    }
}

/// Validates each IFI present and counts them.
fn ifi_count(value: &Value, path: &JsonPath<'_>) -> Result<usize, ValidationError> {
    let mut count = 0;
    for key in IFIS {
        let Some(ifi) = value.get(key) else { continue };
        let ifi_path = path.key(key);
        match key {
            "mbox" => mbox(ifi, &ifi_path)?,
            "mbox_sha1sum" => sha1sum(ifi, &ifi_path)?,
            "openid" => {
                let text = string(ifi, &ifi_path)?;
                if !is_absolute_iri(text) {
                    return Err(ValidationError::new(&ifi_path, "must be an absolute URI"));
                }
            }
            _ => account(ifi, &ifi_path)?,
        }
        count += 1;
    }
    Ok(count)
}

/// `{homePage: IRL, name: string}`, both required.
fn account(value: &Value, path: &JsonPath<'_>) -> Check {
    let map = object(value, path, &["homePage", "name"])?;
    let home_path = path.key("homePage");
    let home = string(required(map, "homePage", path)?, &home_path)?;
    if !is_absolute_iri(home) {
        return Err(ValidationError::new(
            &home_path,
            "must be an absolute IRL such as https://lms.example.com",
        ));
    }
    string(required(map, "name", path)?, &path.key("name"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value) -> Check {
        agent_or_group(&value, &JsonPath::root("$"))
    }

    #[test]
    fn agent_with_one_ifi_is_valid() {
        assert!(check(json!({"mbox": "mailto:a@b.c", "name": "A"})).is_ok());
        assert!(check(json!({"account": {"homePage": "http://x.com", "name": "1"}})).is_ok());
    }

    #[test]
    fn agent_with_two_ifis_is_rejected() {
        let err = check(json!({"mbox": "mailto:a@b.c", "openid": "http://x.com/a"}));
        assert!(err.unwrap_err().rule.contains("only one"));
    }

    #[test]
    fn agent_without_ifi_is_rejected() {
        assert!(check(json!({"name": "nobody"})).is_err());
    }

    #[test]
    fn anonymous_group_needs_members() {
        assert!(check(json!({"objectType": "Group"})).is_err());
        assert!(check(json!({"objectType": "Group", "member": []})).is_err());
        assert!(
            check(json!({"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}]})).is_ok()
        );
    }

    #[test]
    fn groups_do_not_nest() {
        let nested = json!({"objectType": "Group", "member": [
            {"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}]}
        ]});
        assert!(check(nested).is_err());
    }

    #[test]
    fn account_needs_home_page_and_name() {
        let err = check(json!({"account": {"homePage": "http://x.com"}})).unwrap_err();
        assert_eq!(err.path, "$.account");
        assert!(check(json!({"account": {"homePage": "nope", "name": "n"}})).is_err());
    }
}
