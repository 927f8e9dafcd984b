//! The cmi5 session workload the cost benches share: learners launched through
//! `POST /api/launches`, each session's statements serialised before the clock starts,
//! then sent by concurrent clients as single-statement POSTs with the session's auth
//! token, a session's statements in order (a client is one learner's browser at a time).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::cmi5::{self, Session};
use super::percentile;
use super::process::ServerProcess;

/// Each session's auth token and its statements' bodies, ready to send.
pub type Work = Arc<Vec<(String, Vec<Bytes>)>>;

/// What one run measured.
pub struct Driven {
    /// Statements stored per second.
    pub rate: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Launches learners `0..count`, 16 at a time.
pub async fn launch_all(
    http: &reqwest::Client,
    server: &ServerProcess,
    count: u64,
) -> Vec<Session> {
    let mut sessions = Vec::with_capacity(count as usize);
    let numbers: Vec<u64> = (0..count).collect();
    for chunk in numbers.chunks(16) {
        let launched =
            futures_util::future::join_all(chunk.iter().map(|n| cmi5::launch(http, server, *n)))
                .await;
        sessions.extend(launched);
    }
    sessions
}

/// What a real AU sends in each session (`cmi5::statements`), serialised.
pub fn serialised(sessions: &[Session], progress_steps: u64) -> Work {
    Arc::new(
        sessions
            .iter()
            .map(|s| {
                let bodies = cmi5::statements(s, progress_steps)
                    .iter()
                    .map(|st| Bytes::from(serde_json::to_vec(st).expect("JSON")))
                    .collect();
                (s.token.clone(), bodies)
            })
            .collect(),
    )
}

/// Sends all of `work` from `clients` concurrent clients and times it.
pub async fn drive(
    http: &reqwest::Client,
    server: &ServerProcess,
    work: &Work,
    clients: usize,
) -> Driven {
    let total: usize = work.iter().map(|(_, b)| b.len()).sum();
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("{}/xapi/statements", server.base);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, work, url) = (http.clone(), next.clone(), work.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
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
    Driven {
        rate: total as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
    }
}
