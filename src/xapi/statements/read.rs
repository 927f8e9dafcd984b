//! Reading statements: by id, and pages of filtered queries in stored order using
//! keyset cursors, so every page costs the same however deep the client pages.
//! Spec: xAPI-Communication 2.1.3 (GET Statements).

use sea_orm::{ConnectionTrait, DbErr, QueryResult};

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
    /// Who is reading: set from the credential on every request, never carried in a
    /// cursor, so a page can show no more than a fetch by id would.
    #[serde(skip)]
    pub visibility: Visibility,
}

/// Which statements a reader may see, whatever its query asks. One rule, applied alike
/// to a fetch by id and to every page of a query, so the two never disagree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Visibility {
    #[default]
    Everything,
    /// `statements/read/mine`: those stored with this credential.
    SentBy(i64),
    /// A launch token: those its learner is the Agent of (the actor, or the object when
    /// it is an Agent or Group), exactly what `agent=<learner>` finds — this agent key.
    AboutAgent(String),
}

impl Visibility {
    /// The index key a statement must carry to be seen, when the rule is one.
    fn required_key(&self) -> Option<(i16, String)> {
        match self {
            Visibility::AboutAgent(key) => Some((KeyKind::Agent.code(), key.clone())),
            Visibility::Everything | Visibility::SentBy(_) => None,
        }
    }

    /// The credential a statement must have been stored with, when the rule is that.
    fn required_credential(&self) -> Option<i64> {
        match self {
            Visibility::SentBy(credential) => Some(*credential),
            Visibility::Everything | Visibility::AboutAgent(_) => None,
        }
    }
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
    /// The statement's JSON text exactly as stored (this server wrote it, so it is
    /// valid JSON): `format=exact` answers with it as it is.
    pub text: String,
}

impl StoredStatement {
    /// The statement parsed, number texts kept, for callers that look inside it.
    pub fn payload(&self) -> Result<serde_json::Value, DbErr> {
        parse_stored(&self.text).map_err(|e| DbErr::Json(format!("stored statement: {e}")))
    }
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

/// One statement by id, voided or not, if `visibility` lets the reader see it; callers
/// decide whether voided ones may be returned.
pub async fn find_by_id(
    conn: &impl ConnectionTrait,
    id: &str,
    visibility: &Visibility,
) -> Result<Option<StoredStatement>, DbErr> {
    let mut sql = Sql::new(&format!(
        "SELECT s.seq, s.stored_us, s.voided, {PAYLOAD_TEXT} FROM statements s WHERE "
    ));
    sql.bind("s.id = ?", id.to_ascii_lowercase());
    if let Some(credential) = visibility.required_credential() {
        sql.bind(" AND s.credential_id = ?", credential);
    }
    if let Some((kind, key)) = visibility.required_key() {
        sql.push(" AND EXISTS (SELECT 1 FROM statement_index v WHERE ")
            .bind("v.kind = ?", kind)
            .bind(" AND v.key = ?", key)
            .push(" AND v.stored_us = s.stored_us AND v.seq = s.seq)");
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
    // The visibility rule's key is one more key every statement of the page must carry;
    // as a key it can drive the scan, which keeps a launch token's pages cheap.
    let mut keys = filter.keys.clone();
    if let Some(required) = filter.visibility.required_key()
        && !keys.contains(&required)
    {
        keys.push(required);
        keys.sort_by_key(|(kind, _)| selectivity_rank(*kind));
    }
    let mut sql;
    let driver = match keys.split_first() {
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
            // Each further key is a probe of the primary key for the driving row. `OFFSET
            // 0` keeps PostgreSQL from turning the EXISTS into a join: with statistics
            // stale (autovacuum off) it hashed the whole range of the second key, a
            // verb's 20,000 rows at 1 M, for every agent + verb page (214 ms against
            // 1.7 ms; issue 19).
            for (kind, key) in rest {
                sql.push(" AND EXISTS (SELECT 1 FROM statement_index x WHERE ")
                    .bind("x.kind = ?", *kind)
                    .bind(" AND x.key = ?", key.clone())
                    .push(" AND x.stored_us = d.stored_us AND x.seq = d.seq LIMIT 1 OFFSET 0)");
            }
            sql.bind(" AND s.voided = ?", false);
            "d"
        }
    };
    if let Some(credential) = filter.visibility.required_credential() {
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
        text: row.try_get("", "payload")?,
    })
}
