//! Retry: an operator sends a failed message again (after the platform was fixed, or the
//! teacher re-placed a deleted line item).

use std::time::Duration;

use sea_orm::{ConnectionTrait, TransactionTrait};

use super::targets::FOUND;
use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;

/// What a retry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retried {
    /// `pending`, or `superseded` when the channel already sent or holds a newer
    /// standing: sending this one again would put an older standing over it.
    pub state: &'static str,
    /// The line item we had found or created was forgotten (it answered 404): the next
    /// attempt finds or re-creates it.
    pub forgot_lineitem: bool,
}

/// Makes failed message `id` pending and due at `now_us`, with a fresh `max_age`; its
/// attempts are kept. 404 `passback_not_found`, 409 `not_failed` for other states.
pub async fn retry(db: &Db, id: i64, now_us: i64, max_age: Duration) -> Result<Retried, Error> {
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let retried = retry_in(&txn, id, now_us, max_age).await?;
    txn.commit().await?;
    Ok(retried)
}

/// `retry` inside the caller's transaction (the console writes its audit entry in it).
pub async fn retry_in(
    txn: &impl ConnectionTrait,
    id: i64,
    now_us: i64,
    max_age: Duration,
) -> Result<Retried, Error> {
    let backend = txn.get_database_backend();
    let mut sql = Sql::new(
        "SELECT m.state AS state, m.last_status AS last_status, m.target_id AS target_id, \
         m.event_us AS event_us, t.lineitem_origin AS lineitem_origin, \
         t.lineitem_url AS lineitem_url \
         FROM passback_messages m JOIN passback_targets t ON t.id = m.target_id",
    );
    sql.bind(" WHERE m.id = ?", id);
    let row = txn
        .query_one_raw(sql.build(backend))
        .await?
        .ok_or(Error::PassbackNotFound(id))?;
    let state: String = row.try_get("", "state")?;
    if state != "failed" {
        return Err(Error::NotFailed(format!(
            "message {id} is {state}; only a failed message can be retried"
        )));
    }
    let target_id: i64 = row.try_get("", "target_id")?;
    let event_us: i64 = row.try_get("", "event_us")?;
    let mut sql = Sql::new("SELECT id FROM passback_messages");
    sql.bind(" WHERE target_id = ?", target_id)
        .push(" AND state IN ('pending', 'delivered')")
        .bind(" AND (event_us > ?", event_us)
        .bind(" OR (event_us = ?", event_us)
        .bind(" AND id > ?)) LIMIT 1", id);
    if txn.query_one_raw(sql.build(backend)).await?.is_some() {
        let mut sql = Sql::new("UPDATE passback_messages SET state = 'superseded'");
        sql.bind(" WHERE id = ?", id);
        txn.execute_raw(sql.build(backend)).await?;
        return Ok(Retried {
            state: "superseded",
            forgot_lineitem: false,
        });
    }
    let mut sql = Sql::new("UPDATE passback_messages SET state = 'pending', failed_us = NULL");
    sql.bind(", due_us = ?", now_us)
        .bind(
            ", expires_us = ?",
            now_us.saturating_add(i64::try_from(max_age.as_micros()).unwrap_or(i64::MAX)),
        )
        .bind(" WHERE id = ?", id)
        .push(" AND state = 'failed'");
    txn.execute_raw(sql.build(backend)).await?;
    let status: Option<i32> = row.try_get("", "last_status")?;
    let origin: Option<String> = row.try_get("", "lineitem_origin")?;
    // A line item the launch's claim named is the platform's own word: keep it. One we
    // found or created may have been deleted in the LMS since.
    let forgot_lineitem = status == Some(404) && origin.as_deref() == Some(FOUND);
    // Due now means now: the channel's backoff from earlier failures is lifted.
    let mut sql =
        Sql::new("UPDATE passback_targets SET blocked_until_us = NULL, consecutive_failures = 0");
    if forgot_lineitem {
        sql.push(", lineitem_url = NULL, lineitem_origin = NULL");
    }
    sql.bind(", updated_us = ?", now_us)
        .bind(" WHERE id = ?", target_id);
    txn.execute_raw(sql.build(backend)).await?;
    if forgot_lineitem {
        // The column's shared record (one per resource link and AU, `lineitem_lock`)
        // must forget it too, or the next attempt would be handed the deleted URL again.
        let url: Option<String> = row.try_get("", "lineitem_url")?;
        let mut sql = Sql::new(
            "UPDATE passback_lineitems SET lineitem_url = NULL, lease_owner = NULL, \
             lease_until_us = NULL",
        );
        sql.bind(", updated_us = ?", now_us)
            .bind(" WHERE lineitem_url = ?", url);
        txn.execute_raw(sql.build(backend)).await?;
    }
    Ok(Retried {
        state: "pending",
        forgot_lineitem,
    })
}
