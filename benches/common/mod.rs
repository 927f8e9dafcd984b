//! Shared bench plumbing: the real server on a temp database over real HTTP, statement
//! generators, and latency statistics.

#![allow(dead_code)]

pub mod certification_cost;
pub mod cmi5;
pub mod console_data;
pub mod console_pages;
pub mod outbox_cost;
pub mod paired;
#[path = "../../tests/support/pg_drop.rs"]
pub mod pg_drop;
pub mod platform;
pub mod process;
pub mod program;
pub mod query_set;
pub mod session_load;

use std::time::Duration;

use base64::Engine;
use blackbelt::app::App;
use blackbelt::auth::{Scopes, store};
use blackbelt::config::Config;
use serde_json::{Value, json};

pub struct Server {
    pub db: blackbelt::db::Db,
    pub base: String,
    pub auth: String,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: drops the bench's schema when the server goes.
    _schema: Option<pg_drop::PgDrop>,
    /// PostgreSQL: the bench's schema.
    pub schema: Option<String>,
}

impl Server {
    /// Leaves the PostgreSQL schema in place when the server goes (a later run reuses it).
    pub fn keep_schema(&mut self) {
        if let Some(drop) = self._schema.take() {
            std::mem::forget(drop);
        }
    }
}

/// Starts the server on 127.0.0.1:0 — SQLite in a temp dir, or PostgreSQL (fresh schema)
/// when TEST_DATABASE_URL is set.
pub async fn spawn_server() -> Server {
    spawn_server_on(None).await
}

/// As `spawn_server`; on PostgreSQL, `existing` names a schema to run on (migrations
/// bring it up to date) instead of a fresh one, still dropped when the server goes
/// unless kept.
pub async fn spawn_server_on(existing: Option<String>) -> Server {
    let mut config = Config::default();
    let (dir, schema, backend) = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            config.database_url = url.clone();
            config.database_max_connections = 16;
            // `existing` (the caller's) or BENCH_SCHEMA names a schema to run on: kept
            // unless the caller drops it, so a large load can be measured again after a
            // change, on the same rows. Otherwise a fresh schema, dropped at the end.
            let (name, cleanup) = match existing {
                Some(name) => {
                    let cleanup =
                        pg_drop::PgDrop::new(&url, format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
                    (name, Some(cleanup))
                }
                None => match std::env::var("BENCH_SCHEMA") {
                    Ok(name) => (kept_schema(&url, &name).await, None),
                    Err(_) => {
                        let name = fresh_schema(&url).await;
                        let cleanup = pg_drop::PgDrop::new(
                            &url,
                            format!("DROP SCHEMA IF EXISTS {name} CASCADE"),
                        );
                        (name, Some(cleanup))
                    }
                },
            };
            (None, Some((name, cleanup)), "PostgreSQL")
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            config.database_url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            );
            (Some(dir), None, "SQLite")
        }
    };
    config.max_body_bytes = 64 * 1024 * 1024;
    let app = App::build_with_schema(config.clone(), schema.as_ref().map(|(n, _)| n.as_str()))
        .await
        .expect("app");
    let created = store::create(
        &app.db.conn,
        "bench",
        Scopes::parse_list("all").unwrap(),
        &config.public_url,
    )
    .await
    .expect("credential");
    let db = app.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("tcp address");
    tokio::spawn(app.serve_with(listener));
    let token = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", created.key, created.secret));
    Server {
        db,
        base: format!("http://{addr}"),
        auth: format!("Basic {token}"),
        backend,
        _dir: dir,
        schema: schema.as_ref().map(|(name, _)| name.clone()),
        _schema: schema.and_then(|(_, cleanup)| cleanup),
    }
}

pub async fn fresh_schema(url: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let conn = Database::connect(url).await.expect("postgres reachable");
    conn.execute_unprepared(&format!("CREATE SCHEMA {name}"))
        .await
        .expect("schema");
    name
}

/// The schema `name`, created when missing; its rows outlive the bench.
pub async fn kept_schema(url: &str, name: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    assert!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "BENCH_SCHEMA must be letters, digits and underscores"
    );
    let conn = Database::connect(url).await.expect("postgres reachable");
    conn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS {name}"))
        .await
        .expect("schema");
    name.to_owned()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client")
}

/// Deterministic, varied statements: `actors` learners, 50 verbs, `activities` activities,
/// one registration per (actor, course), 100 courses as context parents.
pub fn statement(i: u64, actors: u64, activities: u64) -> Value {
    let actor = (i * 7919) % actors;
    let activity = (i * 104_729) % activities;
    let course = activity % 100;
    json!({
        "actor": {"objectType": "Agent", "name": format!("Learner {actor}"),
            "account": {"homePage": "https://lms.example.com", "name": format!("u{actor}")}},
        "verb": {"id": format!("http://example.com/verbs/v{}", i % 50), "display": {"en-US": "did"}},
        "object": {"id": format!("http://example.com/activities/a{activity}"),
            "definition": {"name": {"en-US": format!("Activity {activity}")}}},
        "result": {"score": {"scaled": ((i % 100) as f64) / 100.0}, "completion": true},
        "context": {"registration": registration(actor, course),
            "contextActivities": {"parent": [{"id": format!("http://example.com/courses/c{course}")}]}}
    })
}

pub fn registration(actor: u64, course: u64) -> String {
    uuid::Uuid::from_u64_pair(actor, course).to_string()
}

/// POSTs statements and insists on success.
pub async fn post_statements(http: &reqwest::Client, url: &str, auth: &str, body: &Value) {
    let bytes = serde_json::to_vec(body).expect("JSON");
    post_body(http, url, auth, bytes.into()).await;
}

/// POSTs an already serialised statement body and insists on success.
pub async fn post_body(http: &reqwest::Client, url: &str, auth: &str, body: bytes::Bytes) {
    let response = http
        .post(url)
        .header("Authorization", auth)
        .header("X-Experience-API-Version", "1.0.3")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    assert!(
        response.status().is_success(),
        "status {}",
        response.status()
    );
    response.bytes().await.expect("body");
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Peak resident set size of this process (server and load generator together).
pub fn peak_rss_mb() -> f64 {
    vm_hwm_mb("/proc/self/status")
}

/// The VmHWM line of a /proc status file, in MB.
pub fn vm_hwm_mb(status_file: &str) -> f64 {
    std::fs::read_to_string(status_file)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Puts the tables back to never analysed: no column statistics and an unknown row count
/// (PostgreSQL: needs a superuser, as the bench's `postgres` is; SQLite: no sqlite_stat1).
pub async fn forget_statistics(db: &sea_orm::DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    let sql: &[&str] = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        &[
            "DELETE FROM pg_statistic WHERE starelid IN (SELECT c.oid FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema())",
            "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE relnamespace = \
             (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND relkind IN ('r', 'i')",
        ]
    } else {
        &[
            "DROP TABLE IF EXISTS sqlite_stat1",
            "DROP TABLE IF EXISTS sqlite_stat4",
        ]
    };
    for statement in sql {
        db.execute_unprepared(statement)
            .await
            .expect("forget statistics");
    }
}

/// Refreshes planner statistics after a bulk load, as autovacuum would within a minute.
pub async fn analyze(server: &Server) {
    use sea_orm::ConnectionTrait;
    server
        .db
        .conn
        .execute_unprepared("ANALYZE")
        .await
        .expect("analyze");
}
