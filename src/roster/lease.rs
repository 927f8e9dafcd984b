//! The sync job's writes: claim due contexts with a lease (fenced by `lease_epoch`),
//! renew it while pages arrive, and finish: the whole roster replaces the stored
//! members in one transaction, or the failure is kept and a retry scheduled.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

use super::membership::Member;
use super::store::cause;
use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;

/// A context leased for one sync.
#[derive(Debug, Clone)]
pub struct Leased {
    pub id: i64,
    pub source: String,
    pub context_id: String,
    pub memberships_url: String,
    /// The `lease_epoch` this claim took: every later write of the sync needs it.
    pub epoch: i64,
    /// Failures since the last success, before this attempt (drives backoff).
    pub failures: i32,
    /// When it was claimed: a request made after this is not satisfied by this sync.
    pub claimed_us: i64,
}

/// Which contexts a claim takes.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// Up to this many whose sync is due, earliest first (the sync task).
    Due(usize),
    /// This one, due or not (`blackbelt lti sync`).
    One(i64),
}

/// Leases the contexts `pick` names that nobody holds, until `now + lease`.
pub async fn claim(
    db: &Db,
    owner: &str,
    now_us: i64,
    lease: Duration,
    pick: Pick,
) -> Result<Vec<Leased>, Error> {
    let n = match pick {
        Pick::Due(n) => n,
        Pick::One(_) => 1,
    };
    if n == 0 || (matches!(pick, Pick::Due(_)) && !anything_due(&db.conn, now_us).await?) {
        return Ok(Vec::new());
    }
    let _gate = db.write_gate().await;
    let conn = db.writer();
    let backend = conn.get_database_backend();
    let free = |sql: &mut Sql| {
        sql.bind(
            " AND (lease_until_us IS NULL OR lease_until_us < ?)",
            now_us,
        );
    };
    let mut sql = Sql::new("UPDATE lti_contexts SET ");
    sql.bind("lease_owner = ?", owner.to_owned())
        .bind(", lease_until_us = ?", now_us + lease.as_micros() as i64)
        .push(", lease_epoch = lease_epoch + 1, attempts = attempts + 1")
        .bind(", last_attempt_us = ?", now_us)
        .push(" WHERE id IN (SELECT id FROM lti_contexts WHERE ");
    match pick {
        Pick::Due(_) => sql
            .push("sync_due_us IS NOT NULL")
            .bind(" AND sync_due_us <= ?", now_us),
        Pick::One(id) => sql.bind("id = ?", id),
    };
    free(&mut sql);
    sql.push(" ORDER BY sync_due_us, id")
        .bind(" LIMIT ?", n as i64);
    if backend == DbBackend::Postgres {
        // Instances claim side by side without waiting on each other's rows.
        sql.push(" FOR UPDATE SKIP LOCKED");
    }
    sql.push(")");
    free(&mut sql);
    sql.push(
        " RETURNING id, source, context_id, memberships_url, lease_epoch, \
         consecutive_failures",
    );
    let rows = conn.query_all_raw(sql.build(backend)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Leased {
            id: r.try_get("", "id")?,
            source: r.try_get("", "source")?,
            context_id: r.try_get("", "context_id")?,
            memberships_url: r.try_get("", "memberships_url")?,
            epoch: r.try_get("", "lease_epoch")?,
            failures: r.try_get("", "consecutive_failures")?,
            claimed_us: now_us,
        });
    }
    Ok(out)
}

/// A read (no lock, no transaction): an idle poll costs the writers nothing.
async fn anything_due(conn: &impl ConnectionTrait, now_us: i64) -> Result<bool, Error> {
    let mut sql = Sql::new("SELECT id FROM lti_contexts WHERE sync_due_us IS NOT NULL");
    sql.bind(" AND sync_due_us <= ?", now_us)
        .bind(
            " AND (lease_until_us IS NULL OR lease_until_us < ?)",
            now_us,
        )
        .push(" LIMIT 1");
    Ok(conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
        .is_some())
}

/// Extends the lease to `until_us`; `false` when it was lost (another instance took
/// the context over after it ran out).
pub async fn renew(db: &Db, owner: &str, l: &Leased, until_us: i64) -> Result<bool, Error> {
    let mut sql = Sql::new("UPDATE lti_contexts SET ");
    sql.bind("lease_until_us = ?", until_us);
    fence(&mut sql, owner, l);
    let done = db.writer().execute_raw(sql.build(db.backend())).await?;
    Ok(done.rows_affected() > 0)
}

fn fence(sql: &mut Sql, owner: &str, l: &Leased) {
    sql.bind(" WHERE id = ?", l.id)
        .bind(" AND lease_epoch = ?", l.epoch)
        .bind(" AND lease_owner = ?", owner.to_owned());
}

/// What a finished sync recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Recorded,
    /// The lease was taken over meanwhile: nothing was written.
    LeaseLost,
}

/// Rows per member INSERT (10 values each: well under every backend's bind limit).
const MEMBERS_PER_INSERT: usize = 500;

/// Replaces the context's members with `members` (every page arrived) and records the
/// success, in one transaction fenced by the lease. Members no longer on the roster are
/// deleted: see the module doc of `roster` for why.
pub async fn succeeded(
    db: &Db,
    owner: &str,
    l: &Leased,
    members: &[Member],
    title: Option<&str>,
    now_us: i64,
) -> Result<Finished, Error> {
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let backend = txn.get_database_backend();
    let mut sql = Sql::new("UPDATE lti_contexts SET lease_owner = NULL, lease_until_us = NULL");
    sql.bind(", last_synced_us = ?", now_us)
        .push(", last_status = 'ok', last_error = NULL, consecutive_failures = 0")
        .bind(
            ", member_count = ?",
            i32::try_from(members.len()).unwrap_or(i32::MAX),
        )
        .bind(", title = COALESCE(title, ?)", title.map(str::to_owned))
        .bind(", updated_us = ?", now_us);
    keep_later_request(&mut sql, l.claimed_us);
    fence(&mut sql, owner, l);
    if txn.execute_raw(sql.build(backend)).await?.rows_affected() == 0 {
        txn.rollback().await?;
        return Ok(Finished::LeaseLost);
    }
    for chunk in members.chunks(MEMBERS_PER_INSERT) {
        let mut sql = Sql::new(
            "INSERT INTO lti_context_members (context_row_id, user_id, name, given_name, \
             family_name, email, sourced_id, roles, status, updated_us) VALUES ",
        );
        for (i, m) in chunk.iter().enumerate() {
            let roles = serde_json::to_string(&m.roles)
                .map_err(|e| Error::Internal(format!("member roles: {e}")))?;
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind("?", l.id)
                .bind(", ?", m.user_id.clone())
                .bind(", ?", m.name.clone())
                .bind(", ?", m.given_name.clone())
                .bind(", ?", m.family_name.clone())
                .bind(", ?", m.email.clone())
                .bind(", ?", m.sourced_id.clone())
                .bind(", ?", roles)
                .bind(", ?", m.status.name())
                .bind(", ?)", now_us);
        }
        sql.push(
            " ON CONFLICT (context_row_id, user_id) DO UPDATE SET name = excluded.name, \
             given_name = excluded.given_name, family_name = excluded.family_name, \
             email = excluded.email, sourced_id = excluded.sourced_id, \
             roles = excluded.roles, status = excluded.status, \
             updated_us = excluded.updated_us",
        );
        txn.execute_raw(sql.build(backend)).await?;
    }
    // Whoever this sync did not write is no longer on the roster.
    let mut sql = Sql::new("DELETE FROM lti_context_members");
    sql.bind(" WHERE context_row_id = ?", l.id)
        .bind(" AND updated_us <> ?", now_us);
    txn.execute_raw(sql.build(backend)).await?;
    txn.commit().await?;
    Ok(Finished::Recorded)
}

/// A request that came in while the sync ran stays due; the rest is done.
fn keep_later_request(sql: &mut Sql, claimed_us: i64) {
    sql.bind(
        ", due_cause = CASE WHEN sync_due_us > ? THEN due_cause ELSE NULL END",
        claimed_us,
    )
    .bind(
        ", sync_due_us = CASE WHEN sync_due_us > ? THEN sync_due_us ELSE NULL END",
        claimed_us,
    );
}

/// Records a failed sync, keeping the stored members. `retry_in`: when to try again
/// (`None`: not until a launch or a request makes it due).
pub async fn failed(
    db: &Db,
    owner: &str,
    l: &Leased,
    error: &str,
    retry_in: Option<Duration>,
    now_us: i64,
) -> Result<Finished, Error> {
    let _gate = db.write_gate().await;
    let mut sql = Sql::new("UPDATE lti_contexts SET lease_owner = NULL, lease_until_us = NULL");
    sql.push(", last_status = 'failed', consecutive_failures = consecutive_failures + 1")
        .bind(", last_error = ?", error.to_owned())
        .bind(", updated_us = ?", now_us);
    match retry_in {
        Some(wait) => {
            sql.bind(", sync_due_us = ?", now_us + wait.as_micros() as i64)
                .bind(", due_cause = ?", cause::RETRY);
        }
        None => keep_later_request(&mut sql, l.claimed_us),
    }
    fence(&mut sql, owner, l);
    let done = db.writer().execute_raw(sql.build(db.backend())).await?;
    Ok(match done.rows_affected() {
        0 => Finished::LeaseLost,
        _ => Finished::Recorded,
    })
}
