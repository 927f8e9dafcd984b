//! How a revocation made elsewhere reaches this instance's credential cache.
//!
//! PostgreSQL: the revoking transaction NOTIFYs (`store::revoke`), so the notice goes out
//! only on commit; every instance LISTENs on a connection of its own and evicts the key.
//! When that connection drops, notices may have been missed: the cache is not used until
//! the listener is back (reconnecting with backoff), and is emptied then.
//!
//! SQLite: several processes may share the file (the CLI revokes from its own process)
//! and SQLite has no notices, so each instance reads the credential revision, a counter
//! every revocation bumps, at most every `CHECK_EVERY`, and empties its cache when it
//! moved. One tiny read per interval, only while requests come in.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

use super::service::Cache;
use super::store::{self, REVOKED_CHANNEL};

/// SQLite: how stale a cached check may be at most.
const CHECK_EVERY: Duration = Duration::from_millis(500);
/// PostgreSQL: first and longest wait between attempts to reconnect the listener.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What keeps one instance's cache in step with revocations made by others.
pub(super) enum Watch {
    /// PostgreSQL: the listener task, stopped when the watch is dropped.
    Listener(JoinHandle<()>),
    /// SQLite: the credential revision, checked on the request path.
    Revision(RevisionWatch),
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Watch::Listener(task) = self {
            task.abort();
        }
    }
}

/// A cache for this instance and what keeps it current. On PostgreSQL the listener is
/// connected before this returns, so a revocation committed afterwards is never missed.
pub(super) async fn watch(conn: &DatabaseConnection, database_url: &str) -> (Arc<Cache>, Watch) {
    if conn.get_database_backend() != DbBackend::Postgres {
        let watch = RevisionWatch {
            started: Instant::now(),
            checked_ms: AtomicU64::new(0),
            seen: tokio::sync::Mutex::new(None),
        };
        return (Arc::new(Cache::new(true)), Watch::Revision(watch));
    }
    let cache = Arc::new(Cache::new(false));
    let listener = match connect(database_url).await {
        Ok(listener) => {
            cache.set_trusted(true);
            Some(listener)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for credential revocations yet; checking every credential in the database until then");
            None
        }
    };
    let task = tokio::spawn(listen(database_url.to_owned(), listener, cache.clone()));
    (cache, Watch::Listener(task))
}

async fn connect(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(REVOKED_CHANNEL).await?;
    Ok(listener)
}

/// Evicts every key announced; on a lost connection distrusts, then empties the cache.
async fn listen(url: String, mut listener: Option<PgListener>, cache: Arc<Cache>) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let Some(active) = listener.as_mut() else {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
            match connect(&url).await {
                Ok(fresh) => {
                    cache.clear();
                    cache.set_trusted(true);
                    backoff = FIRST_BACKOFF;
                    listener = Some(fresh);
                    tracing::info!("listening for credential revocations again");
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "cannot reconnect the credential revocation listener")
                }
            }
            continue;
        };
        match active.try_recv().await {
            Ok(Some(notice)) => cache.evict(notice.payload()),
            // sqlx reconnected and listens again, but notices sent meanwhile are lost.
            Ok(None) => {
                tracing::warn!(
                    "credential revocation listener reconnected; forgetting cached credentials"
                );
                cache.clear();
            }
            Err(e) => {
                tracing::warn!(error = %e, "credential revocation listener lost its connection; checking every credential in the database until it is back");
                cache.set_trusted(false);
                cache.clear();
                listener = None;
            }
        }
    }
}

/// SQLite: the last credential revision seen, and when it was read.
pub(super) struct RevisionWatch {
    started: Instant,
    /// Milliseconds after `started` of the last read, plus one (0: never).
    checked_ms: AtomicU64,
    seen: tokio::sync::Mutex<Option<i64>>,
}

impl Watch {
    /// Brings the cache up to date if this instance has to ask (SQLite) and it is time.
    pub(super) async fn catch_up(&self, conn: &impl ConnectionTrait, cache: &Cache) {
        if let Watch::Revision(watch) = self {
            watch.catch_up(conn, cache).await;
        }
    }
}

impl RevisionWatch {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn due(&self) -> bool {
        let last = self.checked_ms.load(Ordering::SeqCst);
        last == 0 || self.now_ms().saturating_sub(last) >= CHECK_EVERY.as_millis() as u64
    }

    async fn catch_up(&self, conn: &impl ConnectionTrait, cache: &Cache) {
        if !self.due() {
            return;
        }
        let mut seen = self.seen.lock().await;
        if !self.due() {
            return; // another request read it while this one waited
        }
        match store::revision(conn).await {
            Ok(revision) => {
                if *seen != Some(revision) {
                    cache.clear();
                    *seen = Some(revision);
                }
                self.checked_ms.store(self.now_ms(), Ordering::SeqCst);
            }
            Err(e) => {
                // Cannot tell what changed: forget everything, ask again next request.
                tracing::warn!(error = %e, "cannot read the credential revision");
                cache.clear();
            }
        }
    }
}
