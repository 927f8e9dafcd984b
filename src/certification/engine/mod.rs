//! Evaluation: belts (re)derived from standings, statements, evidence and attributes,
//! in the transaction of the change that can affect them.
//!
//! CONTRACT (helper "engine" implements; helper "review" calls `reevaluate_learner`
//! after an evidence decision or an attribute change, in the same transaction).

use sea_orm::DatabaseTransaction;

use crate::error::Error;

/// Re-evaluates every belt of every current program for one learner at `now_us`:
/// awards what is now met, renews what is due. Returns the ids of awards created or renewed.
pub async fn reevaluate_learner(
    _txn: &DatabaseTransaction,
    _learner_key: &str,
    _now_us: i64,
) -> Result<Vec<i64>, Error> {
    Ok(Vec::new())
}

/// Re-derives every known learner's belts under the current programs (after a program
/// change): idempotent, keeps existing awards. `progress(done, total)` is called as
/// learners are processed (the CLI draws a bar with it). Returns awards created or renewed.
pub async fn reevaluate_all(
    _db: &crate::db::Db,
    _now_us: i64,
    _progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<u64, Error> {
    Ok(0)
}
