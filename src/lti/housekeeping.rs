//! Drops LTI rows that can no longer be used: login states past their expiry (anyone
//! can create them through `/lti/login`), LTI 1.1 OAuth nonces past their window, and
//! registration links that expired unused long ago. A task started with the app runs
//! it every minute; every instance may run it, the deletes are idempotent.

use std::time::Duration;

use sea_orm::ConnectionTrait;

use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;

const EVERY: Duration = Duration::from_secs(60);
/// Unused expired registration links stay this long, so an administrator can still see
/// why one failed.
const LINK_KEEP_US: i64 = 30 * 86_400_000_000;

/// Rows removed by one pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub states: u64,
    pub nonces: u64,
    pub links: u64,
}

/// Deletes what expired before `now_us`.
pub async fn prune(conn: &impl ConnectionTrait, now_us: i64) -> Result<Pruned, Error> {
    let backend = conn.get_database_backend();
    let delete = |table: &str, before: i64, extra: &str| {
        let mut sql = Sql::new(&format!("DELETE FROM {table}"));
        sql.bind(" WHERE expires_us < ?", before).push(extra);
        sql.build(backend)
    };
    let states = delete("lti_states", now_us, "");
    let nonces = delete("lti_nonces", now_us, "");
    let links = delete(
        "lti_registration_links",
        now_us - LINK_KEEP_US,
        " AND used_us IS NULL",
    );
    Ok(Pruned {
        states: conn.execute_raw(states).await?.rows_affected(),
        nonces: conn.execute_raw(nonces).await?.rows_affected(),
        links: conn.execute_raw(links).await?.rows_affected(),
    })
}

/// Runs `prune` now and every minute while the runtime lives.
pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = jiff::Timestamp::now().as_microsecond();
            match prune(db.writer(), now).await {
                Ok(pruned) if pruned != Pruned::default() => {
                    tracing::debug!(?pruned, "expired LTI rows removed");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pruning expired LTI rows failed"),
            }
        }
    });
}
