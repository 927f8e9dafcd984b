//! `cargo bench --bench certification`: `program reevaluate` (`certification::engine::
//! reevaluate_all`) over 100,000 learners × 5 belts, against the target of 60 s
//! on SQLite on this machine. The learners, their registrations in two shipped courses
//! and their progress rows are written straight into the database in bulk (as years of
//! launches would have left them), with a program of five belts over AU and course
//! standings, minimum scores and a belt chain (`common/program.rs`); the expected awards
//! follow from the generated standings and are checked against what the engine awards.
//! The physical limit is measured in the same run: reading the same rows (learners,
//! registrations, progress) with plain SQL. Every figure is also printed as a ratio to
//! it (the machine is shared and drifts; a ratio drifts less). A second pass shows that
//! re-evaluating is idempotent and what a pass that awards nothing costs.
//! SQLite (a temp file) by default; PostgreSQL when TEST_DATABASE_URL is a `postgres://`
//! URL. `CERTIFICATION_LEARNERS` changes the number of learners (default 100,000).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use blackbelt::certification::engine;
use blackbelt::db::Db;
use common::program::{self, CourseIds};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;

/// The ceiling for 100,000 learners × 5 belts on SQLite.
const TARGET: Duration = Duration::from_secs(60);
/// Rows per INSERT statement while loading.
const CHUNK: usize = 500;
const DAY_US: i64 = 86_400_000_000;

#[tokio::main]
async fn main() {
    let learners: u64 = std::env::var("CERTIFICATION_LEARNERS")
        .ok()
        .map(|n| {
            n.parse()
                .expect("CERTIFICATION_LEARNERS: a number of learners")
        })
        .unwrap_or(100_000);
    let server = common::spawn_server().await;
    let db = &server.db;
    let first = CourseIds::shipped(
        "all-employees",
        &["policy-essentials", "complaint-triage", "your-voice"],
    );
    let second = CourseIds::shipped(
        "middle-managers",
        &["why-social-matters", "leading-social-teams"],
    );
    import_courses(db).await;
    let loading = Instant::now();
    let data = Generated::new(learners, &first, &second);
    load(&db.conn, &data, &[&first, &second]).await;
    program::store(
        &db.conn,
        &program::five_belts("bench-program", &first, &second),
    )
    .await;
    if server.backend == "PostgreSQL" {
        common::analyze(&server).await;
    }
    println!(
        "certification reevaluate on {}: {learners} learners, {} registrations, {} progress \
         rows, 5 belts (loaded in {:.1} s)",
        server.backend,
        data.registrations,
        data.progress_rows,
        loading.elapsed().as_secs_f64()
    );
    // The best of two reads: the rows are as warm for it as for the engine.
    let limit = read_rows(&db.conn).await.min(read_rows(&db.conn).await);
    let now_us = jiff::Timestamp::now().as_microsecond();
    println!(
        "| backend | pass | learners | reevaluate | learners/s | awards created | expected | \
         target | plain read of the rows | ratio to read |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let expected: u64 = data.expected.iter().sum();
    for (pass, expect) in [("first", expected), ("second (nothing new)", 0)] {
        let (elapsed, created, reports) = reevaluate(db, now_us).await;
        println!(
            "| {} | {pass} | {learners} | {:.1} s | {:.0} | {created} | {expect} | ≤ {} s | {:.2} s | {:.1} × |",
            server.backend,
            elapsed.as_secs_f64(),
            learners as f64 / elapsed.as_secs_f64(),
            TARGET.as_secs(),
            limit.as_secs_f64(),
            elapsed.as_secs_f64() / limit.as_secs_f64()
        );
        if reports == 0 {
            println!("  (reevaluate_all reported no progress)");
        }
    }
    let held = held_by_belt(&db.conn).await;
    println!("| belt | active awards | expected |");
    println!("|---|---|---|");
    for (belt, expect) in BELTS.iter().zip(&data.expected) {
        let got = held.iter().find(|(b, _)| b == belt).map_or(0, |(_, n)| *n);
        let flag = if got == *expect as i64 {
            ""
        } else {
            " ← differs"
        };
        println!("| {belt} | {got} | {expect}{flag} |");
    }
}

const BELTS: [&str; 5] = ["white", "yellow", "green", "brown", "black"];

/// Runs `reevaluate_all` once: (time, awards created, progress reports).
async fn reevaluate(db: &Db, now_us: i64) -> (Duration, u64, u64) {
    let reports = AtomicU64::new(0);
    let progress = |_done: u64, _total: u64| {
        reports.fetch_add(1, Ordering::Relaxed);
    };
    let started = Instant::now();
    let created = engine::reevaluate_all(db, now_us, &progress)
        .await
        .expect("reevaluate_all");
    (started.elapsed(), created, reports.load(Ordering::Relaxed))
}

/// Imports the two courses the belts name, as `blackbelt packages import` would.
async fn import_courses(db: &Db) {
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

/// A number in 0..100 for learner `i` and draw `k`, the same in every run (splitmix64).
fn draw(i: u64, k: u64) -> u64 {
    let mut z = (i * 16 + k).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % 100
}

/// One learner's standings on an AU.
struct AuStanding {
    satisfied: bool,
    score: f64,
}

/// The generated rows, as SQL value tuples per table, and the awards they should earn.
struct Generated {
    learners: Vec<String>,
    registrations: usize,
    registration_rows: Vec<(String, String)>,
    progress_rows: usize,
    progress: Vec<String>,
    /// Expected active awards per belt, in `BELTS` order.
    expected: [u64; 5],
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl Generated {
    /// Every learner is registered in the first course (3 AUs) and 60 % also in the
    /// second (2 AUs); each AU is satisfied with a learner-specific chance and score,
    /// a course when all its AUs are.
    fn new(learners: u64, first: &CourseIds, second: &CourseIds) -> Generated {
        let now = jiff::Timestamp::now().as_microsecond();
        let mut out = Generated {
            learners: Vec::with_capacity(learners as usize),
            registrations: 0,
            registration_rows: Vec::new(),
            progress_rows: 0,
            progress: Vec::new(),
            expected: [0; 5],
        };
        for i in 0..learners {
            let actor = json!({"objectType": "Agent", "name": format!("Learner {i}"),
                "account": {"homePage": "https://lms.example.com", "name": format!("cert-{i}")}});
            let key = blackbelt::xapi::statements::index::agent_key(&actor).expect("agent key");
            let updated = now - (i % 300) as i64 * DAY_US;
            out.learners.push(format!(
                "({}, {}, {}, NULL, '{{}}', {now}, {now})",
                quote(&key),
                quote(&actor.to_string()),
                quote(&format!("Learner {i}"))
            ));
            let a: Vec<AuStanding> = [(90, 1), (80, 2), (85, 3)]
                .iter()
                .map(|(chance, k)| AuStanding {
                    satisfied: draw(i, *k) < *chance,
                    score: 0.5 + draw(i, k + 8) as f64 / 200.0,
                })
                .collect();
            let in_second = draw(i, 6) < 60;
            let b: Vec<AuStanding> = [(85, 4), (80, 5)]
                .iter()
                .map(|(chance, k)| AuStanding {
                    satisfied: draw(i, *k) < *chance,
                    score: 0.6 + draw(i, k + 8) as f64 / 250.0,
                })
                .collect();
            out.add_registration(0xCE51, i, &key, &actor, first, &a, updated);
            if in_second {
                out.add_registration(0xCE52, i, &key, &actor, second, &b, updated);
            }
            // The program's rules (`common::program::five_belts`), on the generated
            // standings; no learner has `shared` statements.
            let white = a[0].satisfied;
            let yellow = white && a[1].satisfied && a[1].score >= 0.7;
            let green = yellow && a.iter().all(|s| s.satisfied);
            let brown = green && in_second && b[0].satisfied && b[0].score >= 0.8;
            let second_course = b.iter().all(|s| s.satisfied);
            let black = brown
                && [b[1].satisfied, second_course]
                    .iter()
                    .filter(|m| **m)
                    .count()
                    >= 2;
            for (slot, held) in [white, yellow, green, brown, black].iter().enumerate() {
                out.expected[slot] += u64::from(*held);
            }
        }
        out
    }

    /// A registration of learner `i` in `course` with a progress row per AU and one for
    /// the course. The package is filled in when loading (`{package}`).
    #[allow(clippy::too_many_arguments)]
    fn add_registration(
        &mut self,
        salt: u64,
        i: u64,
        key: &str,
        actor: &serde_json::Value,
        course: &CourseIds,
        aus: &[AuStanding],
        updated: i64,
    ) {
        let registration = uuid::Uuid::from_u64_pair(salt, i).to_string();
        self.registrations += 1;
        self.registration_rows.push((
            course.course.clone(),
            format!(
                "({}, {}, {{course_key}}, {}, {{package}}, {}, NULL, {updated})",
                quote(&registration),
                quote(key),
                quote(&course.course),
                quote(&actor.to_string())
            ),
        ));
        let row = |object: &str, kind: &str, satisfied: bool, score: Option<f64>| {
            let score = score.map_or("NULL".to_owned(), |s| format!("{s}"));
            let percent = if satisfied { 100 } else { 40 };
            format!(
                "({}, {}, '{kind}', TRUE, {satisfied}, {satisfied}, FALSE, {satisfied}, {score}, {percent}, {updated})",
                quote(&registration),
                quote(object)
            )
        };
        for (au, standing) in course.aus.iter().zip(aus) {
            self.progress
                .push(row(au, "au", standing.satisfied, Some(standing.score)));
        }
        let done = aus.iter().all(|s| s.satisfied);
        self.progress
            .push(row(&course.course, "course", done, None));
        self.progress_rows += aus.len() + 1;
    }
}

/// Writes the generated rows in one transaction, `CHUNK` rows per INSERT.
async fn load(conn: &DatabaseConnection, data: &Generated, courses: &[&CourseIds]) {
    let backend = conn.get_database_backend();
    let mut packages = Vec::new();
    for course in courses {
        let row = conn
            .query_one_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT seq, course_key FROM packages WHERE course_id = {} ORDER BY seq DESC",
                    quote(&course.course)
                ),
            ))
            .await
            .expect("package")
            .expect("the course is imported");
        let seq: i64 = row.try_get("", "seq").expect("seq");
        let course_key: String = row.try_get("", "course_key").expect("course_key");
        packages.push((course.course.clone(), seq, course_key));
    }
    let registrations: Vec<String> = data
        .registration_rows
        .iter()
        .map(|(course, values)| {
            let (_, seq, key) = packages
                .iter()
                .find(|(c, _, _)| c == course)
                .expect("course");
            values
                .replace("{course_key}", &quote(key))
                .replace("{package}", &seq.to_string())
        })
        .collect();
    let txn = conn.begin().await.expect("begin");
    insert(
        &txn,
        "cert_learners (learner_key, actor, name, email, attributes, created_us, updated_us)",
        &data.learners,
    )
    .await;
    insert(
        &txn,
        "registrations (registration, learner_key, course_key, course_id, package_seq, actor, \
         email, created_us)",
        &registrations,
    )
    .await;
    insert(
        &txn,
        "progress (registration, object_id, kind, attempted, completed, passed, failed, \
         satisfied, score, progress_percent, updated_us)",
        &data.progress,
    )
    .await;
    txn.commit().await.expect("commit");
}

async fn insert(conn: &impl ConnectionTrait, into: &str, rows: &[String]) {
    for chunk in rows.chunks(CHUNK) {
        conn.execute_unprepared(&format!("INSERT INTO {into} VALUES {}", chunk.join(", ")))
            .await
            .unwrap_or_else(|e| panic!("INSERT INTO {into}: {e}"));
    }
}

/// Reads every row the engine needs with plain SQL and decodes each value: the time
/// below which no re-evaluation can go.
async fn read_rows(conn: &DatabaseConnection) -> Duration {
    let backend = conn.get_database_backend();
    let started = Instant::now();
    let learners = conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT learner_key, attributes FROM cert_learners ORDER BY learner_key",
        ))
        .await
        .expect("learners");
    let mut check = 0usize;
    for row in &learners {
        let key: String = row.try_get("", "learner_key").expect("learner_key");
        let attributes: serde_json::Value = row.try_get("", "attributes").expect("attributes");
        check += key.len() + usize::from(attributes.is_object());
    }
    let progress = conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT r.learner_key, p.object_id, p.kind, p.satisfied, p.score, p.updated_us \
             FROM registrations r JOIN progress p ON p.registration = r.registration \
             ORDER BY r.learner_key",
        ))
        .await
        .expect("progress");
    for row in &progress {
        let key: String = row.try_get("", "learner_key").expect("learner_key");
        let object: String = row.try_get("", "object_id").expect("object_id");
        let kind: String = row.try_get("", "kind").expect("kind");
        let satisfied: bool = row.try_get("", "satisfied").expect("satisfied");
        let score: Option<f64> = row.try_get("", "score").expect("score");
        let updated: i64 = row.try_get("", "updated_us").expect("updated_us");
        check += key.len() + object.len() + kind.len() + usize::from(satisfied);
        check += usize::from(score.is_some() && updated > 0);
    }
    assert!(check > 0, "nothing read");
    started.elapsed()
}

/// Active awards per belt.
async fn held_by_belt(conn: &DatabaseConnection) -> Vec<(String, i64)> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT belt_id, COUNT(*) AS n FROM cert_awards WHERE status = 'active' \
             GROUP BY belt_id",
        ))
        .await
        .expect("awards");
    rows.iter()
        .map(|row| {
            (
                row.try_get("", "belt_id").expect("belt_id"),
                row.try_get("", "n").expect("n"),
            )
        })
        .collect()
}
