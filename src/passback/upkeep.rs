//! The passback upkeep task, beside the dispatcher: refreshes the `passback_messages`
//! gauge every 15 s and prunes finished messages every few minutes. Every instance may
//! run it: counts are reads and the deletes are idempotent.

use std::time::Duration;

use tokio::sync::watch;

use super::dispatch::PassbackSettings;
use super::metrics;
use super::store;
use crate::db::Db;

const GAUGE_EVERY: Duration = Duration::from_secs(15);
/// Prune every this many gauge ticks (5 minutes).
const PRUNE_EVERY_TICKS: u32 = 20;

/// Runs until `stop` says so.
pub fn spawn(db: Db, settings: PassbackSettings, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(GAUGE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks: u32 = 0;
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tick.tick() => {}
            }
            if ticks.is_multiple_of(PRUNE_EVERY_TICKS) {
                prune(&db, settings).await;
            }
            ticks = ticks.wrapping_add(1);
            match store::counts(&db.conn).await {
                Ok(counts) => metrics::states(&counts),
                Err(e) => tracing::warn!(error = %e, "passback: counting messages failed"),
            }
        }
    });
}

async fn prune(db: &Db, s: PassbackSettings) {
    let now = jiff::Timestamp::now().as_microsecond();
    match store::prune(db, now, s.keep_delivered_days, s.keep_failed_days).await {
        Ok(pruned) if pruned != store::Pruned::default() => {
            tracing::info!(?pruned, "passback: old messages pruned");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "passback: pruning messages failed"),
    }
}
