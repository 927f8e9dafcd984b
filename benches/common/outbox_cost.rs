//! `cargo bench --bench ingest -- outbox`: what the passback outbox costs statement
//! ingest. The same cmi5 workload (sessions launched through `POST /api/launches`, each
//! sending what a real AU sends: `common/session_load.rs`) runs against a fresh server
//! three ways: (a) every registration has an AGS target, so the write-time seam's cmi5
//! rules, progress and outbox all do work and the dispatcher delivers the scores to a
//! stub platform while statements arrive; (b) the same targets with the dispatcher off,
//! so only the outbox rows written in the statements' transactions differ from (c), no
//! targets. On this 2-core machine the delivering server, the stub platform and the load
//! generator share the cores, so (a) also counts the deliveries' CPU. Each round runs
//! a, b, c (`OUTBOX_ROUNDS` rounds, default 5); the costs are the medians of the
//! per-round ratios a/c and b/c, shown with their range (`common/paired.rs`).

use blackbelt::lti::platforms::{self, NewPlatform};
use blackbelt::passback::delivery::Protocol;
use blackbelt::passback::store::{self, NewTarget};

use super::cmi5::{self, AU, Session};
use super::paired;
use super::platform::StubPlatform;
use super::process::{self, ServerProcess, spawn_server_process_with};
use super::session_load::{self, launch_all};
use super::{client, ms};

/// Learner sessions per run; each sends `5 + PROGRESS_STEPS` statements.
const SESSIONS: u64 = 1_000;
const PROGRESS_STEPS: u64 = 5;
const CLIENTS: [usize; 2] = [16, 64];

/// What a run's server does with passback, in the order each round runs them.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// An AGS target per registration, and the dispatcher delivering during the run.
    Delivering,
    /// The same targets and outbox rows, the dispatcher off: the write-time cost alone.
    Queueing,
    /// No targets: the participants find nothing to do.
    NoTargets,
}

const MODES: [Mode; 3] = [Mode::Delivering, Mode::Queueing, Mode::NoTargets];

pub async fn run() {
    let platform = StubPlatform::start().await;
    let rounds = paired::rounds("OUTBOX_ROUNDS");
    println!(
        "outbox cost: {SESSIONS} cmi5 sessions × {} statements, single-statement POSTs, \
         {rounds} rounds of (delivering, dispatcher off, no targets)",
        5 + PROGRESS_STEPS
    );
    println!(
        "| backend | clients | AGS targets | statements/s | p50 | p99 | scores delivered during the run |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut summary = paired::compare(&MODES, 2, &CLIENTS, rounds, async |mode, clients| {
        one(&platform, mode, clients).await
    })
    .await;
    // The table puts the outbox rows alone before delivery.
    for (_, spreads) in &mut summary {
        spreads.swap(0, 1);
    }
    paired::print_costs(
        process::backend(),
        "without targets",
        rounds,
        &[
            "outbox rows only / none",
            "outbox + delivery / none",
            "outbox cost",
            "outbox + delivery cost",
        ],
        ("", ""),
        &summary,
    );
}

/// One run on a fresh server; returns statements/s.
async fn one(platform: &StubPlatform, mode: Mode, clients: usize) -> f64 {
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
    let http = client();
    cmi5::import_course(&http, &server).await;
    let sessions = launch_all(&http, &server, SESSIONS).await;
    if mode != Mode::NoTargets {
        add_targets(&server, platform, &sessions).await;
    }
    let work = session_load::serialised(&sessions, PROGRESS_STEPS);
    let scores_before = platform.scores();
    let driven = session_load::drive(&http, &server, &work, clients).await;
    println!(
        "| {} | {clients} | {} | {:.0} | {} | {} | {} |",
        server.backend,
        match mode {
            Mode::Delivering => "yes, delivering",
            Mode::Queueing => "yes, dispatcher off",
            Mode::NoTargets => "no",
        },
        driven.rate,
        ms(driven.p50),
        ms(driven.p99),
        platform.scores() - scores_before
    );
    server.stop().await;
    driven.rate
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
