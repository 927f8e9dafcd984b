//! The dispatcher: a task per instance that claims due messages (leasing their
//! targets), hands each to the deliverer of its protocol, and records the outcomes.
//! All state is in the rows, so a restart resumes whatever is pending, and a crashed
//! instance's leases run out and are taken over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::backoff::Backoff;
use super::delivery::{Deliver, Outcome, Protocol};
use super::metrics;
use super::store::{self, Finished, Leased};
use super::upkeep;
use crate::config::Config;
use crate::db::Db;

/// The deliverer of each protocol; a protocol without one is not claimed (its messages
/// wait).
pub type Deliverers = HashMap<Protocol, Arc<dyn Deliver>>;

/// Wakes the dispatcher (the admin API after a retry). A clone shares the same signal;
/// without a running dispatcher, waking does nothing.
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    /// Looks for due messages now instead of at the next poll.
    pub fn now(&self) {
        self.0.notify_one();
    }
}

/// The dispatcher's settings, from `passback_*` in the configuration.
#[derive(Debug, Clone, Copy)]
pub struct PassbackSettings {
    pub workers: usize,
    pub poll: Duration,
    pub lease: Duration,
    pub backoff: Backoff,
    /// How long shutdown waits for deliveries in flight before leaving them pending
    /// (their leases run out and they are tried again).
    pub drain: Duration,
    /// Keep times of finished messages, in days (0: kept).
    pub keep_delivered_days: u64,
    pub keep_failed_days: u64,
}

impl PassbackSettings {
    pub fn from_config(config: &Config) -> PassbackSettings {
        PassbackSettings {
            workers: config.passback_workers.max(1),
            poll: Duration::from_millis(config.passback_poll_ms.max(10)),
            lease: Duration::from_secs(config.passback_lease_secs.max(1)),
            backoff: Backoff {
                base: Duration::from_secs(config.passback_backoff_base_secs),
                max: Duration::from_secs(config.passback_backoff_max_secs),
            },
            drain: Duration::from_secs(config.passback_drain_secs),
            keep_delivered_days: config.passback_keep_delivered_days,
            keep_failed_days: config.passback_keep_failed_days,
        }
    }
}

/// A running dispatcher. Dropping it stops claiming (deliveries in flight are
/// abandoned); `shutdown` waits for them.
pub struct Dispatcher {
    /// This instance's lease owner name.
    pub owner: String,
    wake: Wake,
    stop: watch::Sender<bool>,
    join: Mutex<Option<JoinHandle<()>>>,
}

impl Dispatcher {
    /// Starts the task, and the upkeep task (state gauge, pruning) beside it. With no
    /// deliverer it says so once and claims nothing. `wake` is the signal the admin API
    /// holds.
    pub fn start(
        db: Db,
        deliverers: Deliverers,
        settings: PassbackSettings,
        wake: Wake,
    ) -> Dispatcher {
        let owner = uuid::Uuid::new_v4().to_string();
        let (stop, stopped) = watch::channel(false);
        upkeep::spawn(db.clone(), settings, stopped.clone());
        let join = if deliverers.is_empty() {
            tracing::info!(
                "no passback deliverer is registered: progress messages are kept pending, \
                 not sent"
            );
            None
        } else {
            Some(tokio::spawn(run(
                db,
                deliverers,
                settings,
                owner.clone(),
                stopped,
                wake.0.clone(),
            )))
        };
        Dispatcher {
            owner,
            wake,
            stop,
            join: Mutex::new(join),
        }
    }

    /// Looks for due messages now instead of at the next poll.
    pub fn wake(&self) {
        self.wake.now();
    }

    /// Stops claiming, waits up to `passback_drain_secs` for deliveries in flight and
    /// records them.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let join = self.join.lock().ok().and_then(|mut j| j.take());
        if let Some(join) = join {
            let _ = join.await;
        }
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

async fn run(
    db: Db,
    deliverers: Deliverers,
    s: PassbackSettings,
    owner: String,
    mut stop: watch::Receiver<bool>,
    wake: Arc<Notify>,
) {
    let mut protocols: Vec<Protocol> = deliverers.keys().copied().collect();
    protocols.sort_by_key(|p| p.name());
    let mut in_flight: JoinSet<Attempt> = JoinSet::new();
    loop {
        let free = s.workers.saturating_sub(in_flight.len());
        // A claim is a write transaction: on SQLite it holds the one writer that statement
        // writes need too. Claiming again for every finished delivery (1–2 free slots)
        // made many small claims; waiting until half the workers are free makes few
        // larger ones, and deliveries take milliseconds, so nothing waits long.
        if free > 0 && (in_flight.is_empty() || free >= s.workers.div_ceil(2)) {
            match store::claim(&db, &owner, now_us(), s.lease, free, &protocols).await {
                Ok(list) => {
                    for leased in list {
                        let Some(deliver) = deliverers.get(&leased.claimed.target.protocol) else {
                            continue;
                        };
                        let deliver = deliver.clone();
                        in_flight.spawn(async move {
                            let started = Instant::now();
                            let outcome = deliver.deliver(&leased.claimed).await;
                            Attempt {
                                leased,
                                outcome,
                                took: started.elapsed(),
                            }
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "passback: claiming failed"),
            }
        }
        tokio::select! {
            _ = stop.changed() => break,
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                let mut batch = Vec::new();
                collect(done, &mut batch);
                while let Some(more) = in_flight.try_join_next() {
                    collect(more, &mut batch);
                }
                record(&db, &owner, s.backoff, &batch).await;
            }
            _ = wake.notified() => {}
            _ = tokio::time::sleep(s.poll) => {}
        }
    }
    let drained = tokio::time::timeout(s.drain, async {
        let mut batch = Vec::new();
        while let Some(done) = in_flight.join_next().await {
            collect(done, &mut batch);
        }
        batch
    })
    .await;
    match drained {
        Ok(batch) => record(&db, &owner, s.backoff, &batch).await,
        Err(_) => {
            tracing::warn!("passback: deliveries still running at shutdown were abandoned");
            in_flight.abort_all();
        }
    }
}

/// One finished delivery attempt.
struct Attempt {
    leased: Leased,
    outcome: Outcome,
    took: Duration,
}

fn collect(done: Result<Attempt, tokio::task::JoinError>, batch: &mut Vec<Attempt>) {
    match done {
        Ok(attempt) => batch.push(attempt),
        // The lease runs out and the message is tried again.
        Err(e) => tracing::error!(error = %e, "passback: a delivery task failed"),
    }
}

/// Logs each attempt, records the outcomes, then counts them: what `finish` recorded
/// is what the metrics say.
async fn record(db: &Db, owner: &str, backoff: Backoff, batch: &[Attempt]) {
    if batch.is_empty() {
        return;
    }
    for a in batch {
        log_attempt(a);
    }
    let pairs: Vec<(Leased, Outcome)> = batch
        .iter()
        .map(|a| (a.leased.clone(), a.outcome.clone()))
        .collect();
    let now = now_us();
    match store::finish(db, owner, now, backoff, &pairs).await {
        Ok(finished) => {
            for (a, f) in batch.iter().zip(finished) {
                let protocol = a.leased.claimed.target.protocol;
                metrics::attempt(protocol, &a.outcome, f, a.took);
                if f == Finished::Delivered {
                    metrics::delivered(protocol, now - a.leased.claimed.event_us);
                }
            }
        }
        // The leases run out and the messages are tried again.
        Err(e) => tracing::error!(error = %e, "passback: recording delivery outcomes failed"),
    }
}

/// One line per attempt: the platform, the line item or outcome URL, what came back.
fn log_attempt(a: &Attempt) {
    let claimed = &a.leased.claimed;
    let target = &claimed.target;
    let url = match &a.outcome {
        Outcome::Delivered {
            lineitem_url: Some(found),
            ..
        } => Some(found.as_str()),
        _ => target
            .lineitem_url
            .as_deref()
            .or(target.outcome_url.as_deref()),
    };
    let url = url.unwrap_or("-");
    let took_ms = a.took.as_millis() as u64;
    let (protocol, source, message_id) =
        (target.protocol.name(), &target.source, claimed.message_id);
    let attempt = claimed.attempts + 1;
    match &a.outcome {
        Outcome::Delivered { status, .. } => tracing::info!(
            message_id,
            protocol,
            source,
            url,
            attempt,
            status,
            took_ms,
            outcome = "delivered",
            "passback: delivered"
        ),
        Outcome::Retry { status, error, .. } => tracing::warn!(
            message_id, protocol, source, url, attempt, ?status, took_ms,
            outcome = "retry",
            error = %error,
            "passback: will retry"
        ),
        Outcome::Failed { status, error, .. } => tracing::warn!(
            message_id, protocol, source, url, attempt, ?status, took_ms,
            outcome = "failed",
            error = %error,
            "passback: failed"
        ),
    }
}
