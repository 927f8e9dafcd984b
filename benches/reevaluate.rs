//! `cargo bench --bench reevaluate`: `blackbelt program reevaluate` on 100,000 learners
//! and a five-belt program, on SQLite (the bound: within 60 s on this machine).
//! Learners, registrations and progress rows are bulk-inserted; a fifth of the learners
//! meet the lower belts. Two runs: the first creates the awards (and their statements
//! and audit entries), the second finds everything held (the idempotent re-run after a
//! program change). `BENCH_LEARNERS` changes the count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use blackbelt::app::App;
use blackbelt::certification::engine::reevaluate_all;
use blackbelt::certification::program::model::Program;
use blackbelt::config::Config;
use blackbelt::sql::Sql;
use entities::cert_program;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, TransactionTrait};
use serde_json::json;

const AU_A: &str = "https://bench.example/au/a";
const AU_B: &str = "https://bench.example/au/b";
const COURSE: &str = "https://bench.example/course";

#[tokio::main]
async fn main() {
    let learners: usize = std::env::var("BENCH_LEARNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        passback_enabled: false,
        database_url: format!("sqlite://{}?mode=rwc", dir.path().join("r.db").display()),
        ..Config::default()
    };
    let app = App::build(config).await.expect("app");
    let now = jiff::Timestamp::now().as_microsecond();
    let started = Instant::now();
    seed(&app, learners, now).await;
    println!(
        "seeded {learners} learners in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("| run | learners | awards created | seconds |");
    println!("|---|---|---|---|");
    for run in ["first (awards created)", "second (all held)"] {
        let started = Instant::now();
        let changed = reevaluate_all(&app.db, now, &|_, _| {})
            .await
            .expect("reevaluate");
        println!(
            "| {run} | {learners} | {changed} | {:.1} |",
            started.elapsed().as_secs_f64()
        );
    }
}

fn program() -> Program {
    let belt = |id: &str, requires: serde_json::Value| {
        json!({"id": id, "name": id, "colour": "#000000", "description": id,
               "requires": requires, "validity_months": 12, "grace_days": 30})
    };
    serde_json::from_value(json!({
        "program": {"id": "bench", "name": "Bench"},
        "belt": [
            belt("white", json!({"au": {"id": AU_A}})),
            belt("yellow", json!({"all_of": [{"belt": "white"}, {"au": {"id": AU_B, "min_score": 0.8}}]})),
            belt("green", json!({"all_of": [{"belt": "yellow"}, {"course": {"id": COURSE, "within_months": 12}}]})),
            belt("brown", json!({"all_of": [{"belt": "green"},
                {"evidence": {"id": "story", "title": "Story", "description": "A story"}}]})),
            belt("black", json!({"all_of": [{"belt": "brown"},
                {"at_least": {"n": 1, "of": [{"attribute": {"name": "role", "any_of": ["lead"]}},
                    {"evidence": {"id": "capstone", "title": "Capstone", "description": "A capstone"}}]}}]})),
        ],
    }))
    .unwrap()
}

async fn seed(app: &App, learners: usize, now: i64) {
    let p = program();
    cert_program::ActiveModel {
        program_id: Set("bench".into()),
        version: Set(1),
        content_hash: Set("bench".into()),
        name: Set("Bench".into()),
        definition: Set(serde_json::to_value(&p).unwrap()),
        imported_us: Set(now),
        ..Default::default()
    }
    .insert(&app.db.conn)
    .await
    .unwrap();
    let backend = app.db.backend();
    // The rows stand for launches of a package this bench does not import.
    app.db
        .writer()
        .execute_unprepared("PRAGMA foreign_keys = OFF")
        .await
        .unwrap();
    let ids: Vec<usize> = (0..learners).collect();
    for chunk in ids.chunks(1_000) {
        let txn = app.db.writer().begin().await.unwrap();
        let mut regs = Sql::new(
            "INSERT INTO registrations (registration, learner_key, course_key, course_id, \
             package_seq, actor, email, created_us) VALUES ",
        );
        let mut progress = Sql::new(
            "INSERT INTO progress (registration, object_id, kind, attempted, completed, passed, \
             failed, satisfied, score, progress_percent, updated_us) VALUES ",
        );
        let mut first_progress = true;
        for (i, n) in chunk.iter().enumerate() {
            let reg = uuid::Uuid::new_v4().to_string();
            let actor = json!({"account": {"homePage": "https://lms.example.com", "name": format!("l{n}")}});
            let key = format!("account:https://lms.example.com|l{n}");
            regs.push(if i == 0 { "(" } else { ", (" })
                .bind("?", reg.clone())
                .bind(", ?", key)
                .bind(", ?", "bench")
                .bind(", ?", COURSE)
                .bind(", ?", 1i64)
                .bind(", ?", actor)
                .bind(", ?", Option::<String>::None)
                .bind(", ?)", now);
            // Every learner has attempted A; a fifth satisfied A, B and the course.
            let met = n % 5 == 0;
            for (object, kind, score) in [
                (AU_A, "au", 0.9),
                (AU_B, "au", 0.85),
                (COURSE, "course", 0.9),
            ] {
                if !met && object != AU_A {
                    continue;
                }
                progress
                    .push(if first_progress { "(" } else { ", (" })
                    .bind("?", reg.clone())
                    .bind(", ?", object)
                    .bind(", ?", kind)
                    .bind(", ?", true)
                    .bind(", ?", met)
                    .bind(", ?", met)
                    .bind(", ?", false)
                    .bind(", ?", met)
                    .bind(", ?", Some(score))
                    .bind(", ?", Option::<i32>::None)
                    .bind(", ?)", now);
                first_progress = false;
            }
        }
        txn.execute_raw(regs.build(backend)).await.unwrap();
        txn.execute_raw(progress.build(backend)).await.unwrap();
        txn.commit().await.unwrap();
    }
    app.db
        .writer()
        .execute_unprepared("PRAGMA foreign_keys = ON")
        .await
        .unwrap();
}
