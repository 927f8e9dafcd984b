//! `cargo bench --bench passback`: how fast the outbox delivers AGS scores. Pending
//! messages are written through the real enqueue path (`passback::store`), then the real
//! dispatcher with the real AGS deliverer sends them through the outbound client to a
//! stub platform in this process that answers 200 at once.
//! The physical limit is measured in the same run: the same number of score POSTs sent
//! straight to the stub with the same outbound client and the same concurrency, no
//! database. Every figure is also printed as a ratio to it (the machine is shared and
//! drifts; a ratio drifts less).
//! SQLite always; PostgreSQL too when `BENCH_DATABASE_URL` or `TEST_DATABASE_URL` is a
//! `postgres://` URL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use blackbelt::app::App;
use blackbelt::config::Config;
use blackbelt::db::Db;
use blackbelt::launch::projection::{ScoreDetail, Standing, StandingChange};
use blackbelt::lti::platforms::{self, NewPlatform};
use blackbelt::lti::service_token::ServiceTokens;
use blackbelt::outbound::{Call, Outbound, OutboundSettings};
use blackbelt::passback::ags::{AgsDeliverer, SCOPE_SCORE, SCORE_MEDIA_TYPE};
use blackbelt::passback::delivery::{Deliver, Protocol};
use blackbelt::passback::dispatch::{Deliverers, Dispatcher, PassbackSettings, Wake};
use blackbelt::passback::store::{self, NewTarget};
use common::platform::StubPlatform;
use common::{ms, percentile};
use sea_orm::{ConnectionTrait, TransactionTrait};

/// Targets (gradebook cells) per run: the 2,000.
const TARGETS: u64 = 2_000;
/// Standing changes per statement batch when enqueueing, as a busy LRS commits them.
const PER_COMMIT: u64 = 50;

#[tokio::main]
async fn main() {
    let platform = StubPlatform::start().await;
    let postgres = ["BENCH_DATABASE_URL", "TEST_DATABASE_URL"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|url| url.starts_with("postgres"));
    // Lag: backlog runs from the dispatcher's start (the position in the drain); the
    // steady run from the commit that enqueued the message.
    println!(
        "| backend | workload | scores sent | messages | scores/s | p50 lag | p99 lag | limit scores/s | ratio to limit |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    run_backend(&platform, None).await;
    if let Some(url) = postgres {
        run_backend(&platform, Some(url)).await;
    }
}

async fn run_backend(platform: &StubPlatform, postgres: Option<String>) {
    let bench = BenchDb::open(postgres).await;
    let config = bench.app.config.clone();
    let settings = PassbackSettings::from_config(&config);
    let http = Outbound::new(OutboundSettings::from_config(&config)).expect("outbound");
    let platform_id = register(&bench.app.db, platform).await;
    let mut next_target = 0;
    for (label, per_target) in [
        ("backlog, 1 message per target", 1),
        ("backlog, 4 changes per target (coalesced)", 4),
    ] {
        let limit = direct(platform, &http, settings.workers, TARGETS).await;
        let first = next_target;
        next_target += TARGETS;
        let enqueued = enqueue(&bench.app.db, platform, platform_id, first, per_target).await;
        // AGS messages wait for the next whole second (Moodle keeps one score a second).
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let before = platform.scores();
        let started = Instant::now();
        let started_us = jiff::Timestamp::now().as_microsecond();
        let dispatcher = start(&bench.app.db, &http, settings);
        wait_delivered(&bench.app.db, first, TARGETS).await;
        let elapsed = started.elapsed();
        dispatcher.shutdown().await;
        let sent = platform.scores() - before;
        assert_eq!(sent, TARGETS, "each target gets exactly its newest score");
        let rate = sent as f64 / elapsed.as_secs_f64();
        let lags = lags(&bench.app.db, first, TARGETS, started_us).await;
        println!(
            "| {} | {label} | {sent} | {enqueued} | {rate:.0} | {} | {} | {limit:.0} | {:.2} |",
            bench.backend,
            ms(percentile(&lags, 50.0)),
            ms(percentile(&lags, 99.0)),
            rate / limit
        );
    }
    steady(&bench, platform, platform_id, &http, settings, next_target).await;
}

/// A steady offered load while the dispatcher runs: the lag a learner's LMS sees, from
/// the commit to the platform's 200 (AGS waits for the next whole second, and the
/// dispatcher polls every `passback_poll_ms`).
async fn steady(
    bench: &BenchDb,
    platform: &StubPlatform,
    platform_id: i64,
    http: &Outbound,
    settings: PassbackSettings,
    first: u64,
) {
    const RATE: u64 = 200;
    const SECONDS: u64 = 5;
    let total = RATE * SECONDS;
    let dispatcher = start(&bench.app.db, http, settings);
    let before = platform.scores();
    let started = Instant::now();
    let tick = Duration::from_millis(1000 * PER_COMMIT / RATE);
    let mut at = tokio::time::interval(tick);
    for commit in 0..total / PER_COMMIT {
        at.tick().await;
        let from = first + commit * PER_COMMIT;
        enqueue_range(&bench.app.db, platform, platform_id, from, PER_COMMIT, 1).await;
    }
    wait_delivered(&bench.app.db, first, total).await;
    let elapsed = started.elapsed();
    dispatcher.shutdown().await;
    let lags = lags(&bench.app.db, first, total, 0).await;
    println!(
        "| {} | steady {RATE} changes/s for {SECONDS} s (lag: commit → 200) | {} | {total} | {:.0} | {} | {} | – | – |",
        bench.backend,
        platform.scores() - before,
        total as f64 / elapsed.as_secs_f64(),
        ms(percentile(&lags, 50.0)),
        ms(percentile(&lags, 99.0)),
    );
}

/// The physical limit: `n` score POSTs straight to the stub through the same outbound
/// client, `workers` at a time, no database; scores/s.
async fn direct(platform: &StubPlatform, http: &Outbound, workers: usize, n: u64) -> f64 {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (http, next) = (http.clone(), next.clone());
        let url_of = {
            let base = platform.base.clone();
            move |i: u64| format!("{base}/li/{i}/lineitem/scores")
        };
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return;
                }
                let url = url_of(i);
                let body = serde_json::json!({"activityProgress": "Completed",
                    "gradingProgress": "FullyGraded", "scoreGiven": 83.0, "scoreMaximum": 100,
                    "comment": "Passed, 5 of 6 correct", "userId": format!("sub-{i}"),
                    "timestamp": "2026-12-07T01:00:00.000Z"});
                let answer = http
                    .call(Call {
                        bearer: Some("bench-token"),
                        content_type: Some(SCORE_MEDIA_TYPE),
                        body: Some(body.to_string().into_bytes()),
                        ..Call::new(reqwest::Method::POST, &url, 64 * 1024)
                    })
                    .await
                    .expect("stub answers");
                assert_eq!(answer.status, 200);
            }
        }));
    }
    for task in tasks {
        task.await.expect("direct task");
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn start(db: &Db, http: &Outbound, settings: PassbackSettings) -> Dispatcher {
    let mut deliverers = Deliverers::new();
    deliverers.insert(
        Protocol::Ags,
        Arc::new(AgsDeliverer::new(
            db.clone(),
            http.clone(),
            ServiceTokens::default(),
        )) as Arc<dyn Deliver>,
    );
    Dispatcher::start(db.clone(), deliverers, settings, Wake::default())
}

/// Targets `first..first + TARGETS`, each given `per_target` successive changes of
/// standing; returns the messages enqueued.
async fn enqueue(
    db: &Db,
    platform: &StubPlatform,
    platform_id: i64,
    first: u64,
    per_target: u64,
) -> u64 {
    let mut count = 0;
    for from in (first..first + TARGETS).step_by(PER_COMMIT as usize) {
        count += enqueue_range(db, platform, platform_id, from, PER_COMMIT, per_target).await;
    }
    count
}

/// Upserts targets `from..from + n` (as their launches would) and enqueues their
/// changes of standing in one transaction per change step (as statement batches would).
async fn enqueue_range(
    db: &Db,
    platform: &StubPlatform,
    platform_id: i64,
    from: u64,
    n: u64,
    per_target: u64,
) -> u64 {
    let now = jiff::Timestamp::now();
    {
        let _gate = db.write_gate().await;
        let txn = db.writer().begin().await.expect("begin");
        for i in from..from + n {
            store::upsert_target(
                &txn,
                &target(platform, platform_id, i),
                now.as_microsecond(),
            )
            .await
            .expect("target");
        }
        txn.commit().await.expect("commit");
    }
    let mut count = 0;
    for step in 0..per_target {
        let changes: Vec<StandingChange> = (from..from + n)
            .map(|i| change(i, per_target - 1 - step, jiff::Timestamp::now()))
            .collect();
        let _gate = db.write_gate().await;
        let txn = db.writer().begin().await.expect("begin");
        count += store::enqueue_changes(&txn, &changes, Duration::from_secs(3 * 24 * 3600))
            .await
            .expect("enqueue") as u64;
        txn.commit().await.expect("commit");
    }
    count
}

fn registration(i: u64) -> String {
    uuid::Uuid::from_u64_pair(0xb0b, i).to_string()
}

const AU: &str = "https://example.com/au/policy";

fn target(platform: &StubPlatform, platform_id: i64, i: u64) -> NewTarget {
    NewTarget {
        protocol: Protocol::Ags,
        registration: registration(i),
        object_id: AU.into(),
        source: format!("platform:{platform_id}"),
        user_id: format!("sub-{i}"),
        deployment_id: Some("deployment-1".into()),
        resource_link_id: Some(format!("rl-{i}")),
        context_id: Some("course-1".into()),
        label: "Policy basics".into(),
        lineitem_url: Some(platform.lineitem(i)),
        lineitems_url: None,
        scopes: vec![SCOPE_SCORE.into()],
        outcome_url: None,
        sourcedid: None,
    }
}

/// A learner's AU standing moving on: started → in progress → completed → passed; the
/// last step (`remaining` = 0) is always "passed".
fn change(i: u64, remaining: u64, at: jiff::Timestamp) -> StandingChange {
    let au = |attempted, progress, completed, passed, score| Standing {
        kind: "au".into(),
        attempted,
        completed,
        passed,
        score,
        progress,
        ..Standing::default()
    };
    let steps = [
        au(true, None, false, false, None),
        au(true, Some(50), false, false, None),
        au(true, Some(100), true, false, None),
        au(true, Some(100), true, true, Some(0.83)),
    ];
    let to = steps.len() - 1 - (remaining as usize).min(steps.len() - 1);
    StandingChange {
        registration: registration(i),
        object_id: AU.into(),
        kind: "au".into(),
        before: to.checked_sub(1).map(|b| steps[b].clone()),
        after: steps[to].clone(),
        at,
        detail: (to == 3).then_some(ScoreDetail { raw: 5.0, max: 6.0 }),
    }
}

/// Waits until targets `first..first + n` have each had a message delivered.
async fn wait_delivered(db: &Db, first: u64, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let delivered = delivered_rows(db, first, n).await.len() as u64;
        if delivered >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {delivered} of {n} delivered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// (event_us, delivered_us) of the delivered messages of targets `first..first + n`
/// (their registrations sort in that order: the number is the UUID's low half).
async fn delivered_rows(db: &Db, first: u64, n: u64) -> Vec<(i64, i64)> {
    let sql = format!(
        "SELECT m.event_us AS event_us, m.delivered_us AS delivered_us FROM passback_messages m \
         JOIN passback_targets t ON t.id = m.target_id WHERE m.state = 'delivered' \
         AND t.registration >= '{}' AND t.registration <= '{}'",
        registration(first),
        registration(first + n - 1)
    );
    db.conn
        .query_all_raw(sea_orm::Statement::from_string(
            db.conn.get_database_backend(),
            sql,
        ))
        .await
        .expect("delivered")
        .iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "event_us").unwrap(),
                r.try_get::<i64>("", "delivered_us").unwrap(),
            )
        })
        .collect()
}

/// Commit (or `since`, if later) → recorded as delivered, per delivered message, sorted.
async fn lags(db: &Db, first: u64, n: u64, since_us: i64) -> Vec<Duration> {
    let mut lags: Vec<Duration> = delivered_rows(db, first, n)
        .await
        .iter()
        .map(|(event, delivered)| {
            Duration::from_micros((delivered - event.max(&since_us)).max(0) as u64)
        })
        .collect();
    lags.sort();
    lags
}

async fn register(db: &Db, platform: &StubPlatform) -> i64 {
    let new = NewPlatform {
        name: "Bench LMS".into(),
        issuer: "https://lms.example.com".into(),
        client_id: "bench-client".into(),
        deployment_ids: vec!["deployment-1".into()],
        auth_login_url: "https://lms.example.com/auth".into(),
        token_url: format!("{}/token", platform.base),
        jwks_url: "https://lms.example.com/jwks".into(),
    };
    platforms::add(&db.conn, &new, "active")
        .await
        .expect("platform")
        .id
}

/// The app's database on a fresh SQLite file or PostgreSQL schema, passback off (the
/// bench starts its own dispatcher), outbound calls to loopback allowed.
struct BenchDb {
    app: App,
    backend: &'static str,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<common::pg_drop::PgDrop>,
}

impl BenchDb {
    async fn open(postgres: Option<String>) -> BenchDb {
        let mut config = Config {
            passback_enabled: false,
            outbound_allow_private: true,
            ..Config::default()
        };
        let (dir, schema, backend) = match postgres {
            Some(url) => {
                config.database_url = url.clone();
                config.database_max_connections = 16;
                let name = common::fresh_schema(&url).await;
                let cleanup = common::pg_drop::PgDrop::new(
                    &url,
                    format!("DROP SCHEMA IF EXISTS {name} CASCADE"),
                );
                (None, Some((name, cleanup)), "PostgreSQL")
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                config.database_url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("passback.db").display()
                );
                (Some(dir), None, "SQLite")
            }
        };
        let app = App::build_with_schema(config, schema.as_ref().map(|(n, _)| n.as_str()))
            .await
            .expect("app");
        BenchDb {
            app,
            backend,
            _dir: dir,
            _schema: schema.map(|(_, cleanup)| cleanup),
        }
    }
}
