//! Document rows. Every write is one conditional statement (insert-if-absent, or
//! update-if-ETag-unchanged), so concurrent writers on any number of server instances
//! can never overwrite each other's change unnoticed.

use sea_orm::{ConnectionTrait, DbErr};

use super::key::{DocumentScope, doc_key};
use crate::sql::Sql;

/// A stored document.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    pub seq: i64,
    pub content_type: String,
    pub content: Vec<u8>,
    pub etag: String,
    pub updated_us: i64,
}

/// The content to write.
pub struct NewDocument<'a> {
    pub content_type: &'a str,
    pub content: &'a [u8],
    pub etag: &'a str,
    pub updated_us: i64,
}

fn scope_filter(sql: &mut Sql, scope: &DocumentScope) {
    sql.bind(" WHERE kind = ?", scope.kind.code())
        .bind(" AND activity_key = ?", scope.activity_key.clone())
        .bind(" AND agent_key = ?", scope.agent_key.clone())
        .bind(" AND registration = ?", scope.registration.clone());
}

pub async fn find(
    conn: &impl ConnectionTrait,
    scope: &DocumentScope,
    doc_id: &str,
) -> Result<Option<StoredDocument>, DbErr> {
    let mut sql = Sql::new("SELECT seq, content_type, content, etag, updated_us FROM documents");
    scope_filter(&mut sql, scope);
    sql.bind(" AND doc_key = ?", doc_key(doc_id));
    let Some(row) = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(StoredDocument {
        seq: row.try_get("", "seq")?,
        content_type: row.try_get("", "content_type")?,
        content: row.try_get("", "content")?,
        etag: row.try_get("", "etag")?,
        updated_us: row.try_get("", "updated_us")?,
    }))
}

/// Ids of the scope's documents updated after `since_us`, with the latest update time.
pub async fn list_ids(
    conn: &impl ConnectionTrait,
    scope: &DocumentScope,
    since_us: Option<i64>,
) -> Result<(Vec<String>, Option<i64>), DbErr> {
    let mut sql = Sql::new("SELECT doc_id, updated_us FROM documents");
    scope_filter(&mut sql, scope);
    if let Some(since) = since_us {
        sql.bind(" AND updated_us > ?", since);
    }
    sql.push(" ORDER BY doc_key");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut latest = None;
    for row in rows {
        ids.push(row.try_get::<String>("", "doc_id")?);
        let updated: i64 = row.try_get("", "updated_us")?;
        latest = latest.max(Some(updated));
    }
    Ok((ids, latest))
}

/// Inserts a new document; `false` when one with the same key exists already.
pub async fn insert(
    conn: &impl ConnectionTrait,
    scope: &DocumentScope,
    doc_id: &str,
    doc: &NewDocument<'_>,
) -> Result<bool, DbErr> {
    let mut sql = Sql::new(
        "INSERT INTO documents (kind, activity_key, agent_key, registration, doc_key, doc_id, \
         content_type, content, etag, updated_us) VALUES (",
    );
    sql.bind("?", scope.kind.code())
        .bind(", ?", scope.activity_key.clone())
        .bind(", ?", scope.agent_key.clone())
        .bind(", ?", scope.registration.clone())
        .bind(", ?", doc_key(doc_id))
        .bind(", ?", doc_id.to_owned())
        .bind(", ?", doc.content_type.to_owned())
        .bind(", ?", doc.content.to_vec())
        .bind(", ?", doc.etag.to_owned())
        .bind(", ?)", doc.updated_us)
        .push(" ON CONFLICT DO NOTHING");
    let done = conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces document `seq` if its ETag is still `expected`; `false` otherwise.
pub async fn replace(
    conn: &impl ConnectionTrait,
    seq: i64,
    expected: &str,
    doc: &NewDocument<'_>,
) -> Result<bool, DbErr> {
    let mut sql = Sql::new("UPDATE documents SET ");
    sql.bind("content_type = ?", doc.content_type.to_owned())
        .bind(", content = ?", doc.content.to_vec())
        .bind(", etag = ?", doc.etag.to_owned())
        .bind(", updated_us = ?", doc.updated_us)
        .bind(" WHERE seq = ?", seq)
        .bind(" AND etag = ?", expected.to_owned());
    let done = conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes document `seq` if its ETag is still `expected`; `false` otherwise.
pub async fn delete(conn: &impl ConnectionTrait, seq: i64, expected: &str) -> Result<bool, DbErr> {
    let mut sql = Sql::new("DELETE FROM documents");
    sql.bind(" WHERE seq = ?", seq)
        .bind(" AND etag = ?", expected.to_owned());
    let done = conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes every document of the scope; returns how many there were.
pub async fn delete_scope(
    conn: &impl ConnectionTrait,
    scope: &DocumentScope,
) -> Result<u64, DbErr> {
    let mut sql = Sql::new("DELETE FROM documents");
    scope_filter(&mut sql, scope);
    let done = conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(done.rows_affected())
}
