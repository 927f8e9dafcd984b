//! Finish: the outcome of an attempt recorded on its message always, and on its target
//! (lease, backoff, last timestamp, found line item) only under the lease taken.

use sea_orm::{ConnectionTrait, TransactionTrait};

use super::claim::Leased;
use super::targets::FOUND;
use crate::db::Db;
use crate::error::Error;
use crate::passback::backoff::Backoff;
use crate::passback::delivery::Outcome;
use crate::sql::Sql;

/// How finishing went for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Delivered,
    /// To be tried again after the target's backoff.
    Retrying,
    Failed,
    /// The outcome was recorded on the message, but the lease had been taken over: the
    /// target was left alone.
    LeaseLost,
}

/// Records the outcomes of attempts in one transaction: the messages' true outcomes
/// always, the targets' lease, backoff and last timestamp only under the lease taken
/// (`lease_owner`, `lease_epoch`).
pub async fn finish(
    db: &Db,
    owner: &str,
    now_us: i64,
    backoff: Backoff,
    results: &[(Leased, Outcome)],
) -> Result<Vec<Finished>, Error> {
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let mut out = Vec::with_capacity(results.len());
    for (leased, outcome) in results {
        out.push(finish_one(&txn, owner, now_us, backoff, leased, outcome).await?);
    }
    txn.commit().await?;
    Ok(out)
}

/// The platform's answer as kept: control characters dropped, at most 2 KiB.
fn short(answer: &Option<String>) -> Option<String> {
    answer.as_ref().map(|a| {
        let mut out = String::new();
        for c in a.chars().filter(|c| !c.is_control() || *c == '\n') {
            if out.len() + c.len_utf8() > 2048 {
                break;
            }
            out.push(c);
        }
        out
    })
}

async fn finish_one(
    conn: &impl ConnectionTrait,
    owner: &str,
    now_us: i64,
    backoff: Backoff,
    leased: &Leased,
    outcome: &Outcome,
) -> Result<Finished, Error> {
    let backend = conn.get_database_backend();
    let message_id = leased.claimed.message_id;
    let target_id = leased.claimed.target.id;
    let fence = |sql: &mut Sql| {
        sql.bind(" WHERE id = ?", target_id)
            .bind(" AND lease_owner = ?", owner.to_owned())
            .bind(" AND lease_epoch = ?", leased.epoch);
    };
    let status = |s: Option<u16>| s.map(i32::from);
    let (finished, mut target_sql) = match outcome {
        Outcome::Delivered {
            status: code,
            sent_ts_us,
            lineitem_url,
            answer,
        } => {
            let mut sql = Sql::new("UPDATE passback_messages SET state = 'delivered'");
            sql.bind(", last_attempt_us = ?", now_us)
                .bind(", delivered_us = ?", now_us)
                .bind(", sent_ts_us = ?", *sent_ts_us)
                .push(", attempts = attempts + 1")
                .bind(", last_status = ?", i32::from(*code))
                .push(", last_error = NULL")
                .bind(", last_answer = ?", short(answer))
                .bind(" WHERE id = ?", message_id)
                .push(" AND state IN ('pending', 'superseded')");
            conn.execute_raw(sql.build(backend)).await?;
            let mut sql = Sql::new("UPDATE passback_messages SET state = 'superseded'");
            sql.bind(" WHERE target_id = ?", target_id)
                .push(" AND state = 'pending'")
                .bind(" AND event_us < ?", leased.claimed.event_us);
            conn.execute_raw(sql.build(backend)).await?;
            let mut sql = Sql::new(
                "UPDATE passback_targets SET lease_owner = NULL, lease_until_us = NULL, \
                 consecutive_failures = 0, blocked_until_us = NULL",
            );
            sql.bind(
                ", last_sent_ts_us = COALESCE(?, last_sent_ts_us)",
                *sent_ts_us,
            )
            .bind(", updated_us = ?", now_us);
            if let Some(url) = lineitem_url {
                sql.bind(", lineitem_url = ?", url.clone())
                    .bind(", lineitem_origin = ?", FOUND.to_owned());
            }
            (Finished::Delivered, sql)
        }
        Outcome::Retry {
            status: code,
            error,
            retry_after,
            answer,
        } if now_us <= leased.expires_us => {
            let mut sql = Sql::new("UPDATE passback_messages SET attempts = attempts + 1");
            sql.bind(", last_attempt_us = ?", now_us)
                .bind(", last_status = ?", status(*code))
                .bind(", last_error = ?", error.clone())
                .bind(", last_answer = ?", short(answer))
                .bind(" WHERE id = ?", message_id);
            conn.execute_raw(sql.build(backend)).await?;
            let failures = leased.failures.max(0) as u32 + 1;
            let rnd = u32::from_le_bytes(crate::auth::secret::random_bytes::<4>());
            let delay = backoff.delay(failures, *retry_after, rnd);
            let mut sql = Sql::new(
                "UPDATE passback_targets SET lease_owner = NULL, lease_until_us = NULL, \
                 consecutive_failures = consecutive_failures + 1",
            );
            sql.bind(", blocked_until_us = ?", now_us + delay.as_micros() as i64)
                .bind(", updated_us = ?", now_us);
            (Finished::Retrying, sql)
        }
        Outcome::Retry {
            status: code,
            error,
            answer,
            ..
        }
        | Outcome::Failed {
            status: code,
            error,
            answer,
        } => {
            let error = if matches!(outcome, Outcome::Retry { .. }) {
                format!("gave up: too old to deliver; last: {error}")
            } else {
                error.clone()
            };
            let mut sql = Sql::new("UPDATE passback_messages SET state = 'failed'");
            sql.bind(", last_attempt_us = ?", now_us)
                .bind(", failed_us = ?", now_us)
                .push(", attempts = attempts + 1")
                .bind(", last_status = ?", status(*code))
                .bind(", last_error = ?", error)
                .bind(", last_answer = ?", short(answer))
                .bind(" WHERE id = ?", message_id)
                .push(" AND state IN ('pending', 'superseded')");
            conn.execute_raw(sql.build(backend)).await?;
            // A bad message must not hold the channel back: failures are not counted.
            let mut sql =
                Sql::new("UPDATE passback_targets SET lease_owner = NULL, lease_until_us = NULL");
            sql.bind(", updated_us = ?", now_us);
            (Finished::Failed, sql)
        }
    };
    fence(&mut target_sql);
    let done = conn.execute_raw(target_sql.build(backend)).await?;
    if done.rows_affected() == 0 {
        tracing::warn!(message_id, target_id, "lease lost while delivering");
        return Ok(Finished::LeaseLost);
    }
    Ok(finished)
}
