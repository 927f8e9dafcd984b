//! Reads for operators: messages with their target, newest first, by state.

use sea_orm::{ConnectionTrait, QueryResult};
use serde_json::Value;

use crate::error::Error;
use crate::sql::Sql;

/// The states a message can be in, as stored.
pub const STATES: [&str; 4] = ["pending", "failed", "delivered", "superseded"];

/// A message and the channel it goes through, as an operator sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub state: String,
    pub protocol: String,
    pub source: String,
    pub user_id: String,
    pub registration: String,
    pub object_id: String,
    pub label: String,
    pub lineitem_url: Option<String>,
    pub outcome_url: Option<String>,
    pub payload: Value,
    pub attempts: i32,
    pub created_us: i64,
    pub due_us: i64,
    pub expires_us: i64,
    pub last_attempt_us: Option<i64>,
    pub delivered_us: Option<i64>,
    pub failed_us: Option<i64>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_answer: Option<String>,
}

const COLUMNS: &str = "SELECT m.id AS id, m.state AS state, t.protocol AS protocol, \
     t.source AS source, t.user_id AS user_id, t.registration AS registration, \
     t.object_id AS object_id, t.label AS label, t.lineitem_url AS lineitem_url, \
     t.outcome_url AS outcome_url, m.payload AS payload, m.attempts AS attempts, \
     m.created_us AS created_us, m.due_us AS due_us, m.expires_us AS expires_us, \
     m.last_attempt_us AS last_attempt_us, m.delivered_us AS delivered_us, \
     m.failed_us AS failed_us, m.last_status AS last_status, m.last_error AS last_error, \
     m.last_answer AS last_answer \
     FROM passback_messages m JOIN passback_targets t ON t.id = m.target_id";

/// Up to `limit` messages, newest first, in `state` when given, with ids below `before`
/// when given (the previous page's last id).
pub async fn list(
    conn: &impl ConnectionTrait,
    state: Option<&str>,
    limit: u64,
    before: Option<i64>,
) -> Result<Vec<Entry>, Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push(" WHERE 1 = 1");
    if let Some(state) = state {
        sql.bind(" AND m.state = ?", state.to_owned());
    }
    if let Some(before) = before {
        sql.bind(" AND m.id < ?", before);
    }
    sql.push(" ORDER BY m.id DESC")
        .bind(" LIMIT ?", i64::try_from(limit).unwrap_or(i64::MAX));
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter().map(entry).collect()
}

/// One message, or `None`.
pub async fn get(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Entry>, Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.bind(" WHERE m.id = ?", id);
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.as_ref().map(entry).transpose()
}

/// How many messages are in each state (every state, zeros included).
pub async fn counts(conn: &impl ConnectionTrait) -> Result<Vec<(&'static str, i64)>, Error> {
    let sql = Sql::new("SELECT state, COUNT(*) AS n FROM passback_messages GROUP BY state");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out: Vec<(&'static str, i64)> = STATES.iter().map(|s| (*s, 0)).collect();
    for row in rows {
        let state: String = row.try_get("", "state")?;
        let n: i64 = row.try_get("", "n")?;
        if let Some(slot) = out.iter_mut().find(|(s, _)| *s == state) {
            slot.1 = n;
        }
    }
    Ok(out)
}

fn entry(row: &QueryResult) -> Result<Entry, Error> {
    Ok(Entry {
        id: row.try_get("", "id")?,
        state: row.try_get("", "state")?,
        protocol: row.try_get("", "protocol")?,
        source: row.try_get("", "source")?,
        user_id: row.try_get("", "user_id")?,
        registration: row.try_get("", "registration")?,
        object_id: row.try_get("", "object_id")?,
        label: row.try_get("", "label")?,
        lineitem_url: row.try_get("", "lineitem_url")?,
        outcome_url: row.try_get("", "outcome_url")?,
        payload: row.try_get("", "payload")?,
        attempts: row.try_get("", "attempts")?,
        created_us: row.try_get("", "created_us")?,
        due_us: row.try_get("", "due_us")?,
        expires_us: row.try_get("", "expires_us")?,
        last_attempt_us: row.try_get("", "last_attempt_us")?,
        delivered_us: row.try_get("", "delivered_us")?,
        failed_us: row.try_get("", "failed_us")?,
        last_status: row.try_get("", "last_status")?,
        last_error: row.try_get("", "last_error")?,
        last_answer: row.try_get("", "last_answer")?,
    })
}
