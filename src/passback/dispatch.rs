//! The dispatcher: a task per instance that claims due messages (leasing their
//! targets), hands each to the deliverer of its protocol, and records the outcomes.
//! All state is in the rows, so a restart resumes whatever is pending, and a crashed
//! instance's leases run out and are taken over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::backoff::Backoff;
use super::delivery::{Deliver, Outcome, Protocol};
use super::store::{self, Leased};
use crate::config::Config;
use crate::db::Db;

/// The deliverer of each protocol; a protocol without one is not claimed (its messages
/// wait).
pub type Deliverers = HashMap<Protocol, Arc<dyn Deliver>>;

/// How long shutdown waits for deliveries in flight before abandoning them (their
/// leases run out and they are tried again).
const DRAIN: Duration = Duration::from_secs(30);

/// The dispatcher's settings, from `passback_*` in the configuration.
#[derive(Debug, Clone, Copy)]
pub struct PassbackSettings {
    pub workers: usize,
    pub poll: Duration,
    pub lease: Duration,
    pub backoff: Backoff,
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
        }
    }
}

/// A running dispatcher. Dropping it stops claiming (deliveries in flight are
/// abandoned); `shutdown` waits for them.
pub struct Dispatcher {
    /// This instance's lease owner name.
    pub owner: String,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    join: Mutex<Option<JoinHandle<()>>>,
}

impl Dispatcher {
    /// Starts the task. With no deliverer it says so once and claims nothing.
    pub fn start(db: Db, deliverers: Deliverers, settings: PassbackSettings) -> Dispatcher {
        let owner = uuid::Uuid::new_v4().to_string();
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
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
                wake.clone(),
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
        self.wake.notify_one();
    }

    /// Stops claiming, waits up to 30 s for deliveries in flight and records them.
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
    let mut in_flight: JoinSet<(Leased, Outcome)> = JoinSet::new();
    loop {
        let free = s.workers.saturating_sub(in_flight.len());
        if free > 0 {
            match store::claim(&db, &owner, now_us(), s.lease, free, &protocols).await {
                Ok(list) => {
                    for leased in list {
                        let Some(deliver) = deliverers.get(&leased.claimed.target.protocol) else {
                            continue;
                        };
                        let deliver = deliver.clone();
                        in_flight.spawn(async move {
                            let outcome = deliver.deliver(&leased.claimed).await;
                            (leased, outcome)
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
    let drained = tokio::time::timeout(DRAIN, async {
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

fn collect(
    done: Result<(Leased, Outcome), tokio::task::JoinError>,
    batch: &mut Vec<(Leased, Outcome)>,
) {
    match done {
        Ok(pair) => batch.push(pair),
        // The lease runs out and the message is tried again.
        Err(e) => tracing::error!(error = %e, "passback: a delivery task failed"),
    }
}

async fn record(db: &Db, owner: &str, backoff: Backoff, batch: &[(Leased, Outcome)]) {
    if batch.is_empty() {
        return;
    }
    for (leased, outcome) in batch {
        match outcome {
            Outcome::Delivered { status, .. } => tracing::info!(
                message_id = leased.claimed.message_id,
                status,
                "passback: delivered"
            ),
            Outcome::Retry { status, error, .. } => tracing::warn!(
                message_id = leased.claimed.message_id,
                ?status,
                error = %error,
                "passback: will retry"
            ),
            Outcome::Failed { status, error, .. } => tracing::warn!(
                message_id = leased.claimed.message_id,
                ?status,
                error = %error,
                "passback: failed"
            ),
        }
    }
    if let Err(e) = store::finish(db, owner, now_us(), backoff, batch).await {
        // The leases run out and the messages are tried again.
        tracing::error!(error = %e, "passback: recording delivery outcomes failed");
    }
}
