//! Stored evidence and its file bytes (content-addressed in `blobs`, shared with
//! package files: equal bytes are stored once).

use aws_lc_rs::digest;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::error::Error;
use crate::sql::Sql;
use entities::cert_evidence::{self, Column};

/// The stored statuses.
pub const STATUSES: [&str; 4] = ["pending", "approved", "rejected", "withdrawn"];

/// A submission that passed its checks.
pub struct NewEvidence {
    pub learner_key: String,
    pub belt_id: String,
    pub requirement_id: String,
    pub kind: &'static str,
    pub text: Option<String>,
    pub url: Option<String>,
    pub file: Option<NewFile>,
    pub submitted_by: String,
}

pub struct NewFile {
    pub name: Option<String>,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Stores the file's bytes (once per SHA-256) and the evidence row.
pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewEvidence,
    now_us: i64,
) -> Result<cert_evidence::Model, Error> {
    let (sha, name, media_type, size) = match new.file {
        Some(file) => {
            let size = file.bytes.len() as i64;
            let sha = put_blob(conn, file.bytes).await?;
            (Some(sha), file.name, Some(file.media_type), Some(size))
        }
        None => (None, None, None, None),
    };
    let row = cert_evidence::ActiveModel {
        learner_key: Set(new.learner_key),
        belt_id: Set(new.belt_id),
        requirement_id: Set(new.requirement_id),
        kind: Set(new.kind.to_owned()),
        text: Set(new.text),
        url: Set(new.url),
        file_sha256: Set(sha),
        file_name: Set(name),
        media_type: Set(media_type),
        file_bytes: Set(size),
        status: Set("pending".to_owned()),
        submitted_us: Set(now_us),
        submitted_by: Set(new.submitted_by),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row)
}

async fn put_blob(conn: &impl ConnectionTrait, bytes: Vec<u8>) -> Result<String, Error> {
    let sha = hex::encode(digest::digest(&digest::SHA256, &bytes));
    let mut sql = Sql::new("INSERT INTO blobs (sha256, content) VALUES (");
    sql.bind("?", sha.clone())
        .bind(", ?) ON CONFLICT DO NOTHING", bytes);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(sha)
}

/// The bytes stored under `sha256`.
pub async fn file_bytes(conn: &impl ConnectionTrait, sha256: &str) -> Result<Vec<u8>, Error> {
    crate::packages::store::blob(conn, sha256)
        .await?
        .ok_or_else(|| Error::Internal(format!("evidence blob {sha256} is missing")))
}

pub async fn get(conn: &impl ConnectionTrait, id: i64) -> Result<cert_evidence::Model, Error> {
    cert_evidence::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no evidence has id {id}")))
}

/// What a queue listing is narrowed to.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub status: Option<String>,
    pub belt_id: Option<String>,
    pub learner_key: Option<String>,
    /// Only these belts (a reviewer's); `None`: every belt.
    pub belts: Option<Vec<String>>,
    /// With `belts`: this learner's own evidence too (a launch token's).
    pub own_learner: Option<String>,
}

/// Evidence oldest first (the queue is worked in the order it was submitted), after the
/// id `after`, at most `limit`.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &Filter,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<cert_evidence::Model>, Error> {
    let mut query = cert_evidence::Entity::find();
    if let Some(status) = &filter.status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(belt) = &filter.belt_id {
        query = query.filter(Column::BeltId.eq(belt.as_str()));
    }
    if let Some(learner) = &filter.learner_key {
        query = query.filter(Column::LearnerKey.eq(learner.as_str()));
    }
    if let Some(belts) = &filter.belts {
        let mut visible =
            Condition::any().add(Column::BeltId.is_in(belts.iter().map(String::as_str)));
        if let Some(own) = &filter.own_learner {
            visible = visible.add(Column::LearnerKey.eq(own.as_str()));
        }
        query = query.filter(visible);
    }
    if let Some(after) = after {
        query = query.filter(Column::Id.gt(after));
    }
    Ok(query
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Moves pending evidence to `status` (`approved`, `rejected` or `withdrawn`): 409 when
/// it is no longer pending (another decision won), 404 when there is none.
pub async fn decide(
    conn: &impl ConnectionTrait,
    id: i64,
    status: &str,
    by: &str,
    comment: Option<String>,
    now_us: i64,
) -> Result<cert_evidence::Model, Error> {
    let done = cert_evidence::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::DecidedUs, Expr::value(now_us))
        .col_expr(Column::DecidedBy, Expr::value(by))
        .col_expr(Column::Comment, Expr::value(comment))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq("pending"))
        .exec(conn)
        .await?;
    let row = get(conn, id).await?;
    if done.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "evidence {id} is already {}; only pending evidence can be decided or withdrawn",
            row.status
        )));
    }
    Ok(row)
}
