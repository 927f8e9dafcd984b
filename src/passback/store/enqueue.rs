//! Enqueue: a change of standing becomes a pending message in the caller's transaction,
//! superseding what its target still had waiting (coalescing).

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::Value;

use super::targets::targets_of;
use crate::error::Error;
use crate::launch::projection::{Standing, StandingChange};
use crate::passback::delivery::Protocol;
use crate::passback::score;
use crate::sql::Sql;

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
    let mut sql = Sql::new("");
    if backend == DbBackend::Postgres {
        // One round trip instead of two: this runs in the statement's transaction, where
        // each round trip to PostgreSQL is a measurable share of ingest (README,
        // "Outbox cost to ingest"). The CTE's UPDATE sees only rows that existed before
        // the statement, so it never supersedes the row the INSERT adds.
        sql.push("WITH superseded AS (UPDATE passback_messages SET state = 'superseded'")
            .bind(" WHERE target_id = ?", target_id)
            .push(" AND state = 'pending') ");
    } else {
        let mut supersede = Sql::new("UPDATE passback_messages SET state = 'superseded'");
        supersede
            .bind(" WHERE target_id = ?", target_id)
            .push(" AND state = 'pending'");
        conn.execute_raw(supersede.build(backend)).await?;
    }
    sql.push(
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

/// Enqueues, for every AU change whose AGS state or LTI 1.1 score changed, a message to
/// each of that AU's targets. Returns how many were enqueued.
pub async fn enqueue_changes(
    conn: &impl ConnectionTrait,
    changes: &[StandingChange],
    max_age: Duration,
) -> Result<usize, Error> {
    if conn.get_database_backend() == DbBackend::Postgres {
        return enqueue_changes_one_trip(conn, changes, max_age).await;
    }
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

/// PostgreSQL: each change is one statement that finds the AU's targets, supersedes what
/// they still had waiting and adds the new messages, so a change costs one round trip
/// whether or not the AU has targets (it cost two with targets: README, "Outbox cost to
/// ingest"). Both protocols' payloads are computed here; the statement picks by target.
async fn enqueue_changes_one_trip(
    conn: &impl ConnectionTrait,
    changes: &[StandingChange],
    max_age: Duration,
) -> Result<usize, Error> {
    let mut count = 0;
    for change in changes.iter().filter(|c| c.kind == "au") {
        let ags = payload_for(Protocol::Ags, change);
        let lti11 = payload_for(Protocol::Lti11, change);
        if ags.is_none() && lti11.is_none() {
            continue;
        }
        // Only the protocols whose LMS would see a difference get a message.
        let protocols: Vec<&str> = [(ags.is_some(), "'ags'"), (lti11.is_some(), "'lti11'")]
            .into_iter()
            .filter_map(|(changed, name)| changed.then_some(name))
            .collect();
        let event_us = change.at.as_microsecond();
        let mut sql = Sql::new("WITH t AS (SELECT id, protocol FROM passback_targets");
        sql.bind(" WHERE registration = ?", change.registration.clone())
            .bind(" AND object_id = ?", change.object_id.clone())
            .push(" AND protocol IN (")
            .push(&protocols.join(", "))
            .push(")), superseded AS (UPDATE passback_messages SET state = 'superseded'")
            .push(" WHERE target_id IN (SELECT id FROM t) AND state = 'pending')")
            .push(
                " INSERT INTO passback_messages (target_id, state, payload, event_us, due_us, \
                 expires_us, attempts, created_us) SELECT id, 'pending', CASE WHEN protocol = 'ags'",
            )
            .bind(" THEN ?", ags.unwrap_or(Value::Null))
            .bind(" ELSE ? END", lti11.unwrap_or(Value::Null))
            .bind(", ?", event_us)
            .bind(", CASE WHEN protocol = 'ags' THEN ?", due_us(Protocol::Ags, event_us))
            .bind(" ELSE ? END", due_us(Protocol::Lti11, event_us))
            .bind(", ?", event_us + max_age.as_micros() as i64)
            .push(", 0")
            .bind(", ? FROM t ORDER BY id RETURNING id", event_us);
        count += conn
            .query_all_raw(sql.build(DbBackend::Postgres))
            .await?
            .len();
    }
    Ok(count)
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
}
