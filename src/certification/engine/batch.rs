//! Awards decided for many learners at once, stored in multi-row inserts rather than one
//! round trip each (`program reevaluate` writes 186,640 awards in its first pass).
//!
//! A belt that requires another belt earned in the same pass names that award in its
//! evidence before the award has an id (`award_id` 0, see `evaluate`): awards are stored
//! in waves, each award once every award it names has its id.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::rules::BeltRef;
use crate::certification::awards::store::{active_key, insert_active_many};
use crate::error::Error;
use entities::cert_award;

/// An award decided but not stored yet (`award.id` is 0 until `store`).
pub struct PendingAward {
    pub award: cert_award::Model,
    /// The learner's xAPI actor (for the announcing statement).
    pub actor: Value,
    pub at: BeltRef,
}

/// Stores `pending` and fills in each award's id (and the ids its evidence names).
/// `Ok(None)` when the database already held one of the belts: another transaction
/// awarded it first, and the caller must decide again one award at a time.
pub async fn store(
    conn: &impl ConnectionTrait,
    mut pending: Vec<PendingAward>,
) -> Result<Option<Vec<PendingAward>>, Error> {
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut waiting: Vec<usize> = (0..pending.len()).collect();
    while !waiting.is_empty() {
        let (ready, rest): (Vec<usize>, Vec<usize>) = waiting.into_iter().partition(|&i| {
            let award = &pending[i].award;
            unresolved(&award.evidence, &award.learner_key)
                .iter()
                .all(|key| ids.contains_key(key))
        });
        if ready.is_empty() {
            return Err(Error::Internal(
                "awards of one pass name each other in their evidence".into(),
            ));
        }
        for &i in &ready {
            let learner = pending[i].award.learner_key.clone();
            resolve(&mut pending[i].award.evidence, &learner, &ids);
        }
        let wave: Vec<cert_award::Model> =
            ready.iter().map(|&i| pending[i].award.clone()).collect();
        let stored = insert_active_many(conn, &wave).await?;
        if stored.len() < wave.len() {
            return Ok(None);
        }
        for &i in &ready {
            let key = active_key(&pending[i].award.learner_key, &pending[i].award.belt_id);
            let Some(&id) = stored.get(&key) else {
                return Ok(None);
            };
            pending[i].award.id = id;
            ids.insert(key, id);
        }
        waiting = rest;
    }
    Ok(Some(pending))
}

/// The `active_key`s of the awards of this pass that `evidence` names (`award_id` 0).
fn unresolved(evidence: &Value, learner: &str) -> Vec<String> {
    let mut keys = Vec::new();
    walk(evidence, &mut |item| {
        if is_pending_ref(item)
            && let Some(belt) = item.get("belt").and_then(Value::as_str)
        {
            keys.push(active_key(learner, belt));
        }
    });
    keys
}

/// Puts the stored ids into `evidence`'s references to awards of this pass.
fn resolve(evidence: &mut Value, learner: &str, ids: &HashMap<String, i64>) {
    walk_mut(evidence, &mut |item| {
        if is_pending_ref(item)
            && let Some(belt) = item.get("belt").and_then(Value::as_str)
            && let Some(&id) = ids.get(&active_key(learner, belt))
        {
            item["award_id"] = Value::from(id);
        }
    });
}

fn is_pending_ref(item: &Value) -> bool {
    item.get("kind").and_then(Value::as_str) == Some("belt")
        && item.get("award_id").and_then(Value::as_i64) == Some(0)
}

fn walk(value: &Value, f: &mut impl FnMut(&Value)) {
    f(value);
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk(v, f)),
        Value::Object(map) => map.values().for_each(|v| walk(v, f)),
        _ => {}
    }
}

fn walk_mut(value: &mut Value, f: &mut impl FnMut(&mut Value)) {
    f(value);
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| walk_mut(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| walk_mut(v, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_to_awards_of_the_same_pass_are_found_and_resolved() {
        let mut evidence = json!([
            {"kind": "belt", "belt": "white", "award_id": 0},
            {"kind": "belt", "belt": "blue", "award_id": 7},
            {"kind": "statement", "id": "x"}
        ]);
        assert_eq!(unresolved(&evidence, "ada"), vec!["ada white".to_owned()]);
        let ids = HashMap::from([("ada white".to_owned(), 42)]);
        resolve(&mut evidence, "ada", &ids);
        assert_eq!(evidence[0]["award_id"], json!(42));
        assert_eq!(evidence[1]["award_id"], json!(7));
        assert!(unresolved(&evidence, "ada").is_empty());
    }
}
