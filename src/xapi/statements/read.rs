//! Reading statements: by id, and pages of filtered queries in stored order using
//! keyset cursors, so every page costs the same however deep the client pages.
//! Spec: xAPI-Communication 2.1.3 (GET Statements).

use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use serde_json::Value;

use super::index::KeyKind;
use crate::sql::Sql;
use crate::xapi::validate::parse_stored;

/// The filters of one query, already validated and turned into index keys.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatementFilter {
    /// (kind, key) pairs that must all match; the first drives the scan.
    pub keys: Vec<(i16, String)>,
    /// Exclusive lower bound on `stored`, microseconds.
    pub since_us: Option<i64>,
    /// Inclusive upper bound on `stored`, microseconds.
    pub until_us: Option<i64>,
    pub ascending: bool,
    /// Restricts to one credential's statements (`statements/read/mine`).
    pub credential_id: Option<i64>,
}

/// Position after the last statement of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub stored_us: i64,
    pub seq: i64,
}

/// A stored statement as read back.
#[derive(Debug, Clone)]
pub struct StoredStatement {
    pub position: Position,
    pub voided: bool,
    pub payload: Value,
}

impl StatementFilter {
    /// Orders key filters so the most selective one drives the scan.
    pub fn add_key(&mut self, kind: KeyKind, key: String) {
        self.keys.push((kind.code(), key));
        self.keys.sort_by_key(|(kind, _)| selectivity_rank(*kind));
    }
}

fn selectivity_rank(kind: i16) -> u8 {
    match kind {
        k if k == KeyKind::Registration.code() => 0,
        k if k == KeyKind::Agent.code() => 1,
        k if k == KeyKind::Activity.code() => 2,
        k if k == KeyKind::RelatedAgent.code() => 3,
        k if k == KeyKind::RelatedActivity.code() => 4,
        _ => 5,
    }
}

/// One statement by id, voided or not; callers decide which they may return.
pub async fn find_by_id(
    conn: &impl ConnectionTrait,
    id: &str,
    credential_id: Option<i64>,
) -> Result<Option<StoredStatement>, DbErr> {
    let mut sql = Sql::new(&format!(
        "SELECT seq, stored_us, voided, {PAYLOAD_TEXT} FROM statements WHERE "
    ));
    sql.bind("id = ?", id.to_ascii_lowercase());
    if let Some(credential) = credential_id {
        sql.bind(" AND credential_id = ?", credential);
    }
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.map(|row| stored_statement(&row)).transpose()
}

/// Up to `limit` statements after `after`, in the filter's order.
pub async fn find_page(
    conn: &impl ConnectionTrait,
    filter: &StatementFilter,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<StoredStatement>, DbErr> {
    let (order, cmp) = if filter.ascending {
        ("ASC", ">")
    } else {
        ("DESC", "<")
    };
    let mut sql;
    let driver = match filter.keys.split_first() {
        None => {
            sql = Sql::new(&format!(
                "SELECT s.seq, s.stored_us, s.voided, {PAYLOAD_TEXT} FROM statements s WHERE s.voided = "
            ));
            sql.bind("?", false);
            "s"
        }
        Some(((kind, key), rest)) => {
            sql = Sql::new(&format!(
                "SELECT s.seq, s.stored_us, s.voided, {PAYLOAD_TEXT} FROM statement_index d JOIN statements s ON s.seq = d.seq WHERE "
            ));
            sql.bind("d.kind = ?", *kind)
                .bind(" AND d.key = ?", key.clone());
            for (kind, key) in rest {
                sql.push(" AND EXISTS (SELECT 1 FROM statement_index x WHERE ")
                    .bind("x.kind = ?", *kind)
                    .bind(" AND x.key = ?", key.clone())
                    .push(" AND x.stored_us = d.stored_us AND x.seq = d.seq)");
            }
            sql.bind(" AND s.voided = ?", false);
            "d"
        }
    };
    if let Some(credential) = filter.credential_id {
        sql.bind(" AND s.credential_id = ?", credential);
    }
    if let Some(since) = filter.since_us {
        sql.bind(&format!(" AND {driver}.stored_us > ?"), since);
    }
    if let Some(until) = filter.until_us {
        sql.bind(&format!(" AND {driver}.stored_us <= ?"), until);
    }
    if let Some(position) = after {
        sql.bind(
            &format!(" AND ({driver}.stored_us, {driver}.seq) {cmp} (?"),
            position.stored_us,
        )
        .bind(", ?)", position.seq);
    }
    sql.push(&format!(
        " ORDER BY {driver}.stored_us {order}, {driver}.seq {order} LIMIT {limit}"
    ));
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter().map(stored_statement).collect()
}

/// The payload as the text it was stored as: decoded as JSON by the driver, numbers
/// would lose their exact text (see `parse_stored`).
const PAYLOAD_TEXT: &str = "CAST(payload AS TEXT) AS payload";

fn stored_statement(row: &QueryResult) -> Result<StoredStatement, DbErr> {
    Ok(StoredStatement {
        position: Position {
            stored_us: row.try_get("", "stored_us")?,
            seq: row.try_get("", "seq")?,
        },
        voided: row.try_get("", "voided")?,
        payload: parse_stored(&row.try_get::<String>("", "payload")?)
            .map_err(|e| DbErr::Json(format!("stored statement: {e}")))?,
    })
}
