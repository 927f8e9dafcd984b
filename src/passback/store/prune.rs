//! Pruning: finished messages are deleted after their keep time, in small batches so
//! the writer is never held long. Targets are kept: `last_sent_ts_us` is what keeps
//! every later score's timestamp strictly increasing, and a relaunch reuses the row.

use sea_orm::ConnectionTrait;

use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;

/// Rows deleted per statement.
pub const PRUNE_BATCH: i64 = 500;
/// Batches per state per pass: the rest waits for the next pass.
const MAX_BATCHES: usize = 20;
const DAY_US: i64 = 86_400_000_000;

/// Messages deleted by one pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub delivered: u64,
    pub superseded: u64,
    pub failed: u64,
}

/// Deletes delivered messages delivered, superseded ones created, and failed ones
/// failed more than their keep days before `now_us` (0 days: kept for ever).
pub async fn prune(
    db: &Db,
    now_us: i64,
    keep_delivered_days: u64,
    keep_failed_days: u64,
) -> Result<Pruned, Error> {
    let cutoff = |days: u64| {
        (days > 0).then(|| now_us.saturating_sub(i64::try_from(days).unwrap_or(0) * DAY_US))
    };
    let mut pruned = Pruned::default();
    if let Some(before) = cutoff(keep_delivered_days) {
        pruned.delivered = in_batches(db, "delivered", "delivered_us", before).await?;
        pruned.superseded = in_batches(db, "superseded", "created_us", before).await?;
    }
    if let Some(before) = cutoff(keep_failed_days) {
        pruned.failed = in_batches(db, "failed", "failed_us", before).await?;
    }
    Ok(pruned)
}

async fn in_batches(db: &Db, state: &str, column: &str, before: i64) -> Result<u64, Error> {
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let done = {
            let _gate = db.write_gate().await;
            delete_batch(db.writer(), state, column, before).await?
        };
        total += done;
        if done < PRUNE_BATCH as u64 {
            break;
        }
    }
    Ok(total)
}

async fn delete_batch(
    conn: &impl ConnectionTrait,
    state: &str,
    column: &str,
    before: i64,
) -> Result<u64, Error> {
    let mut sql =
        Sql::new("DELETE FROM passback_messages WHERE id IN (SELECT id FROM passback_messages");
    sql.bind(" WHERE state = ?", state.to_owned())
        .bind(&format!(" AND {column} < ?"), before)
        .bind(" ORDER BY id LIMIT ?)", PRUNE_BATCH);
    Ok(conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?
        .rows_affected())
}
