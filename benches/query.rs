//! `cargo bench --bench query`: loads statements (many actors, verbs, activities,
//! registrations) over real HTTP, then prints p50/p99 latency of GET /xapi/statements
//! for each filter, their combinations, related_activities and paging through `more`,
//! at 100 k and at 1 M statements (BENCH_STATEMENTS overrides the final size).
//!
//! PostgreSQL when TEST_DATABASE_URL is set. BENCH_SCHEMA=<name> keeps the rows in that
//! schema and loads only what is missing, so a change can be measured on the same 1 M
//! rows (its migrations run on start). BENCH_STATS=stale measures with the tables never
//! analysed (autovacuum off), `fresh` (default) after ANALYZE.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{client, ms, peak_rss_mb, percentile, registration, spawn_server, statement};
use indicatif::{ProgressBar, ProgressStyle};

const ACTORS: u64 = 10_000;
const ACTIVITIES: u64 = 5_000;
const BATCH: u64 = 500;
const CLIENTS: u64 = 4;
const SAMPLES: u64 = 200;

#[tokio::main]
async fn main() {
    let final_size: u64 = std::env::var("BENCH_STATEMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let server = spawn_server().await;
    let http = client();
    println!(
        "query benchmark on {} ({SAMPLES} samples per query, default page size)",
        server.backend
    );
    let mut loaded = already_loaded(&server).await;
    let mut measured = 0;
    for size in [100_000.min(final_size), final_size] {
        // Sizes a kept schema has already grown past are not measured.
        if size <= measured || size < loaded {
            continue;
        }
        if size > loaded {
            load(&server, &http, loaded, size).await;
            loaded = size;
        }
        let statistics = common::statistics(&server).await;
        println!("statistics: {statistics}");
        measure(&server, &http, size).await;
        rendering_cost(&server).await;
        measured = size;
    }
    println!(
        "peak RSS (server + load generator): {:.0} MB",
        peak_rss_mb()
    );
}

/// Statements a kept schema already holds (whole batches: loading resumes after them).
async fn already_loaded(server: &common::Server) -> u64 {
    use sea_orm::ConnectionTrait;
    let row = server
        .db
        .conn
        .query_one_raw(sea_orm::Statement::from_string(
            server.db.conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM statements",
        ))
        .await
        .expect("count")
        .expect("one row");
    let count = u64::try_from(row.try_get::<i64>("", "n").expect("count")).unwrap_or(0);
    assert!(count % BATCH == 0, "a kept schema holds whole batches");
    count
}

async fn load(server: &common::Server, http: &reqwest::Client, from: u64, to: u64) {
    let bar = ProgressBar::new(to - from);
    bar.set_style(
        ProgressStyle::with_template("loading {pos}/{len} statements {bar:40} {per_sec} eta {eta}")
            .unwrap(),
    );
    let started = Instant::now();
    let batches: Vec<u64> = (from / BATCH..to / BATCH).collect();
    let mut tasks = Vec::new();
    for lane in 0..CLIENTS {
        let mine: Vec<u64> = batches
            .iter()
            .copied()
            .filter(|b| b % CLIENTS == lane)
            .collect();
        let (http, url, auth, bar) = (
            http.clone(),
            format!("{}/xapi/statements", server.base),
            server.auth.clone(),
            bar.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for b in mine {
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
    println!(
        "loaded {} statements in {:.0} s ({:.0}/s)",
        to - from,
        started.elapsed().as_secs_f64(),
        (to - from) as f64 / started.elapsed().as_secs_f64()
    );
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn agent(n: u64) -> String {
    enc(&format!(
        r#"{{"account":{{"homePage":"https://lms.example.com","name":"u{n}"}}}}"#
    ))
}

async fn measure(server: &common::Server, http: &reqwest::Client, size: u64) {
    println!("\nat {size} statements:");
    println!("| query | p50 | p99 | statements/page (mean) |");
    println!("|---|---|---|---|");
    type Make = fn(u64) -> String;
    let queries: [(&str, Make); 8] = [
        ("agent", |i| format!("agent={}", agent(i % ACTORS))),
        ("verb", |i| {
            format!(
                "verb={}",
                enc(&format!("http://example.com/verbs/v{}", i % 50))
            )
        }),
        ("activity", |i| {
            format!(
                "activity={}",
                enc(&format!(
                    "http://example.com/activities/a{}",
                    i % ACTIVITIES
                ))
            )
        }),
        ("registration", |i| {
            let actor = (i * 7919) % ACTORS;
            let course = ((i * 104_729) % ACTIVITIES) % 100;
            format!("registration={}", registration(actor, course))
        }),
        ("agent + verb", |i| {
            format!(
                "agent={}&verb={}",
                agent(i % ACTORS),
                enc(&format!("http://example.com/verbs/v{}", (i * 3) % 50))
            )
        }),
        ("activity + verb", |i| {
            format!(
                "activity={}&verb={}",
                enc(&format!(
                    "http://example.com/activities/a{}",
                    i % ACTIVITIES
                )),
                enc(&format!("http://example.com/verbs/v{}", i % 50))
            )
        }),
        ("related_activities (course)", |i| {
            format!(
                "activity={}&related_activities=true",
                enc(&format!("http://example.com/courses/c{}", i % 100))
            )
        }),
        ("no filter, since", |_| {
            "since=2020-01-01T00:00:00Z".to_owned()
        }),
    ];
    for (label, make) in queries {
        let mut latencies = Vec::new();
        let mut returned = 0usize;
        for s in 0..SAMPLES {
            let key = (s * 2_654_435_761) % 1_000_003;
            let (elapsed, count, _) =
                get(server, http, &format!("/xapi/statements?{}", make(key))).await;
            latencies.push(elapsed);
            returned += count;
        }
        report(label, latencies, returned);
    }
    // Paging: follow `more` ten pages deep through one verb's statements.
    let mut latencies = Vec::new();
    let mut returned = 0;
    for s in 0..SAMPLES / 10 {
        let mut path = format!(
            "/xapi/statements?verb={}",
            enc(&format!("http://example.com/verbs/v{}", s % 50))
        );
        for _ in 0..10 {
            let (elapsed, count, more) = get(server, http, &path).await;
            latencies.push(elapsed);
            returned += count;
            match more {
                Some(more) => path = more,
                None => break,
            }
        }
    }
    report("paging via more (10 pages)", latencies, returned);
}

async fn get(
    server: &common::Server,
    http: &reqwest::Client,
    path: &str,
) -> (Duration, usize, Option<String>) {
    let started = Instant::now();
    let response = http
        .get(format!("{}{path}", server.base))
        .header("Authorization", &server.auth)
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
    let elapsed = started.elapsed();
    let count = body["statements"].as_array().map_or(0, Vec::len);
    let more = body["more"]
        .as_str()
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    (elapsed, count, more)
}

fn report(label: &str, mut latencies: Vec<Duration>, returned: usize) {
    latencies.sort();
    println!(
        "| {label} | {} | {} | {:.0} |",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        returned as f64 / latencies.len().max(1) as f64
    );
}

/// What building one agent page's body costs in the server, the way it was built until
/// issue 19 (each stored text parsed into a `Value`, the page serialised again) and the
/// way it is now (the stored texts joined): the same rows, the same process.
async fn rendering_cost(server: &common::Server) {
    use sea_orm::ConnectionTrait;
    let backend = server.db.conn.get_database_backend();
    let mut old = Vec::new();
    let mut new = Vec::new();
    for s in 0..SAMPLES {
        let actor = (s * 2_654_435_761) % 1_000_003 % ACTORS;
        let key = format!("account:https://lms.example.com|u{actor}");
        let rows = server
            .db
            .conn
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                if backend == sea_orm::DbBackend::Postgres {
                    "SELECT CAST(s.payload AS TEXT) AS payload FROM statement_index d JOIN statements s ON s.seq = d.seq WHERE d.kind = 1 AND d.key = $1 ORDER BY d.stored_us DESC, d.seq DESC LIMIT 100"
                } else {
                    "SELECT CAST(s.payload AS TEXT) AS payload FROM statement_index d JOIN statements s ON s.seq = d.seq WHERE d.kind = 1 AND d.key = ? ORDER BY d.stored_us DESC, d.seq DESC LIMIT 100"
                },
                [key.into()],
            ))
            .await
            .expect("agent rows");
        let texts: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "payload").expect("payload"))
            .collect();
        let started = Instant::now();
        let statements: Vec<serde_json::Value> = texts
            .iter()
            .map(|t| blackbelt::xapi::validate::parse_stored(t).expect("stored JSON"))
            .collect();
        let page = serde_json::Value::Object(serde_json::Map::from_iter([
            (
                "statements".to_owned(),
                serde_json::Value::Array(statements),
            ),
            ("more".to_owned(), serde_json::Value::String(String::new())),
        ]));
        let bytes = serde_json::to_vec(&page).expect("serialise");
        old.push(started.elapsed());
        let started = Instant::now();
        let mut joined = String::from(r#"{"statements":["#);
        joined.push_str(&texts.join(","));
        joined.push_str(r#"],"more":""}"#);
        new.push(started.elapsed());
        assert!(joined.len() + 200 > bytes.len(), "the same page");
    }
    old.sort();
    new.sort();
    println!(
        "agent page body in the server (100 statements): parsed and re-serialised p50 {} p99 {}; stored texts joined p50 {} p99 {}",
        ms(percentile(&old, 50.0)),
        ms(percentile(&old, 99.0)),
        ms(percentile(&new, 50.0)),
        ms(percentile(&new, 99.0)),
    );
}
