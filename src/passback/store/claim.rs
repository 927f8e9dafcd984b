//! Claim: leases on targets with a due pending message (fenced by `lease_epoch`), taken
//! side by side by several instances; expired pending messages fail first.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

use super::targets::load_target;
use crate::db::Db;
use crate::error::Error;
use crate::passback::delivery::{Claimed, Protocol};
use crate::sql::Sql;

/// A claimed message with the fencing token of its target's lease.
#[derive(Debug, Clone)]
pub struct Leased {
    pub claimed: Claimed,
    /// The target's `lease_epoch` taken by this claim: every finishing write needs it.
    pub epoch: i64,
    /// The target's consecutive failures before this attempt (drives backoff).
    pub failures: i32,
    pub expires_us: i64,
}

/// Takes up to `n` targets with a due pending message whose protocol is in `protocols`
/// and that nobody holds, leasing each until `now + lease`, and returns each target's
/// newest pending message. Pending messages past their expiry fail first.
pub async fn claim(
    db: &Db,
    owner: &str,
    now_us: i64,
    lease: Duration,
    n: usize,
    protocols: &[Protocol],
) -> Result<Vec<Leased>, Error> {
    if n == 0 || protocols.is_empty() || !anything_due(&db.conn, now_us).await? {
        return Ok(Vec::new());
    }
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let backend = txn.get_database_backend();
    expire(&txn, now_us).await?;
    // Walks `ix_passback_messages_due` in due order and stops after a few rows per free
    // worker; grouping every due message by target instead read the whole backlog on
    // each claim (quadratic in a backlog). A target with several pending rows can appear
    // more than once: duplicates are dropped below.
    let mut sql = Sql::new(
        "SELECT m.target_id AS target_id FROM passback_messages m \
         JOIN passback_targets t ON t.id = m.target_id WHERE m.state = 'pending'",
    );
    sql.bind(" AND m.due_us <= ?", now_us)
        .bind(
            " AND (t.lease_until_us IS NULL OR t.lease_until_us < ?)",
            now_us,
        )
        .bind(
            " AND (t.blocked_until_us IS NULL OR t.blocked_until_us <= ?)",
            now_us,
        )
        .push(" AND t.protocol IN ")
        .bind_list(protocols.iter().map(|p| p.name().to_owned()))
        .push(" ORDER BY m.due_us")
        .bind(" LIMIT ?", (n * 4) as i64);
    let mut candidates: Vec<i64> = Vec::with_capacity(n * 2);
    for row in txn.query_all_raw(sql.build(backend)).await? {
        let id: i64 = row.try_get("", "target_id")?;
        if !candidates.contains(&id) {
            candidates.push(id);
        }
    }
    if candidates.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let lease_until = now_us + lease.as_micros() as i64;
    let mut sql = Sql::new("UPDATE passback_targets SET ");
    sql.bind("lease_owner = ?", owner.to_owned())
        .bind(", lease_until_us = ?", lease_until)
        .push(", lease_epoch = lease_epoch + 1 WHERE id IN (SELECT id FROM passback_targets WHERE id IN ")
        .bind_list(candidates)
        .bind(
            " AND (lease_until_us IS NULL OR lease_until_us < ?)",
            now_us,
        )
        .push(" ORDER BY id")
        .bind(" LIMIT ?", n as i64);
    if backend == DbBackend::Postgres {
        // Instances claim side by side without waiting on each other's rows.
        sql.push(" FOR UPDATE SKIP LOCKED");
    }
    sql.push(") RETURNING id, lease_epoch, consecutive_failures");
    let leased = txn.query_all_raw(sql.build(backend)).await?;
    let mut out = Vec::with_capacity(leased.len());
    for row in leased {
        let target_id: i64 = row.try_get("", "id")?;
        let epoch: i64 = row.try_get("", "lease_epoch")?;
        let failures: i32 = row.try_get("", "consecutive_failures")?;
        let Some(target) = load_target(&txn, target_id).await? else {
            continue;
        };
        let mut sql =
            Sql::new("SELECT id, payload, event_us, attempts, expires_us FROM passback_messages");
        sql.bind(" WHERE target_id = ?", target_id)
            .push(" AND state = 'pending' ORDER BY event_us DESC, id DESC LIMIT 1");
        let Some(m) = txn.query_one_raw(sql.build(backend)).await? else {
            continue;
        };
        out.push(Leased {
            claimed: Claimed {
                message_id: m.try_get("", "id")?,
                target,
                payload: m.try_get("", "payload")?,
                event_us: m.try_get("", "event_us")?,
                attempts: m.try_get("", "attempts")?,
            },
            epoch,
            failures,
            expires_us: m.try_get("", "expires_us")?,
        });
    }
    txn.commit().await?;
    Ok(out)
}

/// A read (no write lock, no transaction) so that an idle poll costs the writers nothing.
/// Two probes, each answered from its own index (`ix_passback_messages_due`,
/// `ix_passback_messages_expiry`); one query with `OR` read every pending row.
async fn anything_due(conn: &impl ConnectionTrait, now_us: i64) -> Result<bool, Error> {
    for column in ["due_us <= ?", "expires_us < ?"] {
        let mut sql = Sql::new("SELECT id FROM passback_messages WHERE state = 'pending' AND ");
        sql.bind(column, now_us).push(" LIMIT 1");
        if conn
            .query_one_raw(sql.build(conn.get_database_backend()))
            .await?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Pending messages past their expiry fail, keeping the last error.
async fn expire(conn: &impl ConnectionTrait, now_us: i64) -> Result<(), Error> {
    let mut sql = Sql::new("UPDATE passback_messages SET state = 'failed'");
    sql.bind(", failed_us = ?", now_us)
        .push(
            ", last_error = 'gave up: too old to deliver; last: ' || \
             COALESCE(last_error, 'never attempted')",
        )
        .push(" WHERE state = 'pending'")
        .bind(" AND expires_us < ?", now_us);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}
