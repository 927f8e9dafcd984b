//! The outbox rows: targets upserted at launch, messages enqueued in the transaction
//! that changed a standing, claimed with leases (fenced by `lease_epoch`) and finished
//! by the dispatcher. Free functions over `&impl ConnectionTrait` where they run inside
//! a caller's transaction; `claim` and `finish` open their own.

use std::time::Duration;

use aws_lc_rs::digest::{SHA256, digest};
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
use serde_json::Value;

use super::backoff::Backoff;
use super::delivery::{Claimed, Outcome, Protocol, Target};
use super::score;
use crate::db::Db;
use crate::error::Error;
use crate::launch::projection::{Standing, StandingChange};
use crate::sql::Sql;

/// A channel to create or refresh at launch.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub protocol: Protocol,
    pub registration: String,
    pub object_id: String,
    pub source: String,
    pub user_id: String,
    pub deployment_id: Option<String>,
    pub resource_link_id: Option<String>,
    pub context_id: Option<String>,
    pub label: String,
    pub lineitem_url: Option<String>,
    pub lineitems_url: Option<String>,
    pub scopes: Vec<String>,
    pub outcome_url: Option<String>,
    pub sourcedid: Option<String>,
}

impl NewTarget {
    /// Hex SHA-256 of what identifies the channel: the gradebook cell (AGS) or outcome
    /// row (LTI 1.1), and the AU.
    pub fn key(&self) -> String {
        let none = String::new();
        let parts: Vec<&str> = match self.protocol {
            Protocol::Ags => vec![
                "ags",
                &self.source,
                self.deployment_id.as_ref().unwrap_or(&none),
                self.resource_link_id.as_ref().unwrap_or(&none),
                &self.user_id,
                &self.object_id,
            ],
            Protocol::Lti11 => vec![
                "lti11",
                &self.source,
                self.outcome_url.as_ref().unwrap_or(&none),
                self.sourcedid.as_ref().unwrap_or(&none),
                &self.object_id,
            ],
        };
        hex::encode(digest(&SHA256, parts.join("|").as_bytes()))
    }
}

/// Creates the target, or follows changed endpoints of an existing one. Returns its id
/// and whether it is new.
pub async fn upsert_target(
    conn: &impl ConnectionTrait,
    t: &NewTarget,
    now_us: i64,
) -> Result<(i64, bool), Error> {
    let mut sql = Sql::new(
        "INSERT INTO passback_targets (target_key, registration, object_id, protocol, source, \
         user_id, deployment_id, resource_link_id, context_id, label, lineitem_url, \
         lineitems_url, scopes, outcome_url, sourcedid, consecutive_failures, lease_epoch, \
         created_us, updated_us) VALUES (",
    );
    sql.bind("?", t.key())
        .bind(", ?", t.registration.clone())
        .bind(", ?", t.object_id.clone())
        .bind(", ?", t.protocol.name().to_owned())
        .bind(", ?", t.source.clone())
        .bind(", ?", t.user_id.clone())
        .bind(", ?", t.deployment_id.clone())
        .bind(", ?", t.resource_link_id.clone())
        .bind(", ?", t.context_id.clone())
        .bind(", ?", t.label.clone())
        .bind(", ?", t.lineitem_url.clone())
        .bind(", ?", t.lineitems_url.clone())
        .bind(", ?", t.scopes.join(" "))
        .bind(", ?", t.outcome_url.clone())
        .bind(", ?", t.sourcedid.clone())
        .push(", 0, 0")
        .bind(", ?", now_us)
        .bind(", ?)", now_us)
        .push(
            " ON CONFLICT (target_key) DO UPDATE SET \
             lineitem_url = COALESCE(excluded.lineitem_url, passback_targets.lineitem_url), \
             lineitems_url = excluded.lineitems_url, scopes = excluded.scopes, \
             outcome_url = excluded.outcome_url, sourcedid = excluded.sourcedid, \
             label = excluded.label, updated_us = excluded.updated_us \
             RETURNING id, created_us",
        );
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
        .ok_or_else(|| Error::Internal("target upsert returned no row".into()))?;
    let id: i64 = row.try_get("", "id")?;
    let created: i64 = row.try_get("", "created_us")?;
    Ok((id, created == now_us))
}

/// Supersedes what the target still has waiting and adds `payload` as its newest
/// pending message. Runs in the caller's transaction: a rollback takes it back.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    target_id: i64,
    payload: Value,
    event_us: i64,
    due_us: i64,
    expires_us: i64,
) -> Result<i64, Error> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new("UPDATE passback_messages SET state = 'superseded'");
    sql.bind(" WHERE target_id = ?", target_id)
        .push(" AND state = 'pending'");
    conn.execute_raw(sql.build(backend)).await?;
    let mut sql = Sql::new(
        "INSERT INTO passback_messages (target_id, state, payload, event_us, due_us, \
         expires_us, attempts, created_us) VALUES (",
    );
    sql.bind("?", target_id)
        .push(", 'pending'")
        .bind(", ?", payload)
        .bind(", ?", event_us)
        .bind(", ?", due_us)
        .bind(", ?", expires_us)
        .push(", 0")
        .bind(", ?) RETURNING id", event_us);
    let row = conn
        .query_one_raw(sql.build(backend))
        .await?
        .ok_or_else(|| Error::Internal("message insert returned no row".into()))?;
    Ok(row.try_get("", "id")?)
}

/// AGS: not before the next whole second, so changes within one second coalesce and
/// every score timestamp lands in a later second (Moodle keeps one per second).
pub fn due_us(protocol: Protocol, event_us: i64) -> i64 {
    match protocol {
        Protocol::Ags => (event_us.div_euclid(1_000_000) + 1) * 1_000_000,
        Protocol::Lti11 => event_us,
    }
}

/// The payload a target's protocol sends for a change from `before` to `after`, or
/// `None` when the LMS would see no difference.
pub fn payload_for(protocol: Protocol, change: &StandingChange) -> Option<Value> {
    let before = change.before.clone().unwrap_or_else(|| Standing {
        kind: change.kind.clone(),
        ..Standing::default()
    });
    match protocol {
        Protocol::Ags => {
            let after = score::ags_state(&change.after, change.detail.as_ref());
            (after != score::ags_state(&before, None)).then(|| score::ags_payload(&after))
        }
        Protocol::Lti11 => {
            let after = score::outcome_11(&change.after)?;
            (Some(after) != score::outcome_11(&before)).then(|| score::lti11_payload(after))
        }
    }
}

/// The targets of an AU of a registration: `(id, protocol)`.
pub async fn targets_of(
    conn: &impl ConnectionTrait,
    registration: &str,
    object_id: &str,
) -> Result<Vec<(i64, Protocol)>, Error> {
    let mut sql = Sql::new("SELECT id, protocol FROM passback_targets");
    sql.bind(" WHERE registration = ?", registration.to_owned())
        .bind(" AND object_id = ?", object_id.to_owned())
        .push(" ORDER BY id");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let protocol: String = row.try_get("", "protocol")?;
        if let Some(p) = Protocol::parse(&protocol) {
            out.push((row.try_get("", "id")?, p));
        }
    }
    Ok(out)
}

/// Enqueues, for every AU change whose AGS state or LTI 1.1 score changed, a message to
/// each of that AU's targets. Returns how many were enqueued.
pub async fn enqueue_changes(
    conn: &impl ConnectionTrait,
    changes: &[StandingChange],
    max_age: Duration,
) -> Result<usize, Error> {
    let mut count = 0;
    for change in changes.iter().filter(|c| c.kind == "au") {
        let targets = targets_of(conn, &change.registration, &change.object_id).await?;
        for (target_id, protocol) in targets {
            let Some(payload) = payload_for(protocol, change) else {
                continue;
            };
            let event_us = change.at.as_microsecond();
            enqueue(
                conn,
                target_id,
                payload,
                event_us,
                due_us(protocol, event_us),
                event_us + max_age.as_micros() as i64,
            )
            .await?;
            count += 1;
        }
    }
    Ok(count)
}

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
    let mut sql = Sql::new(
        "SELECT m.target_id AS target_id, MIN(m.due_us) AS due FROM passback_messages m \
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
        .push(" GROUP BY m.target_id ORDER BY MIN(m.due_us), m.target_id")
        .bind(" LIMIT ?", (n * 2) as i64);
    let candidates: Vec<i64> = txn
        .query_all_raw(sql.build(backend))
        .await?
        .iter()
        .map(|r| r.try_get("", "target_id"))
        .collect::<Result<_, _>>()?;
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
async fn anything_due(conn: &impl ConnectionTrait, now_us: i64) -> Result<bool, Error> {
    let mut sql = Sql::new("SELECT id FROM passback_messages WHERE state = 'pending'");
    sql.bind(" AND (due_us <= ?", now_us)
        .bind(" OR expires_us < ?)", now_us)
        .push(" LIMIT 1");
    Ok(conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
        .is_some())
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

async fn load_target(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Target>, Error> {
    let mut sql = Sql::new(
        "SELECT id, protocol, source, user_id, object_id, label, lineitem_url, lineitems_url, \
         resource_link_id, scopes, outcome_url, sourcedid, last_sent_ts_us FROM passback_targets",
    );
    sql.bind(" WHERE id = ?", id);
    let Some(row) = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
    else {
        return Ok(None);
    };
    let protocol: String = row.try_get("", "protocol")?;
    let Some(protocol) = Protocol::parse(&protocol) else {
        return Ok(None);
    };
    let scopes: String = row.try_get("", "scopes")?;
    Ok(Some(Target {
        id,
        protocol,
        source: row.try_get("", "source")?,
        user_id: row.try_get("", "user_id")?,
        object_id: row.try_get("", "object_id")?,
        label: row.try_get("", "label")?,
        lineitem_url: row.try_get("", "lineitem_url")?,
        lineitems_url: row.try_get("", "lineitems_url")?,
        resource_link_id: row.try_get("", "resource_link_id")?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        outcome_url: row.try_get("", "outcome_url")?,
        sourcedid: row.try_get("", "sourcedid")?,
        last_sent_ts_us: row.try_get("", "last_sent_ts_us")?,
    }))
}

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

fn short(answer: &Option<String>) -> Option<String> {
    answer.as_ref().map(|a| {
        a.chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .take(2048)
            .collect()
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
            sql.bind(", delivered_us = ?", now_us)
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
            .bind(
                ", lineitem_url = COALESCE(?, lineitem_url)",
                lineitem_url.clone(),
            )
            .bind(", updated_us = ?", now_us);
            (Finished::Delivered, sql)
        }
        Outcome::Retry {
            status: code,
            error,
            retry_after,
            answer,
        } if now_us <= leased.expires_us => {
            let mut sql = Sql::new("UPDATE passback_messages SET attempts = attempts + 1");
            sql.bind(", last_status = ?", status(*code))
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
            sql.bind(", failed_us = ?", now_us)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::projection::ScoreDetail;

    fn change(before: Option<Standing>, after: Standing) -> StandingChange {
        StandingChange {
            registration: "r".into(),
            object_id: "au".into(),
            kind: "au".into(),
            before,
            after,
            at: jiff::Timestamp::UNIX_EPOCH,
            detail: Some(ScoreDetail { raw: 1.0, max: 2.0 }),
        }
    }

    fn au() -> Standing {
        Standing {
            kind: "au".into(),
            ..Standing::default()
        }
    }

    #[test]
    fn ags_messages_wait_for_the_next_whole_second() {
        assert_eq!(due_us(Protocol::Ags, 1_500_000), 2_000_000);
        assert_eq!(due_us(Protocol::Ags, 2_000_000), 3_000_000);
        assert_eq!(due_us(Protocol::Lti11, 1_500_000), 1_500_000);
    }

    #[test]
    fn only_changes_the_lms_sees_make_a_payload() {
        let started = Standing {
            attempted: true,
            ..au()
        };
        let first = change(None, started.clone());
        assert_eq!(
            payload_for(Protocol::Ags, &first).unwrap()["activityProgress"],
            "Started"
        );
        assert_eq!(payload_for(Protocol::Lti11, &first), None, "no number yet");
        let p40 = Standing {
            progress: Some(40),
            ..started.clone()
        };
        let p60 = Standing {
            progress: Some(60),
            ..started.clone()
        };
        assert_eq!(payload_for(Protocol::Ags, &change(Some(p40), p60)), None);
        let passed = Standing {
            passed: true,
            score: Some(0.5),
            ..started.clone()
        };
        let c = change(Some(started), passed);
        assert_eq!(
            payload_for(Protocol::Ags, &c).unwrap()["comment"],
            "Passed, 1 of 2 correct"
        );
        assert_eq!(
            payload_for(Protocol::Lti11, &c),
            Some(serde_json::json!({"resultScore": 0.5}))
        );
    }

    #[test]
    fn target_keys_differ_by_user_and_au_and_protocol() {
        let t = NewTarget {
            protocol: Protocol::Ags,
            registration: "r".into(),
            object_id: "au".into(),
            source: "platform:1".into(),
            user_id: "u".into(),
            deployment_id: Some("d".into()),
            resource_link_id: Some("l".into()),
            context_id: None,
            label: "AU".into(),
            lineitem_url: None,
            lineitems_url: None,
            scopes: vec![],
            outcome_url: None,
            sourcedid: None,
        };
        let other_user = NewTarget {
            user_id: "v".into(),
            ..t.clone()
        };
        let other_au = NewTarget {
            object_id: "au2".into(),
            ..t.clone()
        };
        assert_eq!(t.key().len(), 64);
        assert_ne!(t.key(), other_user.key());
        assert_ne!(t.key(), other_au.key());
        assert_eq!(
            t.key(),
            NewTarget {
                label: "renamed".into(),
                ..t.clone()
            }
            .key()
        );
    }
}
