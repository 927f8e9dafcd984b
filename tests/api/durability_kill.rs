//! kill -9 under load: the real `blackbelt` binary is killed while clients post single
//! statements and 20-statement batches, then restarted on the same database. Every
//! statement it acknowledged must be there, and every batch must be whole or absent.
//! Spec: xAPI-Communication 2.1.2 (a 200 means the statements are stored).

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::helpers::{statement, uuid};
use crate::pg_drop::PgDrop;

const CLIENTS: usize = 6;
const BATCH: usize = 20;
/// Kill cycles per run: each restarts on the database the previous one left.
const ROUNDS: usize = 3;
/// Statements acknowledged in a round before its kill.
const PER_ROUND: usize = 1500;

/// A database for the server process: a temp-file SQLite, or a fresh PostgreSQL
/// database (the binary takes no schema) when TEST_DATABASE_URL is set.
struct Database {
    url: String,
    /// PostgreSQL: drops the database when the test ends, passed or failed.
    _postgres: Option<PgDrop>,
}

impl Database {
    async fn fresh(dir: &Path) -> Database {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let name = format!("kill_{}", uuid::Uuid::new_v4().simple());
                execute(&url, &format!("CREATE DATABASE {name}")).await;
                let mut db_url = url::Url::parse(&url).unwrap();
                db_url.set_path(&name);
                Database {
                    url: db_url.to_string(),
                    _postgres: Some(PgDrop::new(
                        url,
                        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    )),
                }
            }
            _ => Database {
                url: format!("sqlite://{}?mode=rwc", dir.join("kill.db").display()),
                _postgres: None,
            },
        }
    }
}

async fn execute(url: &str, sql: &str) {
    use sea_orm::{ConnectionTrait, Database};
    let conn = Database::connect(url).await.unwrap();
    conn.execute_unprepared(sql).await.unwrap();
    conn.close().await.unwrap();
}

/// `blackbelt credentials create` on the database: an `all` credential's header.
fn create_credential(database_url: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_blackbelt"))
        .args(["credentials", "create", "--name", "kill", "--scopes", "all"])
        .args(["--json", "--database-url", database_url])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "credentials create failed: {out:?}");
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    crate::helpers::basic(
        created["key"].as_str().unwrap(),
        created["secret"].as_str().unwrap(),
    )
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `blackbelt serve` on a free port, once `/readyz` answers.
async fn serve(database_url: &str, log: &Path) -> Server {
    // Bound then released: the port is free when the server binds it a moment later.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_blackbelt"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--public-url", &base, "--database-url", database_url])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let server = Server { child, base };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(response) = http.get(format!("{}/readyz", server.base)).send().await
            && response.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "blackbelt serve not ready at {}; its log:\n{}",
        server.base,
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// What the clients sent and what the server acknowledged.
#[derive(Default)]
struct Ledger {
    acknowledged: HashSet<String>,
    /// Requests cut off by the kill: without any, the kill tested nothing.
    interrupted: usize,
    /// Every batch sent, acknowledged or not (those in flight at the kill included).
    batches: Vec<Vec<String>>,
}

fn with_id(n: u32, id: &str) -> Value {
    let mut s = statement(n);
    s["id"] = json!(id);
    s
}

/// Posts single statements and batches until `stop`, recording what got a 2xx.
async fn client(
    base: String,
    auth: String,
    n: usize,
    stop: Arc<AtomicBool>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let http = reqwest::Client::new();
    let mut i = 0u32;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let ids: Vec<String> = if (n + i as usize).is_multiple_of(2) {
            vec![uuid()]
        } else {
            (0..BATCH).map(|_| uuid()).collect()
        };
        let body: Vec<Value> = ids.iter().map(|id| with_id(i, id)).collect();
        if ids.len() > 1 {
            ledger.lock().await.batches.push(ids.clone());
        }
        let sent = http
            .post(format!("{base}/xapi/statements"))
            .header("Authorization", &auth)
            .header("X-Experience-API-Version", "1.0.3")
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                ledger.lock().await.acknowledged.extend(ids);
            }
            Ok(response) => panic!("a write under load was refused: {}", response.status()),
            // The server is gone: the kill came while this request was in flight.
            Err(_) => {
                ledger.lock().await.interrupted += 1;
                return;
            }
        }
    }
}

/// Every statement id the server returns, following `more` links.
async fn stored_ids(base: &str, auth: &str) -> HashSet<String> {
    let http = reqwest::Client::new();
    let mut ids = HashSet::new();
    let mut url = format!("{base}/xapi/statements?limit=1000&format=ids&ascending=true");
    loop {
        let page: Value = http
            .get(&url)
            .header("Authorization", auth)
            .header("X-Experience-API-Version", "1.0.3")
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        for s in page["statements"].as_array().unwrap() {
            ids.insert(s["id"].as_str().unwrap().to_owned());
        }
        match page["more"].as_str() {
            Some(more) if !more.is_empty() => {
                url = if more.starts_with("http") {
                    more.to_owned()
                } else {
                    format!("{base}{more}")
                };
            }
            _ => return ids,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_acknowledged_before_a_kill_9_are_all_stored_and_no_batch_is_partial() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let database = Database::fresh(dir.path()).await;
    let auth = create_credential(&database.url);
    let ledger = Arc::new(Mutex::new(Ledger::default()));

    for round in 0..ROUNDS {
        let mut server = serve(&database.url, &log).await;
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|n| {
                tokio::spawn(client(
                    server.base.clone(),
                    auth.clone(),
                    n,
                    stop.clone(),
                    ledger.clone(),
                ))
            })
            .collect();
        // Load first, so the kill lands among commits in flight.
        let before = ledger.lock().await.acknowledged.len();
        let deadline = Instant::now() + Duration::from_secs(10);
        while ledger.lock().await.acknowledged.len() < before + PER_ROUND
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        for client in clients {
            client.await.unwrap();
        }
        let acknowledged = ledger.lock().await.acknowledged.len();
        assert!(
            acknowledged > before,
            "round {round}: no statement acknowledged before the kill"
        );
    }

    let server = serve(&database.url, &log).await;
    let stored = stored_ids(&server.base, &auth).await;
    let ledger = ledger.lock().await;
    assert!(
        ledger.interrupted > 0,
        "no request was in flight at any kill"
    );
    let lost: Vec<_> = ledger.acknowledged.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged statements lost after kill -9, e.g. {:?}",
        lost.len(),
        ledger.acknowledged.len(),
        lost.first()
    );
    for batch in &ledger.batches {
        let present = batch.iter().filter(|id| stored.contains(*id)).count();
        assert!(
            present == 0 || present == batch.len(),
            "a batch is partly stored: {present} of {}",
            batch.len()
        );
    }
    drop(server);
    eprintln!(
        "kill -9: {} acknowledged, {} stored, {} batches, {} requests cut off, {ROUNDS} kills, {:.1} s",
        ledger.acknowledged.len(),
        stored.len(),
        ledger.batches.len(),
        ledger.interrupted,
        started.elapsed().as_secs_f64()
    );
}
