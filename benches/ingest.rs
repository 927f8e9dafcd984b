//! `cargo bench --bench ingest`: statements/s and latency for single-statement POSTs and
//! 100-statement batches, from concurrent clients over real HTTP with Basic auth, against
//! the release `blackbelt serve` in its own process.
//! On SQLite it runs twice, with `synchronous=FULL` (the default) and `NORMAL`, and
//! prints the ratio: what power-loss durability costs.
//! Request bodies are serialised before the clock starts, as a load generator replaying
//! captured traffic would: the figures measure the server, not JSON generation.
//! `cargo bench --bench ingest -- outbox` runs only the passback outbox's cost instead
//! (cmi5 sessions with and without AGS targets: `common/outbox_cost.rs`);
//! `cargo bench --bench ingest -- certification` the certification engine's (the same
//! sessions with no program, a program they do not touch, one they do:
//! `common/certification_cost.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::process::{ServerProcess, spawn_server_process, spawn_server_process_with};
use common::{client, ms, percentile, statement};

/// Each client sends its next request as soon as the previous one is answered, so the
/// client count is the concurrency. 16 is a modest load; 64 shows how far group commit
/// carries when more requests arrive together, as with many learners at once.
const CLIENTS: [u64; 2] = [16, 64];

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "outbox") {
        common::outbox_cost::run().await;
        return;
    }
    if std::env::args().any(|a| a == "certification") {
        common::certification_cost::run().await;
        return;
    }
    let sqlite = !std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"));
    if !sqlite {
        let server = spawn_server_process().await;
        table(&server, "").await;
        server.stop().await;
        return;
    }
    // SQLite: the durable default against the opt-in, on fresh files alike.
    let full = spawn_server_process_with(&[("BLACKBELT_SQLITE_SYNCHRONOUS", "full")]).await;
    let with_full = table(&full, ", synchronous=FULL (default)").await;
    full.stop().await;
    let normal = spawn_server_process_with(&[("BLACKBELT_SQLITE_SYNCHRONOUS", "normal")]).await;
    let with_normal = table(&normal, ", synchronous=NORMAL").await;
    normal.stop().await;
    println!("| workload | clients | FULL / NORMAL statements/s |");
    println!("|---|---|---|");
    for ((label, clients, full), (_, _, normal)) in with_full.iter().zip(&with_normal) {
        println!("| {label} | {clients} | {:.2} |", full / normal);
    }
}

/// Runs every workload against `server`; returns (workload, clients, statements/s).
async fn table(server: &ServerProcess, setting: &str) -> Vec<(&'static str, u64, f64)> {
    println!("ingest benchmark on {}{setting}", server.backend);
    println!("| workload | clients | statements | statements/s | p50 | p99 |");
    println!("|---|---|---|---|---|---|");
    let mut rates = Vec::new();
    let mut first = 0;
    for clients in CLIENTS {
        let label = "single statement POST";
        rates.push((
            label,
            clients,
            run(server, label, clients, 1, 20_000, first).await,
        ));
        first += 20_000;
    }
    for clients in CLIENTS {
        let label = "100-statement batch POST";
        rates.push((
            label,
            clients,
            run(server, label, clients, 100, 100_000, first).await,
        ));
        first += 100_000;
    }
    println!("server peak RSS: {:.0} MB", server.peak_rss_mb());
    rates
}

async fn run(
    server: &ServerProcess,
    label: &str,
    clients: u64,
    batch: u64,
    total: u64,
    first: u64,
) -> f64 {
    let http = client();
    let next = Arc::new(AtomicU64::new(0));
    let requests = total / batch;
    let bodies: Arc<Vec<Bytes>> = Arc::new(
        (0..requests)
            .map(|n| body(first + n * batch, batch))
            .collect(),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, bodies, url, auth) = (
            http.clone(),
            next.clone(),
            bodies.clone(),
            format!("{}/xapi/statements", server.base),
            server.auth.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= requests {
                    return latencies;
                }
                let sent = Instant::now();
                common::post_body(&http, &url, &auth, bodies[n as usize].clone()).await;
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client task"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "| {label} | {clients} | {total} | {rate:.0} | {} | {} |",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0))
    );
    rate
}

/// One request body: statement `first`, or a batch of `batch` statements from it.
fn body(first: u64, batch: u64) -> Bytes {
    let value = if batch == 1 {
        statement(first, 10_000, 5_000)
    } else {
        serde_json::Value::Array(
            (0..batch)
                .map(|i| statement(first + i, 10_000, 5_000))
                .collect(),
        )
    };
    Bytes::from(serde_json::to_vec(&value).expect("JSON"))
}
