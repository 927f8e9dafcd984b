//! Storing statements: one transaction per request, multi-row inserts, conflict checks,
//! voiding, and the StatementRef rule that lets a statement match the filters its
//! target matches.
//! Spec: xAPI-Communication 2.1.1/2.1.2 (PUT/POST), 2.1.3 (Filter Conditions for
//! StatementRefs); xAPI-Data 2.3.2 (Voided).

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use serde_json::Value;

use super::bulk;
use super::compare::same_statement;
use super::index::{IndexKey, IndexRow, extract_keys, stored_keys};
use super::inherit::{KeyResolver, Referrer};
use super::prepare::PreparedStatement;
use crate::error::Error;
use crate::sql::Sql;
use crate::xapi::definitions::canonical;

/// Rows per multi-row INSERT on SQLite. Chunks are cut into power-of-two sizes so only
/// a handful of statement texts exist: each is parsed once and then served from the
/// prepared statement cache, where one text per batch size would be parsed on every
/// request.
const INDEX_ROWS_PER_INSERT: usize = 256;
const STATEMENTS_PER_INSERT: usize = 64;

/// Splits `items` into chunks of `max`, then the remainder into powers of two.
pub(super) fn chunks<T>(items: &[T], max: usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let mut size = max;
        while size > rest.len() {
            size /= 2;
        }
        let (head, tail) = rest.split_at(size);
        out.push(head);
        rest = tail;
    }
    out
}

/// SQLite's `INSERT` for rows whose every constraint failure fails the transaction.
/// SQLite's default (ABORT) must undo a failed multi-row INSERT alone, so it copies
/// every page the INSERT touches into a statement journal first: 7 % of SQLite's writer
/// thread in a batch-ingest profile. FAIL keeps no such copy: our callers never continue a
/// transaction after an error, they roll it back whole, so nothing half-written is kept.
const INSERT_OR_FAIL: &str = "INSERT OR FAIL INTO";

pub(super) const IDS_PER_LOOKUP: usize = 500;

/// Stores `batch` (stamped); statements already stored with the same content are
/// skipped. Returns the new ones. Run it inside a transaction.
pub async fn insert_statements<'a>(
    conn: &impl ConnectionTrait,
    batch: &'a [PreparedStatement],
    stored_us: i64,
) -> Result<Vec<&'a PreparedStatement>, Error> {
    let existing = existing_payloads(conn, batch.iter().map(|s| s.id.as_str())).await?;
    let mut fresh = Vec::with_capacity(batch.len());
    for statement in batch {
        match existing.get(&statement.id) {
            Some(stored) => check_resend(stored, statement)?,
            None => fresh.push(statement),
        }
    }
    insert_new(conn, &fresh, stored_us).await?;
    Ok(fresh)
}

/// A statement whose id is taken may only be a resend of the same statement.
pub(super) fn check_resend(stored: &Value, incoming: &PreparedStatement) -> Result<(), Error> {
    if same_statement(stored, &incoming.payload, incoming.timestamp_given) {
        Ok(())
    } else {
        Err(Error::Conflict(format!(
            "statement {} already exists with different content",
            incoming.id
        )))
    }
}

/// Stores statements whose ids are known to be free, with their index keys, references,
/// voiding and activity definitions.
pub(super) async fn insert_new(
    conn: &impl ConnectionTrait,
    fresh: &[&PreparedStatement],
    stored_us: i64,
) -> Result<(), Error> {
    if fresh.is_empty() {
        return Ok(());
    }
    debug_assert!(fresh.iter().all(|s| s.payload.get("stored").is_some()));
    let full_keys = KeyResolver::new(fresh).resolve(conn).await?;
    let mut seqs = HashMap::with_capacity(fresh.len());
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            for chunk in fresh.chunks(bulk::STATEMENTS_PER_POSTGRES_INSERT) {
                let sql = bulk::insert_statements_postgres(chunk, stored_us);
                seqs.extend(returned_seqs(conn, sql).await?);
            }
        }
        _ => {
            for chunk in chunks(fresh, STATEMENTS_PER_INSERT) {
                let sql = insert_statements_sqlite(chunk, stored_us);
                seqs.extend(returned_seqs(conn, sql).await?);
            }
        }
    }
    let stored_keys: Vec<Vec<IndexKey>> = full_keys.iter().map(|k| stored_keys(k)).collect();
    let mut index_rows: Vec<IndexRow<'_>> = fresh
        .iter()
        .zip(&stored_keys)
        .flat_map(|(s, keys)| {
            let seq = seqs[&s.id];
            keys.iter()
                .map(move |(kind, key)| (kind.code(), key.as_str(), stored_us, seq))
        })
        .collect();
    insert_index_rows(conn, &mut index_rows, false).await?;
    insert_refs(conn, fresh, &seqs).await?;
    apply_voiding(conn, fresh).await?;
    pass_keys_to_earlier_referrers(conn, fresh, &full_keys).await?;
    let payloads: Vec<&Value> = fresh.iter().map(|s| &s.payload).collect();
    canonical::record(conn, &payloads, stored_us).await?;
    Ok(())
}

pub(super) async fn existing_payloads<'a>(
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

/// Statement rows on SQLite: multi-row VALUES, the payload bound as the text the
/// request's task serialised (see `PreparedStatement::text`).
fn insert_statements_sqlite(chunk: &[&PreparedStatement], stored_us: i64) -> Sql {
    let mut sql = Sql::new(INSERT_OR_FAIL);
    sql.push(" statements (id, stored_us, voided, voids_id, object_ref_id, credential_id, payload) VALUES ");
    for (i, s) in chunk.iter().enumerate() {
        debug_assert!(!s.text.is_empty(), "statement {} was not stamped", s.id);
        sql.push(if i == 0 { "(" } else { ", (" })
            .bind("?", s.id.clone())
            .bind(", ?", stored_us)
            .bind(", ?", false)
            .bind(", ?", s.voids_id.clone())
            .bind(", ?", s.object_ref_id.clone())
            .bind(", ?", s.credential_id)
            .bind(", ?)", s.text.clone());
    }
    sql.push(" RETURNING seq, id");
    sql
}

/// Runs an INSERT ... RETURNING seq, id; maps each new id to its seq.
async fn returned_seqs(
    conn: &impl ConnectionTrait,
    sql: Sql,
) -> Result<HashMap<String, i64>, DbErr> {
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

/// Inserts (kind, key, stored_us, seq) rows; `tolerate_existing` skips duplicates.
/// Sorted first: neighbouring rows then land on the same B-tree pages one after another.
pub(super) async fn insert_index_rows(
    conn: &impl ConnectionTrait,
    rows: &mut [IndexRow<'_>],
    tolerate_existing: bool,
) -> Result<(), DbErr> {
    rows.sort_unstable();
    let backend = conn.get_database_backend();
    let statements: Vec<Sql> = match backend {
        DbBackend::Postgres => rows
            .chunks(bulk::INDEX_ROWS_PER_POSTGRES_INSERT)
            .map(|chunk| bulk::insert_index_rows_postgres(chunk, tolerate_existing))
            .collect(),
        _ => chunks(rows, INDEX_ROWS_PER_INSERT)
            .into_iter()
            .map(|chunk| insert_index_rows_sqlite(chunk, tolerate_existing))
            .collect(),
    };
    for sql in statements {
        conn.execute_raw(sql.build(backend)).await?;
    }
    Ok(())
}

fn insert_index_rows_sqlite(chunk: &[IndexRow<'_>], tolerate_existing: bool) -> Sql {
    let mut sql = Sql::new(if tolerate_existing {
        "INSERT INTO"
    } else {
        INSERT_OR_FAIL
    });
    sql.push(" statement_index (kind, key, stored_us, seq) VALUES ");
    for (i, (kind, key, stored_us, seq)) in chunk.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .bind("?", *kind)
            .bind(", ?", key.to_string())
            .bind(", ?", *stored_us)
            .bind(", ?)", *seq);
    }
    if tolerate_existing {
        sql.push(" ON CONFLICT DO NOTHING");
    }
    sql
}

async fn insert_refs(
    conn: &impl ConnectionTrait,
    fresh: &[&PreparedStatement],
    seqs: &HashMap<String, i64>,
) -> Result<(), DbErr> {
    let refs: Vec<_> = fresh
        .iter()
        .filter_map(|s| Some((s.object_ref_id.clone()?, seqs[&s.id], s.voids_id.is_some())))
        .collect();
    for chunk in chunks(&refs, STATEMENTS_PER_INSERT) {
        let mut sql =
            Sql::new("INSERT INTO statement_refs (target_id, referrer_seq, voiding) VALUES ");
        for (i, (target, seq, voiding)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind("?", target.clone())
                .bind(", ?", *seq)
                .bind(", ?)", *voiding);
        }
        conn.execute_raw(sql.build(conn.get_database_backend()))
            .await?;
    }
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
        let mut sql = Sql::new("SELECT target_id FROM statement_refs WHERE ");
        sql.bind("voiding = ?", true)
            .push(" AND target_id IN ")
            .bind_list(chunk.iter().cloned());
        for row in conn.query_all_raw(sql.build(backend)).await? {
            targets.push(row.try_get::<String>("", "target_id")?);
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

/// Statements stored earlier that reference a new statement now match its filters too;
/// so do the statements that reference those, recursively. Each referrer's keys become
/// its own plus its target's, and its pairs are made from that whole set, as they would
/// have been had the target come first.
async fn pass_keys_to_earlier_referrers(
    conn: &impl ConnectionTrait,
    fresh: &[&PreparedStatement],
    full_keys: &[Vec<IndexKey>],
) -> Result<(), DbErr> {
    let new_ids: HashSet<&str> = fresh.iter().map(|s| s.id.as_str()).collect();
    let mut wave: Vec<(String, Vec<IndexKey>)> = fresh
        .iter()
        .zip(full_keys)
        .map(|(s, keys)| (s.id.clone(), keys.clone()))
        .collect();
    let mut visited: HashSet<i64> = HashSet::new();
    while !wave.is_empty() {
        let keys_by_target: HashMap<String, Vec<IndexKey>> = wave.drain(..).collect();
        let targets: Vec<String> = keys_by_target.keys().cloned().collect();
        let referrers = Referrer::of(conn, &targets).await?;
        let mut updates: Vec<(Referrer, Vec<IndexKey>)> = Vec::new();
        for referrer in referrers {
            // Referrers in this batch already received the keys when they were resolved.
            if new_ids.contains(referrer.id.as_str()) || !visited.insert(referrer.seq) {
                continue;
            }
            let mut keys = extract_keys(&referrer.payload);
            keys.extend(keys_by_target[&referrer.target_id].iter().cloned());
            keys.sort();
            keys.dedup();
            wave.push((referrer.id.clone(), keys.clone()));
            updates.push((referrer, keys));
        }
        let stored: Vec<(&Referrer, Vec<IndexKey>)> = updates
            .iter()
            .map(|(referrer, keys)| (referrer, stored_keys(keys)))
            .collect();
        let mut rows: Vec<IndexRow<'_>> = stored
            .iter()
            .flat_map(|(referrer, keys)| {
                keys.iter().map(|(kind, key)| {
                    (kind.code(), key.as_str(), referrer.stored_us, referrer.seq)
                })
            })
            .collect();
        insert_index_rows(conn, &mut rows, true).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::chunks;

    #[test]
    fn chunks_are_the_maximum_then_powers_of_two() {
        let items: Vec<u32> = (0..300).collect();
        let sizes: Vec<usize> = chunks(&items, 128).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![128, 128, 32, 8, 4]);
        assert_eq!(sizes.iter().sum::<usize>(), 300);
    }
}
