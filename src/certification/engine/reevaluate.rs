//! `blackbelt program reevaluate`: every known learner's belts re-derived under the
//! current programs, in chunks (one transaction and one batch of reads per chunk).

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, TransactionTrait};
use serde_json::Value;

use super::evaluate_learners;
use super::rules::Rules;
use crate::certification::learners::{Learner, upsert};
use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;
use entities::cert_learner;

/// Learners per transaction.
const CHUNK: usize = 1000;

/// Re-derives every known learner's belts under the current programs (after a program
/// change): idempotent, keeps existing awards. `progress(done, total)` is called as
/// learners are processed (the CLI draws a bar with it). Returns awards created or renewed.
pub async fn reevaluate_all(
    db: &Db,
    now_us: i64,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<u64, Error> {
    register_learners(db, now_us).await?;
    let programs = crate::certification::program::store::current_all(&db.conn).await?;
    let rules = Rules::new(programs);
    let learners: Vec<String> = cert_learner::Entity::find()
        .select_only()
        .column(cert_learner::Column::LearnerKey)
        .order_by_asc(cert_learner::Column::LearnerKey)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let total = learners.len() as u64;
    progress(0, total);
    if rules.is_empty() {
        progress(total, total);
        return Ok(0);
    }
    let all: BTreeSet<(usize, usize)> = rules.all_belts();
    let mut changed = 0u64;
    let mut done = 0u64;
    for chunk in learners.chunks(CHUNK) {
        let todo: BTreeMap<String, BTreeSet<(usize, usize)>> =
            chunk.iter().map(|k| (k.clone(), all.clone())).collect();
        let _gate = db.write_gate().await;
        let txn = db.writer().begin().await?;
        changed += evaluate_learners(&txn, &rules, todo, now_us).await?.len() as u64;
        txn.commit().await?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    Ok(changed)
}

/// Adds the learners of registrations the registry has not seen yet.
async fn register_learners(db: &Db, now_us: i64) -> Result<(), Error> {
    let sql = Sql::new(
        "SELECT r.learner_key, r.actor, r.email FROM registrations r \
         LEFT JOIN cert_learners l ON l.learner_key = r.learner_key \
         WHERE l.learner_key IS NULL",
    );
    let rows = db.conn.query_all_raw(sql.build(db.backend())).await?;
    let mut seen = BTreeSet::new();
    let mut learners = Vec::new();
    for row in rows {
        let key: String = row.try_get_by_index(0)?;
        if !seen.insert(key.clone()) {
            continue;
        }
        let actor: Value = row.try_get_by_index(1)?;
        let email: Option<String> = row.try_get_by_index(2)?;
        if let Some(mut l) = Learner::from_actor(&actor, email) {
            l.learner_key = key;
            learners.push(l);
        }
    }
    for chunk in learners.chunks(CHUNK) {
        let _gate = db.write_gate().await;
        let txn = db.writer().begin().await?;
        upsert(&txn, chunk, now_us).await?;
        txn.commit().await?;
    }
    Ok(())
}
