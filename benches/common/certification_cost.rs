//! `cargo bench --bench ingest -- certification`: what belt evaluation costs statement
//! ingest. The cmi5 session workload of the outbox bench (`common/session_load.rs`:
//! 1,000 learners launched into the all-employees course's first AU, each sending what
//! an AU sends) runs against a fresh server three ways, differing only in the program
//! stored before the server starts (`common/program.rs`, five belts as the default
//! program has them):
//! (a) no program;
//! (b) a program whose rules these statements do not touch (its belts name the
//!     executives and center-of-excellence courses, and a verb no AU sends): the issue's
//!     target is a cost of at most 10 %;
//! (c) a program whose white belt the sessions earn (all-employees' first AU), so every
//!     session's `passed` evaluates the belts and awards one.
//! Each round runs a, b, c (`CERTIFICATION_ROUNDS` rounds, default 5); the costs are
//! the medians of the per-round ratios b/a and c/a, with their range.

use sea_orm::{ConnectionTrait, Database};

use super::cmi5;
use super::paired;
use super::process::{self, ServerProcess, spawn_server_process_prepared};
use super::program::{self, CourseIds};
use super::session_load::{self, launch_all};
use super::{client, ms};

/// Learner sessions per run; each sends `5 + PROGRESS_STEPS` statements.
const SESSIONS: u64 = 1_000;
const PROGRESS_STEPS: u64 = 5;
const CLIENTS: [usize; 2] = [16, 64];
/// The ceiling for statements that touch no belt rule.
const TARGET_PERCENT: f64 = 10.0;

/// Which program the run's server has, in the order each round runs them.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    NoProgram,
    Untouched,
    Touched,
}

const MODES: [Mode; 3] = [Mode::NoProgram, Mode::Untouched, Mode::Touched];

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::NoProgram => "none",
            Mode::Untouched => "5 belts, rules not touched",
            Mode::Touched => "5 belts, white belt earned",
        }
    }
}

pub async fn run() {
    let rounds = paired::rounds("CERTIFICATION_ROUNDS");
    println!(
        "certification cost: {SESSIONS} cmi5 sessions × {} statements, single-statement POSTs, \
         {rounds} rounds of (no program, untouched rules, touched rules)",
        5 + PROGRESS_STEPS
    );
    println!("| backend | clients | program | statements/s | p50 | p99 | awards |");
    println!("|---|---|---|---|---|---|---|");
    let summary = paired::compare(&MODES, 0, &CLIENTS, rounds, async |mode, clients| {
        one(mode, clients).await
    })
    .await;
    paired::print_costs(
        process::backend(),
        "without a program",
        rounds,
        &[
            "untouched rules / none",
            "touched rules / none",
            "untouched cost",
            "touched cost",
        ],
        ("target (untouched)", &format!("≤ {TARGET_PERCENT:.0} %")),
        &summary,
    );
}

/// The program a mode stores, if any.
fn program_of(mode: Mode) -> Option<blackbelt::certification::program::model::Program> {
    let (first, second) = match mode {
        Mode::NoProgram => return None,
        Mode::Untouched => (
            CourseIds::shipped(
                "executives",
                &["social-and-business-goals", "executive-routine"],
            ),
            CourseIds::shipped(
                "center-of-excellence",
                &["business-case", "running-the-program"],
            ),
        ),
        Mode::Touched => (
            CourseIds::shipped(cmi5::COURSE, &["policy-essentials", "complaint-triage"]),
            CourseIds::shipped(
                "middle-managers",
                &["why-social-matters", "leading-social-teams"],
            ),
        ),
    };
    Some(program::five_belts("bench-program", &first, &second))
}

/// One run on a fresh server; returns statements/s.
async fn one(mode: Mode, clients: usize) -> f64 {
    let stored = program_of(mode);
    let server = spawn_server_process_prepared(&[], async |url| {
        if let Some(program) = &stored {
            let conn = Database::connect(url).await.expect("the server's database");
            program::store(&conn, program).await;
            conn.close().await.expect("close");
        }
    })
    .await;
    let http = client();
    cmi5::import_course(&http, &server).await;
    let sessions = launch_all(&http, &server, SESSIONS).await;
    let work = session_load::serialised(&sessions, PROGRESS_STEPS);
    let driven = session_load::drive(&http, &server, &work, clients).await;
    println!(
        "| {} | {clients} | {} | {:.0} | {} | {} | {} |",
        server.backend,
        mode.label(),
        driven.rate,
        ms(driven.p50),
        ms(driven.p99),
        awards(&server).await
    );
    server.stop().await;
    driven.rate
}

/// Awards held after the run: 0 unless the rules were touched.
async fn awards(server: &ServerProcess) -> i64 {
    let conn = Database::connect(&server.database_url)
        .await
        .expect("the server's database");
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM cert_awards",
        ))
        .await
        .expect("count awards")
        .expect("a row");
    let n: i64 = row.try_get("", "n").expect("count");
    conn.close().await.expect("close");
    n
}
