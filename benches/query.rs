//! `cargo bench --bench query`: loads varied statements through the real write path (the
//! release `blackbelt serve` in its own process, 500-statement POSTs from 4 clients),
//! then measures GET /xapi/statements for every filter the spec allows and for `more`
//! chains, 4 concurrent clients, p50/p95/p99, at 100 k, 1 M and (PostgreSQL) 10 M
//! statements: first with the statistics stale (never analysed, as on a server with
//! autovacuum off right after a bulk load), then fresh (the server's own statistics
//! refresh, run once). Prints the server's peak RSS over the load and the queries.
//!
//! TEST_DATABASE_URL=postgres://… runs on PostgreSQL, else SQLite.
//! BENCH_STATEMENTS sets the largest size (default 10 M on PostgreSQL, 1 M on SQLite).
//! BENCH_DATABASE=<name> keeps the rows in that database (a PostgreSQL database, or
//! `target/bench-data/<name>.db`) and loads only what is missing, so a change can be
//! measured again without the load; sizes the kept rows are already past are skipped.
//! BENCH_SAMPLES sets the requests per query (default 400).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::process::{ServerProcess, spawn_server_process_in};
use common::query_set::{self, ACTIVITIES, ACTORS, Bounds, Query};
use common::{client, percentile, statement};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

const BATCH: u64 = 500;
const CLIENTS: u64 = 4;
const CHAIN_PAGES: usize = 5;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}: a number")))
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let kept = std::env::var("BENCH_DATABASE").ok();
    // The server must not refresh statistics on its own: the stale measurement depends
    // on it. The bench runs the same refresh itself before the fresh one.
    let server = spawn_server_process_in(
        kept.as_deref(),
        &[("BLACKBELT_STATISTICS_REFRESH_SECS", "0")],
        async |_| {},
    )
    .await;
    let largest = env_number(
        "BENCH_STATEMENTS",
        if server.backend == "PostgreSQL" {
            10_000_000
        } else {
            1_000_000
        },
    );
    let samples = env_number("BENCH_SAMPLES", 400).max(CLIENTS);
    let db = Database::connect(&server.database_url)
        .await
        .expect("the bench's own connection");
    let http = client();
    println!(
        "query benchmark on {}: {samples} requests per query from {CLIENTS} concurrent clients; \
         dataset {ACTORS} learners, {ACTIVITIES} activities, 50 verbs, 100 courses",
        server.backend
    );
    let mut loaded = count(&db).await;
    let mut results: BTreeMap<(u64, &'static str), Vec<Row>> = BTreeMap::new();
    for size in [100_000, 1_000_000, 10_000_000] {
        let size = size.min(largest);
        // Sizes a kept database has already grown past are not measured.
        if size < loaded || results.keys().any(|(s, _)| *s == size) {
            continue;
        }
        if size > loaded {
            load(&server, &http, loaded, size).await;
            loaded = size;
        }
        // The write side of the schema: index rows each statement costs.
        let rows = scalar(&db, "SELECT COUNT(*) AS n FROM statement_index")
            .await
            .unwrap_or(0);
        println!(
            "index rows per statement: {:.2}",
            rows as f64 / loaded as f64
        );
        let bounds = bounds(&db).await;
        common::forget_statistics(&db).await;
        let stale = measure(&server, &http, &db, &bounds, samples).await;
        print_table(size, "stale (never analysed)", &stale);
        let started = Instant::now();
        blackbelt::db::statistics::refresh_all(&db)
            .await
            .expect("statistics refresh");
        println!(
            "statistics refreshed in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let fresh = measure(&server, &http, &db, &bounds, samples).await;
        print_table(size, "fresh (after the server's refresh)", &fresh);
        results.insert((size, "stale"), stale);
        results.insert((size, "fresh"), fresh);
        println!("server peak RSS so far: {:.0} MB", server.peak_rss_mb());
    }
    print_growth(&results);
    println!(
        "server peak RSS (load and queries): {:.0} MB",
        server.peak_rss_mb()
    );
    server.stop().await;
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> Option<i64> {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql)
        .and_then(|row| row.try_get::<Option<i64>>("", "n").ok().flatten())
}

async fn count(db: &DatabaseConnection) -> u64 {
    let count = scalar(db, "SELECT COUNT(*) AS n FROM statements")
        .await
        .unwrap_or(0);
    let count = u64::try_from(count).unwrap_or(0);
    assert!(count % BATCH == 0, "a kept database holds whole batches");
    count
}

async fn bounds(db: &DatabaseConnection) -> Bounds {
    Bounds {
        first_us: scalar(db, "SELECT MIN(stored_us) AS n FROM statements")
            .await
            .expect("rows"),
        last_us: scalar(db, "SELECT MAX(stored_us) AS n FROM statements")
            .await
            .expect("rows"),
    }
}

async fn load(server: &ServerProcess, http: &reqwest::Client, from: u64, to: u64) {
    let bar = ProgressBar::new(to - from);
    bar.set_style(
        ProgressStyle::with_template("loading {pos}/{len} statements {bar:40} {per_sec} eta {eta}")
            .unwrap(),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for lane in 0..CLIENTS {
        let (http, url, auth, bar) = (
            http.clone(),
            format!("{}/xapi/statements", server.base),
            server.auth.clone(),
            bar.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for b in (from / BATCH..to / BATCH).filter(|b| b % CLIENTS == lane) {
                let body: serde_json::Value = (b * BATCH..(b + 1) * BATCH)
                    .map(|i| statement(i, ACTORS, ACTIVITIES))
                    .collect();
                common::post_statements(&http, &url, &auth, &body).await;
                bar.inc(BATCH);
            }
        }));
    }
    for task in tasks {
        task.await.expect("loader");
    }
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "\nloaded {} statements in {seconds:.0} s ({:.0}/s); server peak RSS {:.0} MB",
        to - from,
        (to - from) as f64 / seconds,
        server.peak_rss_mb()
    );
}

/// One printed line: a query's latencies and the statements its pages held.
struct Row {
    label: String,
    rows_per_request: f64,
    /// Sorted.
    latencies: Vec<Duration>,
    /// The same pages read by the server's query directly (sorted), where measured.
    direct: Option<Vec<Duration>>,
    /// The page-size target it is held to (ms): 25 for pages of ≤ 20, else 40; a whole
    /// `more` chain, 150.
    target_ms: f64,
}

impl Row {
    fn p(&self, p: f64) -> f64 {
        percentile(&self.latencies, p).as_secs_f64() * 1000.0
    }
}

async fn measure(
    server: &ServerProcess,
    http: &reqwest::Client,
    db: &DatabaseConnection,
    bounds: &Bounds,
    samples: u64,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for query in query_set::queries() {
        let paths = paths(&query, bounds, samples);
        let (latencies, returned) = concurrently(server, http, paths.clone(), |_| 1).await;
        let direct = directly(db, &paths, query.limit).await;
        rows.push(Row {
            label: format!("{} (limit {})", query.label, query.limit),
            rows_per_request: returned as f64 / latencies.len() as f64,
            latencies,
            direct: Some(direct),
            target_ms: if query.limit <= 20 { 25.0 } else { 40.0 },
        });
    }
    rows.push(measure_chains(server, http, samples / 4).await);
    rows
}

fn paths(query: &Query, bounds: &Bounds, samples: u64) -> Arc<Vec<String>> {
    Arc::new(
        (0..samples)
            .map(|s| {
                let key = (s * 2_654_435_761) % 1_000_003;
                format!(
                    "/xapi/statements?{}&limit={}",
                    (query.make)(key, bounds),
                    query.limit
                )
            })
            .collect(),
    )
}

/// The limit of the same work: the same pages read by the server's own query
/// (`read::find_page`, limit + 1 rows as the server asks) on a plain connection, with
/// no HTTP, credential check or response, from CLIENTS concurrent tasks. Sorted.
async fn directly(db: &DatabaseConnection, paths: &[String], limit: u64) -> Vec<Duration> {
    use blackbelt::xapi::statements::{params, read};
    let filters: Vec<read::StatementFilter> = paths
        .iter()
        .map(|path| {
            let query = path.split_once('?').map_or("", |(_, q)| q);
            let raw: params::RawParams = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            params::filter(&raw).expect("the bench's own query")
        })
        .collect();
    let filters = Arc::new(filters);
    let mut tasks = Vec::new();
    for lane in 0..CLIENTS as usize {
        let (db, filters) = (db.clone(), filters.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for filter in filters.iter().skip(lane).step_by(CLIENTS as usize) {
                let started = Instant::now();
                read::find_page(&db, filter, None, limit + 1)
                    .await
                    .expect("direct read");
                latencies.push(started.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("direct reader"));
    }
    latencies.sort();
    latencies
}

/// `chains` chains of `CHAIN_PAGES` pages (limit 100) through one verb's statements,
/// each timed whole: the first request to the last page's body.
async fn measure_chains(server: &ServerProcess, http: &reqwest::Client, chains: u64) -> Row {
    let starts: Arc<Vec<String>> = Arc::new(
        (0..chains.max(CLIENTS))
            .map(|s| format!("/xapi/statements?{}", query_set::chain_start(s)))
            .collect(),
    );
    let (latencies, returned) = concurrently(server, http, starts, |_| CHAIN_PAGES).await;
    Row {
        label: format!("`more` chain, {CHAIN_PAGES} pages of 100 (whole chain)"),
        rows_per_request: returned as f64 / latencies.len() as f64,
        latencies,
        direct: None,
        target_ms: 150.0,
    }
}

/// Runs `paths` from CLIENTS concurrent clients; each sample follows `more` for
/// `pages(i)` pages and is timed whole. Returns sorted latencies and statements returned.
async fn concurrently(
    server: &ServerProcess,
    http: &reqwest::Client,
    paths: Arc<Vec<String>>,
    pages: fn(usize) -> usize,
) -> (Vec<Duration>, usize) {
    let mut tasks = Vec::new();
    for lane in 0..CLIENTS as usize {
        let (http, base, auth, paths) = (
            http.clone(),
            server.base.clone(),
            server.auth.clone(),
            paths.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut returned = 0;
            for (i, first) in paths
                .iter()
                .enumerate()
                .skip(lane)
                .step_by(CLIENTS as usize)
            {
                let started = Instant::now();
                let mut path = first.clone();
                for _ in 0..pages(i) {
                    let (count, more) = get(&http, &base, &auth, &path).await;
                    returned += count;
                    match more {
                        Some(more) => path = more,
                        None => break,
                    }
                }
                latencies.push(started.elapsed());
            }
            (latencies, returned)
        }));
    }
    let mut latencies = Vec::new();
    let mut returned = 0;
    for task in tasks {
        let (mine, count) = task.await.expect("client");
        latencies.extend(mine);
        returned += count;
    }
    latencies.sort();
    (latencies, returned)
}

async fn get(
    http: &reqwest::Client,
    base: &str,
    auth: &str,
    path: &str,
) -> (usize, Option<String>) {
    let response = http
        .get(format!("{base}{path}"))
        .header("Authorization", auth)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await
        .expect("query");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let body: serde_json::Value = response.json().await.expect("json");
    let count = body["statements"].as_array().map_or(0, Vec::len);
    let more = body["more"]
        .as_str()
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    (count, more)
}

fn print_table(size: u64, statistics: &str, rows: &[Row]) {
    println!("\nat {size} statements, statistics {statistics}:");
    println!(
        "| query | statements returned (mean) | p50 | p95 | p99 | p99 target | met | same rows read directly p50 / p99 | p50 ratio to direct |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let (direct, ratio) = match &row.direct {
            Some(direct) => {
                let p50 = percentile(direct, 50.0).as_secs_f64() * 1000.0;
                let p99 = percentile(direct, 99.0).as_secs_f64() * 1000.0;
                (
                    format!("{p50:.2} / {p99:.2} ms"),
                    format!("{:.1} ×", row.p(50.0) / p50),
                )
            }
            None => ("–".to_owned(), "–".to_owned()),
        };
        let met = if row.p(99.0) <= row.target_ms {
            "yes"
        } else {
            "**no**"
        };
        println!(
            "| {} | {:.1} | {:.2} ms | {:.2} ms | {:.2} ms | {:.0} ms | {met} | {direct} | {ratio} |",
            row.label,
            row.rows_per_request,
            row.p(50.0),
            row.p(95.0),
            row.p(99.0),
            row.target_ms,
        );
    }
}

/// p99 at the largest size against 100 k, for queries that returned the same number of
/// statements at both (the target: at most 1.5 ×).
fn print_growth(results: &BTreeMap<(u64, &'static str), Vec<Row>>) {
    let sizes: Vec<u64> = results.keys().map(|(size, _)| *size).collect();
    let (Some(&smallest), Some(&largest)) = (sizes.iter().min(), sizes.iter().max()) else {
        return;
    };
    if smallest == largest {
        return;
    }
    for statistics in ["stale", "fresh"] {
        let (Some(small), Some(large)) = (
            results.get(&(smallest, statistics)),
            results.get(&(largest, statistics)),
        ) else {
            continue;
        };
        println!(
            "\np99 growth from {smallest} to {largest} statements, statistics {statistics} (target ≤ 1.5 × where the pages hold as many statements):"
        );
        println!(
            "| query | statements at {smallest} / {largest} | p99 {smallest} | p99 {largest} | growth |"
        );
        println!("|---|---|---|---|---|");
        for (a, b) in small.iter().zip(large) {
            let same = (a.rows_per_request - b.rows_per_request).abs() <= 0.05 * b.rows_per_request;
            println!(
                "| {} | {:.1} / {:.1} | {:.2} ms | {:.2} ms | {:.2} ×{} |",
                a.label,
                a.rows_per_request,
                b.rows_per_request,
                a.p(99.0),
                b.p(99.0),
                b.p(99.0) / a.p(99.0),
                if same { "" } else { " (pages differ)" }
            );
        }
    }
}
