//! `cargo bench --bench ingest -- outbox`: what the passback outbox costs statement
//! ingest. The same cmi5 workload (sessions launched through `POST /api/launches`, each
//! sending what a real AU sends) runs against a fresh server three ways: (a) every
//! registration has an AGS target, so the write-time seam's cmi5 rules, progress and
//! outbox all do work and the dispatcher delivers the scores to a stub platform while
//! statements arrive; (b) the same targets with the dispatcher off, so only the outbox
//! rows written in the statements' transactions differ from (c), no targets. On this
//! 2-core machine the delivering server, the stub platform and the load generator share
//! the cores, so (a) also counts the deliveries' CPU. Runs alternate a, b, c; the ratios
//! of the medians are the costs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use blackbelt::lti::platforms::{self, NewPlatform};
use blackbelt::passback::delivery::Protocol;
use blackbelt::passback::store::{self, NewTarget};
use bytes::Bytes;

use super::cmi5::{self, AU, Session};
use super::platform::StubPlatform;
use super::process::{ServerProcess, spawn_server_process_with};
use super::{client, ms, percentile};

/// Learner sessions per run; each sends `5 + PROGRESS_STEPS` statements.
const SESSIONS: u64 = 1_000;
const PROGRESS_STEPS: u64 = 5;
const CLIENTS: [usize; 2] = [16, 64];
const ROUNDS: usize = 2;

pub async fn run() {
    let platform = StubPlatform::start().await;
    println!(
        "outbox cost: {SESSIONS} cmi5 sessions × {} statements, single-statement POSTs",
        5 + PROGRESS_STEPS
    );
    println!(
        "| backend | clients | AGS targets | statements/s | p50 | p99 | scores delivered during the run |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut summary = Vec::new();
    for clients in CLIENTS {
        let (mut with, mut queued, mut without) = (Vec::new(), Vec::new(), Vec::new());
        let mut backend = "";
        for _ in 0..ROUNDS {
            let (b, rate) = one(&platform, Mode::Delivering, clients).await;
            with.push(rate);
            backend = b;
            queued.push(one(&platform, Mode::Queueing, clients).await.1);
            without.push(one(&platform, Mode::NoTargets, clients).await.1);
        }
        let without = median(&mut without);
        summary.push((
            backend,
            clients,
            median(&mut queued) / without,
            median(&mut with) / without,
        ));
    }
    println!(
        "| backend | clients | outbox rows only / none | outbox + delivery / none | \
         outbox cost | outbox + delivery cost |"
    );
    println!("|---|---|---|---|---|---|");
    for (backend, clients, queued, with) in summary {
        println!(
            "| {backend} | {clients} | {queued:.3} | {with:.3} | {:.1} % | {:.1} % |",
            (1.0 - queued) * 100.0,
            (1.0 - with) * 100.0
        );
    }
}

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    let n = rates.len();
    if n % 2 == 1 {
        rates[n / 2]
    } else {
        (rates[n / 2 - 1] + rates[n / 2]) / 2.0
    }
}

/// What a run's server does with passback.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// An AGS target per registration, and the dispatcher delivering during the run.
    Delivering,
    /// The same targets and outbox rows, the dispatcher off: the write-time cost alone.
    Queueing,
    /// No targets: the participants find nothing to do.
    NoTargets,
}

/// One run on a fresh server; returns (backend, statements/s).
async fn one(platform: &StubPlatform, mode: Mode, clients: usize) -> (&'static str, f64) {
    let delivering = if mode == Mode::Queueing {
        "false"
    } else {
        "true"
    };
    let server = spawn_server_process_with(&[
        ("BLACKBELT_OUTBOUND_ALLOW_PRIVATE", "true"),
        ("BLACKBELT_PASSBACK_ENABLED", delivering),
    ])
    .await;
    let targets = mode != Mode::NoTargets;
    let http = client();
    cmi5::import_course(&http, &server).await;
    let sessions = launch_all(&http, &server).await;
    if targets {
        add_targets(&server, platform, &sessions).await;
    }
    // Serialised before the clock starts, as in the other workloads.
    let work: Arc<Vec<(String, Vec<Bytes>)>> = Arc::new(
        sessions
            .iter()
            .map(|s| {
                let bodies = cmi5::statements(s, PROGRESS_STEPS)
                    .iter()
                    .map(|st| Bytes::from(serde_json::to_vec(st).expect("JSON")))
                    .collect();
                (s.token.clone(), bodies)
            })
            .collect(),
    );
    let total: usize = work.iter().map(|(_, b)| b.len()).sum();
    let scores_before = platform.scores();
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("{}/xapi/statements", server.base);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, work, url) = (http.clone(), next.clone(), work.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            // A client is one learner's browser at a time: a session's statements in order.
            while let Some((token, bodies)) = work.get(next.fetch_add(1, Ordering::Relaxed)) {
                for body in bodies {
                    let sent = Instant::now();
                    let response = http
                        .post(&url)
                        .header("Authorization", token)
                        .header("X-Experience-API-Version", "1.0.3")
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("request");
                    let status = response.status();
                    let text = response.text().await.expect("answer");
                    assert!(status.is_success(), "{status}: {text}");
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "| {} | {clients} | {} | {rate:.0} | {} | {} | {} |",
        server.backend,
        match mode {
            Mode::Delivering => "yes, delivering",
            Mode::Queueing => "yes, dispatcher off",
            Mode::NoTargets => "no",
        },
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        platform.scores() - scores_before
    );
    let backend = server.backend;
    server.stop().await;
    (backend, rate)
}

/// Launches every session, 16 at a time.
async fn launch_all(http: &reqwest::Client, server: &ServerProcess) -> Vec<Session> {
    let mut sessions = Vec::with_capacity(SESSIONS as usize);
    let numbers: Vec<u64> = (0..SESSIONS).collect();
    for chunk in numbers.chunks(16) {
        let launched =
            futures_util::future::join_all(chunk.iter().map(|n| cmi5::launch(http, server, *n)))
                .await;
        sessions.extend(launched);
    }
    sessions
}

/// What an LTI 1.3 launch with the AGS claim would have left: a registered platform
/// (token URL on the stub) and a target per registration.
async fn add_targets(server: &ServerProcess, platform: &StubPlatform, sessions: &[Session]) {
    let conn = sea_orm::Database::connect(&server.database_url)
        .await
        .expect("the server's database");
    let registered = platforms::add(
        &conn,
        &NewPlatform {
            name: "Bench LMS".into(),
            issuer: "https://lms.example.com".into(),
            client_id: "bench-client".into(),
            deployment_ids: vec!["deployment-1".into()],
            auth_login_url: "https://lms.example.com/auth".into(),
            token_url: format!("{}/token", platform.base),
            jwks_url: "https://lms.example.com/jwks".into(),
        },
        "active",
    )
    .await
    .expect("platform");
    let now = jiff::Timestamp::now().as_microsecond();
    for (n, s) in sessions.iter().enumerate() {
        let target = NewTarget {
            protocol: Protocol::Ags,
            registration: s.registration.clone(),
            object_id: AU.into(),
            source: format!("platform:{}", registered.id),
            user_id: format!("sub-{n}"),
            deployment_id: Some("deployment-1".into()),
            resource_link_id: Some(format!("rl-{n}")),
            context_id: Some("course-1".into()),
            label: "Policy essentials".into(),
            lineitem_url: Some(platform.lineitem(n as u64)),
            lineitems_url: None,
            scopes: vec![blackbelt::passback::ags::SCOPE_SCORE.into()],
            outcome_url: None,
            sourcedid: None,
        };
        store::upsert_target(&conn, &target, now)
            .await
            .expect("target");
    }
    conn.close().await.expect("close");
}
