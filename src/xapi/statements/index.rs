//! The query keys of a statement: which agents, activities, verb and registration a
//! `GET /statements` filter can find it by.
//! Spec: xAPI-Communication 2.1.3 (GET Statements: agent, verb, activity, registration,
//! related_activities, related_agents).

use aws_lc_rs::digest;
use serde_json::Value;

/// What a key identifies. Stored as a small integer; never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    /// Actor, or object when the object is an Agent/Group.
    Agent = 1,
    /// Any agent anywhere: actor, object, authority, instructor, team, members,
    /// contextAgents/Groups, and the same inside a SubStatement.
    RelatedAgent = 2,
    /// The object, when it is an Activity.
    Activity = 3,
    /// The object and every context activity, also inside a SubStatement.
    RelatedActivity = 4,
    Verb = 5,
    Registration = 6,
    /// An Agent key and the verb, as one key (`pair_key`): a query naming both reads
    /// only the statements that carry both, however many each carries alone.
    AgentVerb = 7,
    /// An Activity key and the verb, as one key.
    ActivityVerb = 8,
}

impl KeyKind {
    pub fn code(self) -> i16 {
        self as i16
    }
}

/// One (kind, key) pair.
pub type IndexKey = (KeyKind, String);

/// A `statement_index` row: (kind code, key, stored_us, seq).
pub type IndexRow<'a> = (i16, &'a str, i64, i64);

/// Keys longer than this are replaced by their SHA-256 so index entries stay small.
const MAX_KEY_LEN: usize = 200;

/// Makes the stored form of a key (the same function serves writes and queries).
/// A key holding NUL (an account name may) is hashed too: PostgreSQL text cannot
/// store that character.
pub fn key_text(raw: String) -> String {
    if raw.len() <= MAX_KEY_LEN && !raw.contains('\0') {
        raw
    } else {
        format!(
            "sha256:{}",
            hex::encode(digest::digest(&digest::SHA256, raw.as_bytes()))
        )
    }
}

/// The identity of an Agent or identified Group: its one IFI.
pub fn agent_key(agent: &Value) -> Option<String> {
    let raw = if let Some(mbox) = agent.get("mbox").and_then(Value::as_str) {
        format!("mbox:{mbox}")
    } else if let Some(sum) = agent.get("mbox_sha1sum").and_then(Value::as_str) {
        format!("sha1:{}", sum.to_ascii_lowercase())
    } else if let Some(openid) = agent.get("openid").and_then(Value::as_str) {
        format!("openid:{openid}")
    } else {
        let account = agent.get("account")?;
        let home = account.get("homePage")?.as_str()?;
        let name = account.get("name")?.as_str()?;
        format!("account:{home}|{name}")
    };
    Some(key_text(raw))
}

/// The one key of a (verb, agent) or (verb, activity) pair. The verb's length in
/// characters comes first, so no two pairs share a key whatever their texts hold, and
/// the same text is computable in SQL (`length(v) || ':' || v || '|' || other`) on
/// both databases.
pub fn pair_key(verb: &str, other: &str) -> String {
    format!("{}:{verb}|{other}", verb.chars().count())
}

/// The keys a statement is stored under, from all the keys it matches (its own and
/// those inherited through StatementRefs): every Agent and Activity key paired with
/// every verb, so pairs match exactly when both halves do; and no related key that
/// repeats a direct one (reads of a related key look under both kinds), which keeps
/// the rows per statement where they were before the pairs.
pub fn stored_keys(keys: &[IndexKey]) -> Vec<IndexKey> {
    let of = |kind: KeyKind| keys.iter().filter(move |(k, _)| *k == kind).map(|(_, v)| v);
    let mut stored = Vec::with_capacity(keys.len() + 2);
    for (kind, key) in keys {
        let direct = match kind {
            KeyKind::RelatedAgent => Some(KeyKind::Agent),
            KeyKind::RelatedActivity => Some(KeyKind::Activity),
            _ => None,
        };
        if !direct.is_some_and(|direct| of(direct).any(|k| k == key)) {
            stored.push((*kind, key.clone()));
        }
    }
    for verb in of(KeyKind::Verb) {
        for (pair, kind) in [
            (KeyKind::AgentVerb, KeyKind::Agent),
            (KeyKind::ActivityVerb, KeyKind::Activity),
        ] {
            stored.extend(of(kind).map(|other| (pair, pair_key(verb, other))));
        }
    }
    stored.sort();
    stored.dedup();
    stored
}

/// All keys of a prepared statement, deduplicated and sorted.
pub fn extract_keys(statement: &Value) -> Vec<IndexKey> {
    let mut keys = Vec::with_capacity(12);
    if let Some(verb) = statement.pointer("/verb/id").and_then(Value::as_str) {
        keys.push((KeyKind::Verb, key_text(verb.to_owned())));
    }
    if let Some(reg) = statement
        .pointer("/context/registration")
        .and_then(Value::as_str)
    {
        keys.push((KeyKind::Registration, reg.to_ascii_lowercase()));
    }
    if let Some(authority) = statement.get("authority") {
        related_agents(authority, &mut keys);
    }
    statement_parts(statement, &mut keys, true);
    keys.sort();
    keys.dedup();
    keys
}

/// Keys from actor, object and context — shared by statements and sub-statements.
fn statement_parts(part: &Value, keys: &mut Vec<IndexKey>, top_level: bool) {
    if let Some(actor) = part.get("actor") {
        direct_agent(actor, keys, top_level);
    }
    if let Some(object) = part.get("object") {
        match object.get("objectType").and_then(Value::as_str) {
            None | Some("Activity") => {
                if let Some(id) = object.get("id").and_then(Value::as_str) {
                    let id = key_text(id.to_owned());
                    if top_level {
                        keys.push((KeyKind::Activity, id.clone()));
                    }
                    keys.push((KeyKind::RelatedActivity, id));
                }
            }
            Some("Agent") | Some("Group") => direct_agent(object, keys, top_level),
            Some("SubStatement") => statement_parts(object, keys, false),
            _ => {}
        }
    }
    if let Some(context) = part.get("context") {
        context_keys(context, keys);
    }
}

fn direct_agent(agent: &Value, keys: &mut Vec<IndexKey>, top_level: bool) {
    if top_level && let Some(key) = agent_key(agent) {
        keys.push((KeyKind::Agent, key));
    }
    related_agents(agent, keys);
}

/// The agent itself and, for a Group, each member.
fn related_agents(agent: &Value, keys: &mut Vec<IndexKey>) {
    if let Some(key) = agent_key(agent) {
        keys.push((KeyKind::RelatedAgent, key));
    }
    for member in agent
        .get("member")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(key) = agent_key(member) {
            keys.push((KeyKind::RelatedAgent, key));
        }
    }
}

fn context_keys(context: &Value, keys: &mut Vec<IndexKey>) {
    for role in ["instructor", "team"] {
        if let Some(agent) = context.get(role) {
            related_agents(agent, keys);
        }
    }
    for (list, member) in [("contextAgents", "agent"), ("contextGroups", "group")] {
        for entry in context
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(agent) = entry.get(member) {
                related_agents(agent, keys);
            }
        }
    }
    let Some(Value::Object(activities)) = context.get("contextActivities") else {
        return;
    };
    for list in activities.values() {
        let items = match list {
            Value::Array(items) => items.as_slice(),
            single => std::slice::from_ref(single),
        };
        for id in items
            .iter()
            .filter_map(|a| a.get("id").and_then(Value::as_str))
        {
            keys.push((KeyKind::RelatedActivity, key_text(id.to_owned())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn has(keys: &[IndexKey], kind: KeyKind, key: &str) -> bool {
        keys.iter().any(|(k, v)| *k == kind && v == key)
    }

    #[test]
    fn actor_verb_object_and_registration_are_keys() {
        let keys = extract_keys(&json!({
            "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://v"},
            "object": {"id": "http://act"},
            "context": {"registration": "AAAAAAAA-b88b-4b20-a0a5-a4c32391aaa0"}}));
        assert!(has(&keys, KeyKind::Agent, "mbox:mailto:a@b.c"));
        assert!(has(&keys, KeyKind::Verb, "http://v"));
        assert!(has(&keys, KeyKind::Activity, "http://act"));
        assert!(has(
            &keys,
            KeyKind::Registration,
            "aaaaaaaa-b88b-4b20-a0a5-a4c32391aaa0"
        ));
    }

    #[test]
    fn substatement_parts_are_related_only() {
        let keys = extract_keys(&json!({
            "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://v"},
            "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:s@b.c"},
                "verb": {"id": "http://v2"}, "object": {"id": "http://inner"}}}));
        assert!(has(&keys, KeyKind::RelatedAgent, "mbox:mailto:s@b.c"));
        assert!(!has(&keys, KeyKind::Agent, "mbox:mailto:s@b.c"));
        assert!(has(&keys, KeyKind::RelatedActivity, "http://inner"));
        assert!(!has(&keys, KeyKind::Activity, "http://inner"));
    }

    #[test]
    fn authority_and_context_agents_are_related() {
        let keys = extract_keys(&json!({
            "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://v"},
            "object": {"id": "http://act"}, "authority": {"mbox": "mailto:lrs@b.c"},
            "context": {"instructor": {"mbox": "mailto:i@b.c"},
                "contextActivities": {"parent": [{"id": "http://parent"}]}}}));
        assert!(has(&keys, KeyKind::RelatedAgent, "mbox:mailto:lrs@b.c"));
        assert!(has(&keys, KeyKind::RelatedAgent, "mbox:mailto:i@b.c"));
        assert!(has(&keys, KeyKind::RelatedActivity, "http://parent"));
    }

    #[test]
    fn stored_keys_pair_each_agent_and_activity_with_the_verb_and_drop_repeats() {
        let keys = extract_keys(&json!({
            "actor": {"objectType": "Group", "mbox": "mailto:g@b.c",
                "member": [{"mbox": "mailto:m@b.c"}]},
            "verb": {"id": "http://v"}, "object": {"id": "http://act"},
            "context": {"contextActivities": {"parent": [{"id": "http://act"}, {"id": "http://p"}]}}}));
        let stored = stored_keys(&keys);
        assert!(has(
            &stored,
            KeyKind::AgentVerb,
            "8:http://v|mbox:mailto:g@b.c"
        ));
        assert!(has(&stored, KeyKind::ActivityVerb, "8:http://v|http://act"));
        // The actor and the object are found as related through their direct rows.
        assert!(has(&stored, KeyKind::Agent, "mbox:mailto:g@b.c"));
        assert!(!has(&stored, KeyKind::RelatedAgent, "mbox:mailto:g@b.c"));
        assert!(!has(&stored, KeyKind::RelatedActivity, "http://act"));
        // A member or a context activity has no direct row, so keeps its related one.
        assert!(has(&stored, KeyKind::RelatedAgent, "mbox:mailto:m@b.c"));
        assert!(has(&stored, KeyKind::RelatedActivity, "http://p"));
        let pairs = stored.iter().filter(|(k, _)| k.code() >= 7).count();
        assert_eq!(pairs, 2, "{stored:?}");
    }

    #[test]
    fn inherited_keys_pair_across_the_chain() {
        // A StatementRef's keys are its own plus its target's: each agent pairs with
        // each verb, as a query of agent and verb matches them separately.
        let keys = vec![
            (KeyKind::Agent, "a1".to_owned()),
            (KeyKind::Agent, "a2".to_owned()),
            (KeyKind::Verb, "v1".to_owned()),
            (KeyKind::Verb, "v2".to_owned()),
        ];
        let pairs: Vec<_> = stored_keys(&keys)
            .into_iter()
            .filter(|(k, _)| *k == KeyKind::AgentVerb)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(pairs, ["2:v1|a1", "2:v1|a2", "2:v2|a1", "2:v2|a2"]);
    }

    #[test]
    fn pair_keys_cannot_collide() {
        assert_ne!(pair_key("http://a|b", "c"), pair_key("http://a", "b|c"));
        assert_eq!(pair_key("é", "x"), "1:é|x");
    }

    #[test]
    fn long_keys_are_hashed() {
        let long = format!("http://x.com/{}", "a".repeat(300));
        assert!(key_text(long).starts_with("sha256:"));
    }
}
