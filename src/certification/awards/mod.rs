//! Awards: a belt held by a learner, and the operations on it. Each operation writes
//! its xAPI statement (by the system authority) and its audit entry in the caller's
//! transaction.
//!
//! CONTRACT (helper "engine" implements; helper "review" calls): the signatures below
//! are fixed; the bodies are filled in by the engine branch.

use sea_orm::DatabaseTransaction;
use serde_json::Value;

use crate::error::Error;
use entities::cert_award;

/// Who made a manual change, and why.
#[derive(Debug, Clone)]
pub struct Manual {
    /// `credential:<id>`, `console:<user>`…
    pub by: String,
    pub reason: String,
}

/// Awards `belt_id` of the current program to `learner_key` by hand (prior certification…).
/// 409 `Conflict` when the learner already holds it; 404 when the belt or learner is unknown.
pub async fn award_manually(
    _txn: &DatabaseTransaction,
    _learner_key: &str,
    _belt_id: &str,
    _who: &Manual,
    _now_us: i64,
) -> Result<cert_award::Model, Error> {
    Err(Error::NotImplemented(
        "manual awards land with the engine branch".into(),
    ))
}

/// Revokes an active award (status `revoked`, `active_key` cleared). 409 when not active.
pub async fn revoke(
    _txn: &DatabaseTransaction,
    _award_id: i64,
    _who: &Manual,
    _now_us: i64,
) -> Result<cert_award::Model, Error> {
    Err(Error::NotImplemented(
        "revocation lands with the engine branch".into(),
    ))
}

/// Moves an active award's `valid_until` (and its expiry) to `until_us`. 409 when not active.
pub async fn extend(
    _txn: &DatabaseTransaction,
    _award_id: i64,
    _until_us: i64,
    _who: &Manual,
    _now_us: i64,
) -> Result<cert_award::Model, Error> {
    Err(Error::NotImplemented(
        "extension lands with the engine branch".into(),
    ))
}

/// Evidence recorded on an award: what satisfied which requirement.
pub type AwardEvidence = Value;
