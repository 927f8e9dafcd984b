//! `cargo bench --bench ingest`: statements/s and latency for single-statement POSTs and
//! 100-statement batches, from concurrent clients over real HTTP with Basic auth.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{client, ms, peak_rss_mb, percentile, spawn_server, statement};

const CLIENTS: u64 = 16;

#[tokio::main]
async fn main() {
    let server = spawn_server().await;
    println!(
        "ingest benchmark on {} ({} concurrent clients)",
        server.backend, CLIENTS
    );
    println!("| workload | statements | statements/s | p50 | p99 |");
    println!("|---|---|---|---|---|");
    run(&server, "single statement POST", 1, 20_000).await;
    run(&server, "100-statement batch POST", 100, 100_000).await;
    println!(
        "peak RSS (server + load generator): {:.0} MB",
        peak_rss_mb()
    );
}

async fn run(server: &common::Server, label: &str, batch: u64, total: u64) {
    let http = client();
    let next = Arc::new(AtomicU64::new(0));
    let requests = total / batch;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, next, url, auth) = (
            http.clone(),
            next.clone(),
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
                let body = if batch == 1 {
                    statement(n, 10_000, 5_000)
                } else {
                    serde_json::Value::Array(
                        (0..batch)
                            .map(|i| statement(n * batch + i, 10_000, 5_000))
                            .collect(),
                    )
                };
                let sent = Instant::now();
                common::post_statements(&http, &url, &auth, &body).await;
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
    println!(
        "| {label} | {total} | {:.0} | {} | {} |",
        total as f64 / elapsed.as_secs_f64(),
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0))
    );
}
