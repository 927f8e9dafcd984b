//! The roster sync task: one per instance, started in `App::build` beside the passback
//! dispatcher. It claims due contexts (leasing them), fetches every page of each
//! roster, and only when all arrived replaces the stored members. All state is in the
//! rows: a restart resumes what is due, and a crashed instance's leases run out.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::fetch::{RosterClient, SyncError};
use super::lease::{self, Finished, Leased, Pick};
use super::membership::Member;
use crate::config::Config;
use crate::error::Error;
use crate::passback::backoff::Backoff;

/// Rosters one instance fetches at once.
const WORKERS: usize = 4;
/// How long shutdown waits for syncs in flight (their leases run out otherwise).
const DRAIN: Duration = Duration::from_secs(10);

/// The task's settings: `nrps_*`, and the passback poll, lease and backoff.
#[derive(Debug, Clone, Copy)]
pub struct RosterSettings {
    pub poll: Duration,
    pub lease: Duration,
    pub backoff: Backoff,
    pub max_pages: usize,
}

impl RosterSettings {
    pub fn from_config(config: &Config) -> RosterSettings {
        RosterSettings {
            poll: Duration::from_millis(config.passback_poll_ms.max(10)),
            lease: Duration::from_secs(config.passback_lease_secs.max(1)),
            backoff: Backoff {
                base: Duration::from_secs(config.passback_backoff_base_secs),
                max: Duration::from_secs(config.passback_backoff_max_secs),
            },
            max_pages: config.nrps_max_pages.max(1),
        }
    }
}

/// Wakes the sync task (an administrator asked for a sync). Cheap to clone; the API
/// holds one, the task another.
#[derive(Clone, Default)]
pub struct SyncWake(Arc<Notify>);

impl SyncWake {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// A running sync task. Dropping it stops claiming; `shutdown` waits briefly for syncs
/// in flight.
pub struct RosterSync {
    stop: watch::Sender<bool>,
    join: Mutex<Option<JoinHandle<()>>>,
}

impl RosterSync {
    pub fn start(client: RosterClient, settings: RosterSettings, wake: SyncWake) -> RosterSync {
        let (stop, stopped) = watch::channel(false);
        let owner = uuid::Uuid::new_v4().to_string();
        let join = tokio::spawn(run(client, settings, owner, stopped, wake));
        RosterSync {
            stop,
            join: Mutex::new(Some(join)),
        }
    }

    /// Stops claiming and waits up to 10 s for rosters being fetched.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let join = self.join.lock().ok().and_then(|mut j| j.take());
        if let Some(join) = join {
            let _ = join.await;
        }
    }
}

impl Drop for RosterSync {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

async fn run(
    client: RosterClient,
    s: RosterSettings,
    owner: String,
    mut stop: watch::Receiver<bool>,
    wake: SyncWake,
) {
    let mut in_flight: JoinSet<()> = JoinSet::new();
    loop {
        let free = WORKERS.saturating_sub(in_flight.len());
        match lease::claim(&client.db, &owner, now_us(), s.lease, Pick::Due(free)).await {
            Ok(list) => {
                for leased in list {
                    let (client, owner) = (client.clone(), owner.clone());
                    in_flight.spawn(async move {
                        sync_one(&client, &owner, s, leased).await;
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "roster sync: claiming failed"),
        }
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            _ = wake.0.notified() => {}
            _ = tokio::time::sleep(s.poll) => {}
        }
    }
    let drained = tokio::time::timeout(DRAIN, async {
        while in_flight.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        // Nothing is written before the last page: an abandoned sync changes nothing.
        tracing::warn!("roster sync: syncs still running at shutdown were abandoned");
        in_flight.abort_all();
    }
}

/// Syncs context `id` now, in this process, whether due or not (`blackbelt lti
/// sync`). `Ok(false)`: another instance holds it.
pub async fn sync_now(client: &RosterClient, s: RosterSettings, id: i64) -> Result<bool, Error> {
    let owner = format!("cli-{}", uuid::Uuid::new_v4());
    let claimed = lease::claim(&client.db, &owner, now_us(), s.lease, Pick::One(id)).await?;
    let Some(leased) = claimed.into_iter().next() else {
        return Ok(false);
    };
    sync_one(client, &owner, s, leased).await;
    Ok(true)
}

/// Syncs one leased context and records the outcome.
async fn sync_one(client: &RosterClient, owner: &str, s: RosterSettings, l: Leased) {
    let started = Instant::now();
    let fetched = fetch_all(client, owner, s, &l).await;
    let now = now_us();
    let (outcome, recorded) = match &fetched {
        Ok(roster) => {
            let members: Vec<Member> = roster.members.values().cloned().collect();
            let done = lease::succeeded(
                &client.db,
                owner,
                &l,
                &members,
                roster.title.as_deref(),
                now,
            )
            .await;
            tracing::info!(context = l.id, context_id = %l.context_id, members = members.len(),
                pages = roster.pages, skipped = roster.skipped, ms = started.elapsed().as_millis() as u64,
                "roster synced");
            ("ok", done)
        }
        Err(e) => {
            let retry_in = e.retry.then(|| {
                let rnd = u32::from_le_bytes(crate::auth::secret::random_bytes::<4>());
                let failures = u32::try_from(l.failures).unwrap_or(0) + 1;
                s.backoff.delay(failures, e.retry_after, rnd)
            });
            tracing::warn!(context = l.id, context_id = %l.context_id, error = %e.error,
                retry_in_s = retry_in.map(|d| d.as_secs()), "roster sync failed");
            let done = lease::failed(&client.db, owner, &l, &e.error, retry_in, now).await;
            (if e.retry { "retry" } else { "failed" }, done)
        }
    };
    match recorded {
        Ok(Finished::Recorded) => {
            metrics::counter!("nrps_syncs_total", "outcome" => outcome).increment(1);
        }
        Ok(Finished::LeaseLost) => {
            tracing::warn!(context = l.id, "roster sync: lease lost; nothing recorded");
        }
        // The lease runs out and the sync is tried again.
        Err(e) => tracing::error!(error = %e, context = l.id, "roster sync: recording failed"),
    }
}

/// A whole roster: every page arrived.
#[derive(Debug, Default)]
struct Roster {
    /// By user id: a member listed twice (pages shifting under us) is kept once.
    members: BTreeMap<String, Member>,
    title: Option<String>,
    pages: usize,
    skipped: usize,
}

/// Follows `rel="next"` from the memberships URL until the last page, renewing the
/// lease on the way. Stops with an error at `max_pages` or at a URL already fetched.
async fn fetch_all(
    client: &RosterClient,
    owner: &str,
    s: RosterSettings,
    l: &Leased,
) -> Result<Roster, SyncError> {
    let platform = client.platform(&l.source).await?;
    let mut url = url::Url::parse(&l.memberships_url)
        .map_err(|_| SyncError::fatal("the memberships URL is not a URL"))?;
    let mut fetched: HashSet<String> = HashSet::new();
    let mut roster = Roster::default();
    let mut renewed = Instant::now();
    loop {
        let n = roster.pages + 1;
        if n > s.max_pages {
            return Err(SyncError::fatal(format!(
                "the roster has more than {} pages (nrps_max_pages); the stored members were kept",
                s.max_pages
            )));
        }
        if !fetched.insert(url.to_string()) {
            return Err(SyncError::fatal(format!(
                "page {} links back to a page already fetched ({url}): the platform's \
                 rel=\"next\" links loop; the stored members were kept",
                n - 1
            )));
        }
        if renewed.elapsed() > s.lease / 3 {
            let until = now_us() + s.lease.as_micros() as i64;
            match lease::renew(&client.db, owner, l, until).await {
                Ok(true) => renewed = Instant::now(),
                Ok(false) => {
                    return Err(SyncError::fatal(
                        "the lease on this context was lost while fetching",
                    ));
                }
                Err(e) => tracing::warn!(error = %e, "roster sync: renewing the lease failed"),
            }
        }
        let page = client.page(&platform, &url, n).await?;
        roster.pages = n;
        roster.skipped += page.page.skipped;
        if let Some(id) = &page.page.context_id
            && id != &l.context_id
        {
            tracing::warn!(context = l.id, ours = %l.context_id, theirs = %id,
                "the membership container names another context id");
        }
        roster.title = roster.title.or(page.page.context_title);
        for m in page.page.members {
            roster.members.insert(m.user_id.clone(), m);
        }
        match page.next {
            // The next request carries the platform's bearer token.
            Some(next) if next.origin() != url.origin() => {
                return Err(SyncError::fatal(format!(
                    "page {n}'s rel=\"next\" link leads to another origin ({}), where the \
                     platform's token is not sent; the stored members were kept",
                    next.origin().ascii_serialization()
                )));
            }
            Some(next) => url = next,
            None => return Ok(roster),
        }
    }
}
