//! Drops console rows that can no longer be used: sessions past their absolute end or
//! idle too long, setup links expired or used, LTI handoffs expired or used, sign-in
//! counters whose window and lock-out are over. A task started with the app runs it every few minutes; every
//! instance may run it, the deletes are idempotent.

use std::time::Duration;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::session::{self, SessionSettings};
use super::throttle::{self, Limits};
use super::{lti_handoff, setup_links};
use crate::db::Db;
use crate::error::Error;
use entities::console_session;

const EVERY: Duration = Duration::from_secs(300);

/// Rows removed by one pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub sessions: u64,
    pub links: u64,
    /// LTI handoffs (`/console/lti/enter/<token>`) and learner home codes and sessions
    /// (`/learn`), expired or used.
    pub handoffs: u64,
    pub counters: u64,
}

/// Deletes what is over at `now_us`.
pub async fn prune(
    conn: &impl ConnectionTrait,
    sessions: SessionSettings,
    limits: Limits,
    now_us: i64,
) -> Result<Pruned, Error> {
    let over = session::purge_expired(conn, now_us).await?;
    let idle = console_session::Entity::delete_many()
        .filter(console_session::Column::LastSeenUs.lt(now_us.saturating_sub(sessions.idle_us)))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(Pruned {
        sessions: over + idle,
        links: setup_links::purge(conn, now_us).await?,
        // The learner's home codes and sessions expire the same way.
        handoffs: lti_handoff::purge(conn, now_us).await?
            + crate::learn::access::purge(conn, now_us).await?,
        counters: throttle::purge(conn, limits, now_us).await?,
    })
}

/// Runs `prune` now and every five minutes while the runtime lives.
pub fn spawn(db: Db, config: &crate::config::Config) {
    let sessions = SessionSettings::from_config(config);
    let limits = Limits::from_config(config);
    tokio::spawn(async move {
        // The first pass waits a whole period: expired rows are already refused where
        // they are read, and a pass at start-up would race whatever the process does first
        // (tests that set up expired rows on purpose, a migration still warming caches).
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + EVERY, EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = super::now_us();
            let pruned = {
                let _gate = db.write_gate().await;
                prune(db.writer(), sessions, limits, now).await
            };
            match pruned {
                Ok(p) if p != Pruned::default() => {
                    tracing::debug!(?p, "expired console sessions and links removed");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pruning expired console rows failed"),
            }
        }
    });
}
