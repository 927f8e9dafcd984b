//! The certification audit log: who changed what, when and why.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

use crate::error::Error;
use entities::cert_audit;

/// One audit entry, written in the transaction of the change it records.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// `system`, `credential:<id>`, `learner:<key>`, `console:<user>`.
    pub actor: String,
    /// `award`, `renew`, `expire`, `revoke`, `extend`, `evidence.submit`…
    pub action: String,
    pub learner_key: Option<String>,
    pub belt_id: Option<String>,
    pub award_id: Option<i64>,
    pub evidence_id: Option<i64>,
    pub reason: Option<String>,
    pub details: Value,
}

/// Appends `entry` at `at_us`.
pub async fn record(conn: &impl ConnectionTrait, at_us: i64, entry: Entry) -> Result<i64, Error> {
    let row = cert_audit::ActiveModel {
        at_us: Set(at_us),
        actor: Set(entry.actor),
        action: Set(entry.action),
        learner_key: Set(entry.learner_key),
        belt_id: Set(entry.belt_id),
        award_id: Set(entry.award_id),
        evidence_id: Set(entry.evidence_id),
        reason: Set(entry.reason),
        details: Set(if entry.details.is_null() {
            Value::Object(Default::default())
        } else {
            entry.details
        }),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}
