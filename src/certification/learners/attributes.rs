//! Learner attributes from LTI launches: the custom parameters `audience`, `org_unit`
//! and `role` (comma-separated; an administrator sets them on the link or the LMS
//! substitutes them), and the LTI roles when no `role` is given. Recorded after the
//! launch, with a re-evaluation of the learner when they changed (attribute belts).

use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use serde_json::{Map, Value, json};

use super::store::{Learner, find, upsert};
use crate::db::Db;
use crate::error::Error;

/// The attribute names a program can test.
pub const NAMES: [&str; 3] = ["audience", "org_unit", "role"];

/// Attributes from LTI custom parameters (`custom` keys without the 1.1 `custom_`
/// prefix) and LTI role URIs. Names not given are left out.
pub fn from_lti(custom: &Map<String, Value>, roles: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    for name in NAMES {
        let Some(text) = custom.get(name).and_then(Value::as_str) else {
            continue;
        };
        // An LMS that does not know a substitution variable sends it unexpanded.
        if text.starts_with('$') {
            continue;
        }
        let values: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if !values.is_empty() {
            out.insert(name.into(), json!(values));
        }
    }
    if !out.contains_key("role") && !roles.is_empty() {
        let short: Vec<String> = roles
            .iter()
            .map(|r| r.rsplit(['#', '/']).next().unwrap_or(r).to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        out.insert("role".into(), json!(short));
    }
    out
}

/// Registers the learner and merges `given` into their attributes; re-evaluates their
/// belts when something changed. Its own short transaction after the launch.
pub async fn record(
    db: &Db,
    learner: Learner,
    given: Map<String, Value>,
    now_us: i64,
) -> Result<(), Error> {
    if given.is_empty() {
        return Ok(());
    }
    let key = learner.learner_key.clone();
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    upsert(&txn, std::slice::from_ref(&learner), now_us).await?;
    let Some(row) = find(&txn, &key).await? else {
        return Ok(());
    };
    let mut attributes = match &row.attributes {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let before = attributes.clone();
    attributes.extend(given);
    if attributes != before {
        let mut active: entities::cert_learner::ActiveModel = row.into();
        active.attributes = Set(Value::Object(attributes));
        active.updated_us = Set(now_us);
        active.update(&txn).await?;
        crate::certification::engine::reevaluate_learner(&txn, &key, now_us).await?;
    }
    txn.commit().await?;
    Ok(())
}
