//! `cargo bench --bench console`: every console page a user reads, at scale, against the
//! issue's target of 300 ms p95. The dataset is written straight into PostgreSQL
//! (`common/console_data.rs`: learners, registrations and cmi5 progress, awards and audit
//! rows from the real engine, evidence, credentials, statements and their index rows in
//! the write path's shapes); then each page is requested `CONSOLE_REQUESTS` times
//! (default 60) by `CONSOLE_CLIENTS` concurrent clients (default 3), signed in as an
//! administrator (and a manager with a team), once before ANALYZE (autovacuum is off on
//! this machine: statistics can be stale) and once after.
//! PostgreSQL only: TEST_DATABASE_URL must be a `postgres://` URL. Scale:
//! CONSOLE_LEARNERS (default 2,000), CONSOLE_STATEMENTS (default 100,000); the issue's
//! figures are CONSOLE_LEARNERS=100000 CONSOLE_STATEMENTS=10000000.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use blackbelt::console::role::Role;
use common::console_data as data;
use common::console_pages::{self as pages, PageCase};
use common::program::{self, CourseIds};
use serde_json::json;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}: a number")))
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let learners = env_number("CONSOLE_LEARNERS", 2_000).max(100);
    let statements = env_number("CONSOLE_STATEMENTS", 100_000).max(1_000);
    let requests = env_number("CONSOLE_REQUESTS", 60);
    let clients = env_number("CONSOLE_CLIENTS", 3);
    assert!(
        std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")),
        "the console bench generates its data with PostgreSQL's generate_series: set \
         TEST_DATABASE_URL=postgres://…"
    );
    let reuse = std::env::var("CONSOLE_SCHEMA").ok();
    let mut server = common::spawn_server_on(reuse.clone()).await;
    let first = CourseIds::shipped(
        "all-employees",
        &["policy-essentials", "complaint-triage", "your-voice"],
    );
    let (learners, statements) = match &reuse {
        Some(schema) => {
            let (learners, statements) = data::scale(&server.db.conn).await;
            println!(
                "console bench on {} (schema {schema}, generated earlier)",
                server.backend
            );
            (learners, statements)
        }
        None => {
            generate(&server, &first, learners, statements).await;
            if std::env::var("CONSOLE_GENERATE_ONLY").is_ok() {
                server.keep_schema();
                let schema = server.schema.clone().unwrap_or_default();
                println!(
                    "generated; kept schema {schema} (not analyzed yet): CONSOLE_SCHEMA={schema}"
                );
                return;
            }
            (learners, statements)
        }
    };
    let analyzed = data::analyzed(&server.db.conn).await;
    println!(
        "{learners} learners, {statements} statements, {requests} requests per page from \
         {clients} clients"
    );
    let admin = pages::signed_in(&server, Role::Admin, None).await;
    let manager =
        pages::signed_in(&server, Role::Manager, Some(json!({"org_units": ["ou-7"]}))).await;
    let cases: Vec<Arc<PageCase>> = pages::cases(&admin, &manager, learners, &first)
        .into_iter()
        .map(Arc::new)
        .collect();
    let http = common::client();
    if !analyzed && std::env::var("CONSOLE_SKIP_STALE").is_err() {
        let mut stale = Vec::new();
        for case in &cases {
            stale.push(pages::measure(&server, &http, case.clone(), 10, clients).await);
        }
        pages::report("before ANALYZE (10 requests per page):", &stale);
    }
    // What the server does on its own after large writes (`db::statistics`): VACUUM
    // (ANALYZE) where autovacuum is off, as on this machine; autovacuum does the same.
    let analyzing = Instant::now();
    blackbelt::db::statistics::refresh_all(&server.db.conn)
        .await
        .expect("statistics refresh");
    println!(
        "\nstatistics refreshed (VACUUM (ANALYZE) of every table) in {:.1} s",
        analyzing.elapsed().as_secs_f64()
    );
    let mut figures = Vec::new();
    for case in &cases {
        figures.push(pages::measure(&server, &http, case.clone(), requests, clients).await);
    }
    pages::report(
        &format!("after the statistics refresh ({learners} learners, {statements} statements):"),
        &figures,
    );
    let missed = figures.iter().filter(|f| f.p95 > pages::TARGET).count();
    println!("\n{missed} of {} pages over 300 ms p95", figures.len());
    if std::env::var("CONSOLE_KEEP").is_ok() || reuse.is_some() {
        server.keep_schema();
        if let Some(schema) = &server.schema {
            println!("kept schema {schema} (CONSOLE_SCHEMA={schema} measures it again)");
        }
    }
}

/// Writes the dataset (see the module's comment) and checks its shape.
async fn generate(server: &common::Server, first: &CourseIds, learners: u64, statements: u64) {
    let conn = &server.db.conn;
    let loading = Instant::now();
    let second = CourseIds::shipped(
        "middle-managers",
        &["why-social-matters", "leading-social-teams"],
    );
    import_courses(&server.db).await;
    program::store(conn, &program::five_belts("bench-program", first, &second)).await;
    let templates = data::store_templates(server, first).await;
    data::learners(conn, learners).await;
    data::registrations(conn, learners, first, &second).await;
    data::evidence(conn, learners).await;
    credentials(server).await;
    // The engine reads the registry a chunk of learners at a time: with no statistics
    // each chunk's join is a full scan (31 min for 100,000 learners instead of minutes).
    // The statement tables stay unanalyzed for the "before ANALYZE" figures.
    use sea_orm::ConnectionTrait;
    conn.execute_unprepared("ANALYZE cert_learners, cert_learner_aliases, registrations, progress")
        .await
        .expect("analyze the registry");
    let awarding = Instant::now();
    let created = blackbelt::certification::engine::reevaluate_all(
        &server.db,
        blackbelt::console::now_us(),
        &|_, _| {},
    )
    .await
    .expect("reevaluate_all");
    println!(
        "  {created} awards (and their audit rows) by the engine ({:.1} s)",
        awarding.elapsed().as_secs_f64()
    );
    data::statements(conn, learners, statements, templates).await;
    println!("loaded in {:.0} s", loading.elapsed().as_secs_f64());
    let differences = data::shape_check(server).await;
    if differences.is_empty() {
        println!(
            "shape check: a generated statement and the same statement written by the API \
             have the same stored text and index rows"
        );
    } else {
        println!("shape check FAILED:");
        for d in &differences {
            println!("  {d}");
        }
    }
}

/// Imports the two courses the belts name, as `blackbelt packages import` would.
async fn import_courses(db: &blackbelt::db::Db) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("packages");
    let paths = [root.join("all-employees"), root.join("middle-managers")];
    let limits = blackbelt::app::package_limits(&blackbelt::config::Config::default());
    let imported = blackbelt::packages::batch::import_paths(db, &paths, &limits, false)
        .await
        .expect("import");
    for one in imported.packages {
        one.outcome.expect("course imported");
    }
}

/// A few more API credentials (the administration's list).
async fn credentials(server: &common::Server) {
    for n in 0..20 {
        blackbelt::auth::store::create(
            &server.db.conn,
            &format!("integration {n}"),
            blackbelt::auth::Scopes::parse_list("statements/write").unwrap(),
            "http://127.0.0.1",
        )
        .await
        .expect("credential");
    }
}
