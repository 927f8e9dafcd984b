//! Storing statements: one transaction per request, multi-row inserts, conflict checks,
//! voiding, and the StatementRef rule that lets a statement match the filters its
//! target matches.
//! Spec: xAPI-Communication 2.1.1/2.1.2 (PUT/POST), 2.1.3 (Filter Conditions for
//! StatementRefs); xAPI-Data 2.3.2 (Voided).

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;

use super::compare::same_statement;
use super::prepare::PreparedStatement;
use super::sql::Sql;
use crate::error::Error;

/// SQLite allows 32 766 bound values per statement; stay well below on both backends.
const INDEX_ROWS_PER_INSERT: usize = 2_000;
const STATEMENTS_PER_INSERT: usize = 500;
const IDS_PER_LOOKUP: usize = 500;

/// Stores `batch`; statements already stored with the same content are skipped.
/// Returns the ids newly stored. Run it inside a transaction.
pub async fn insert_statements(
    conn: &impl ConnectionTrait,
    batch: &[PreparedStatement],
    credential_id: i64,
    stored_us: i64,
) -> Result<usize, Error> {
    let existing = existing_payloads(conn, batch.iter().map(|s| s.id.as_str())).await?;
    let mut fresh = Vec::with_capacity(batch.len());
    for statement in batch {
        match existing.get(&statement.id) {
            Some(stored)
                if same_statement(stored, &statement.payload, statement.timestamp_given) => {}
            Some(_) => {
                return Err(Error::Conflict(format!(
                    "statement {} already exists with different content",
                    statement.id
                )));
            }
            None => fresh.push(statement),
        }
    }
    if fresh.is_empty() {
        return Ok(0);
    }
    let mut seqs = HashMap::with_capacity(fresh.len());
    for chunk in fresh.chunks(STATEMENTS_PER_INSERT) {
        seqs.extend(insert_rows(conn, chunk, credential_id, stored_us).await?);
    }
    let index_rows: Vec<(i16, &str, i64)> = fresh
        .iter()
        .flat_map(|s| {
            let seq = seqs[&s.id];
            s.keys
                .iter()
                .map(move |(kind, key)| (kind.code(), key.as_str(), seq))
        })
        .collect();
    for chunk in index_rows.chunks(INDEX_ROWS_PER_INSERT) {
        insert_index_rows(conn, chunk, stored_us).await?;
    }
    apply_voiding(conn, &fresh).await?;
    inherit_statement_ref_keys(conn, &fresh, &seqs).await?;
    Ok(fresh.len())
}

async fn existing_payloads<'a>(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Value>, DbErr> {
    let ids: Vec<&str> = ids.collect();
    let mut found = HashMap::new();
    for chunk in ids.chunks(IDS_PER_LOOKUP) {
        let mut sql = Sql::new("SELECT id, payload FROM statements WHERE id IN ");
        sql.bind_list(chunk.iter().map(|id| id.to_string()));
        for row in conn
            .query_all_raw(sql.build(conn.get_database_backend()))
            .await?
        {
            found.insert(
                row.try_get::<String>("", "id")?,
                row.try_get::<Value>("", "payload")?,
            );
        }
    }
    Ok(found)
}

async fn insert_rows(
    conn: &impl ConnectionTrait,
    chunk: &[&PreparedStatement],
    credential_id: i64,
    stored_us: i64,
) -> Result<HashMap<String, i64>, DbErr> {
    let mut sql = Sql::new(
        "INSERT INTO statements (id, stored_us, voided, voids_id, object_ref_id, credential_id, payload) VALUES ",
    );
    for (i, s) in chunk.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .bind("?", s.id.clone())
            .bind(", ?", stored_us)
            .bind(", ?", false)
            .bind(", ?", s.voids_id.clone())
            .bind(", ?", s.object_ref_id.clone())
            .bind(", ?", credential_id)
            .bind(", ?)", s.payload.clone());
    }
    sql.push(" RETURNING seq, id");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<String>("", "id")?,
                row.try_get::<i64>("", "seq")?,
            ))
        })
        .collect()
}

async fn insert_index_rows(
    conn: &impl ConnectionTrait,
    rows: &[(i16, &str, i64)],
    stored_us: i64,
) -> Result<(), DbErr> {
    let mut sql = Sql::new("INSERT INTO statement_index (kind, key, stored_us, seq) VALUES ");
    for (i, (kind, key, seq)) in rows.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .bind("?", *kind)
            .bind(", ?", key.to_string())
            .bind(", ?", stored_us)
            .bind(", ?)", *seq);
    }
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}

/// Voids the targets of new voiding statements, and new statements that an earlier
/// voiding statement already targets. Voiding statements themselves are never voided.
async fn apply_voiding(
    conn: &impl ConnectionTrait,
    fresh: &[&PreparedStatement],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let mut targets: Vec<String> = fresh.iter().filter_map(|s| s.voids_id.clone()).collect();
    let new_ids: Vec<String> = fresh.iter().map(|s| s.id.clone()).collect();
    for chunk in new_ids.chunks(IDS_PER_LOOKUP) {
        let mut sql = Sql::new("SELECT voids_id FROM statements WHERE voids_id IN ");
        sql.bind_list(chunk.iter().cloned());
        for row in conn.query_all_raw(sql.build(backend)).await? {
            targets.push(row.try_get::<String>("", "voids_id")?);
        }
    }
    targets.sort();
    targets.dedup();
    for chunk in targets.chunks(IDS_PER_LOOKUP) {
        let mut sql = Sql::new("UPDATE statements SET voided = ");
        sql.bind("?", true)
            .push(" WHERE voids_id IS NULL AND id IN ")
            .bind_list(chunk.iter().cloned());
        conn.execute_raw(sql.build(backend)).await?;
    }
    Ok(())
}

/// A statement whose object is a StatementRef matches every filter its target matches,
/// recursively. New referrers copy their target's keys; statements that referenced a
/// newly arrived target receive its keys, and pass them on to their own referrers.
async fn inherit_statement_ref_keys(
    conn: &impl ConnectionTrait,
    fresh: &[&PreparedStatement],
    seqs: &HashMap<String, i64>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    // (target seq, referrer seq) pairs whose keys must be copied.
    let mut copies: Vec<(i64, i64)> = Vec::new();
    let targets: Vec<String> = fresh
        .iter()
        .filter_map(|s| s.object_ref_id.clone())
        .collect();
    let target_seqs = seqs_of(conn, &targets).await?;
    for s in fresh {
        if let Some(target) = s.object_ref_id.as_ref().and_then(|t| target_seqs.get(t)) {
            copies.push((*target, seqs[&s.id]));
        }
    }
    let mut changed: Vec<(String, i64)> =
        fresh.iter().map(|s| (s.id.clone(), seqs[&s.id])).collect();
    let mut visited: HashSet<i64> = HashSet::new();
    while !changed.is_empty() {
        let by_id: HashMap<String, i64> = changed.drain(..).collect();
        let ids: Vec<String> = by_id.keys().cloned().collect();
        for chunk in ids.chunks(IDS_PER_LOOKUP) {
            let mut sql =
                Sql::new("SELECT seq, id, object_ref_id FROM statements WHERE object_ref_id IN ");
            sql.bind_list(chunk.iter().cloned());
            for row in conn.query_all_raw(sql.build(backend)).await? {
                let referrer: i64 = row.try_get("", "seq")?;
                let target: String = row.try_get("", "object_ref_id")?;
                copies.push((by_id[&target], referrer));
                if visited.insert(referrer) {
                    changed.push((row.try_get("", "id")?, referrer));
                }
            }
        }
        copies.sort();
        copies.dedup();
        for (from, to) in copies.drain(..) {
            copy_keys(conn, from, to).await?;
        }
    }
    Ok(())
}

async fn seqs_of(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(IDS_PER_LOOKUP) {
        let mut sql = Sql::new("SELECT seq, id FROM statements WHERE id IN ");
        sql.bind_list(chunk.iter().cloned());
        for row in conn
            .query_all_raw(sql.build(conn.get_database_backend()))
            .await?
        {
            found.insert(row.try_get("", "id")?, row.try_get("", "seq")?);
        }
    }
    Ok(found)
}

async fn copy_keys(conn: &impl ConnectionTrait, from_seq: i64, to_seq: i64) -> Result<(), DbErr> {
    let mut sql = Sql::new(
        "INSERT INTO statement_index (kind, key, stored_us, seq) SELECT i.kind, i.key, s.stored_us, s.seq FROM statement_index i, statements s WHERE ",
    );
    sql.bind("s.seq = ?", to_seq)
        .bind(" AND i.seq = ?", from_seq)
        .push(" ON CONFLICT DO NOTHING");
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}
