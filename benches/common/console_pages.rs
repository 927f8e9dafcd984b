//! The console bench's readers: signed-in console users (a session made directly, as the
//! console tests do) and every page a user reads, each requested by a few concurrent
//! clients with varying parameters; latency percentiles per page.

use std::sync::Arc;
use std::time::{Duration, Instant};

use blackbelt::console::paging;
use blackbelt::console::role::Role;
use blackbelt::console::session::{self, Client, Owner, SessionSettings};
use entities::console_user;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;

use super::console_data::{AUDIENCES, HOME_PAGE, ORG_UNITS, email_of, key_of, name_of};
use super::program::CourseIds;
use super::{Server, ms, percentile};

/// The target for every page.
pub const TARGET: Duration = Duration::from_millis(300);

/// A console user's session cookie.
pub async fn signed_in(server: &Server, role: Role, team: Option<Value>) -> String {
    let now = blackbelt::console::now_us();
    let username = format!(
        "bench-{role}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let user = console_user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(format!("Bench {role}")),
        email: Set(Some(format!("{username}@example.com"))),
        role: Set(role.as_str().into()),
        team: Set(team),
        password_hash: Set(None),
        disabled_us: Set(None),
        created_us: Set(now),
        updated_us: Set(now),
        ..Default::default()
    }
    .insert(server.db.writer())
    .await
    .expect("console user");
    let settings = SessionSettings {
        idle_us: 4 * 3_600_000_000,
        absolute_us: 4 * 3_600_000_000,
        secure: false,
    };
    let token = session::create(
        server.db.writer(),
        &settings,
        Owner::User(user.id),
        Client::default(),
        now,
    )
    .await
    .expect("console session");
    format!("{}={token}", settings.cookie_name())
}

/// A page to measure: its label, whose session reads it, and its path for request `i`.
pub struct PageCase {
    pub label: &'static str,
    pub cookie: String,
    pub path: Box<dyn Fn(u64) -> String + Send + Sync>,
    /// Time to first byte only (a streamed download).
    pub first_byte: bool,
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A learner number for request `i` (spread over all learners).
fn someone(i: u64, learners: u64) -> u64 {
    (i * 2_654_435_761 + 12_345) % learners
}

/// Every page the console's users read, for a dataset of `learners`.
pub fn cases(admin: &str, manager: &str, learners: u64, first: &CourseIds) -> Vec<PageCase> {
    let case = |label, cookie: &str, path: Box<dyn Fn(u64) -> String + Send + Sync>| PageCase {
        label,
        cookie: cookie.to_owned(),
        path,
        first_byte: false,
    };
    let course = enc(&first.course);
    let mut out = vec![
        case("overview", admin, Box::new(|_| "/console".into())),
        case(
            "learners: first page",
            admin,
            Box::new(|_| "/console/learners".into()),
        ),
        case(
            "learners: a later page (keyset)",
            admin,
            Box::new(move |i| {
                let key = key_of(someone(i, learners));
                format!("/console/learners?after={}", paging::encode(&key))
            }),
        ),
        case(
            "learners: search by name",
            admin,
            Box::new(move |i| {
                format!(
                    "/console/learners?q={}",
                    enc(&name_of(someone(i, learners)))
                )
            }),
        ),
        case(
            "learners: search by email",
            admin,
            Box::new(move |i| {
                format!(
                    "/console/learners?q={}",
                    enc(&email_of(someone(i, learners)))
                )
            }),
        ),
        case(
            "learners: audience filter",
            admin,
            Box::new(|i| format!("/console/learners?audience={}", AUDIENCES[(i % 5) as usize])),
        ),
        case(
            "learners: belt filter",
            admin,
            Box::new(|i| {
                format!(
                    "/console/learners?belt={}",
                    ["white", "green", "black"][(i % 3) as usize]
                )
            }),
        ),
        case(
            "learners: course standing filter",
            admin,
            Box::new(move |i| {
                let standing = ["satisfied", "in_progress", "not_started"][(i % 3) as usize];
                format!("/console/learners?course={course}&standing={standing}")
            }),
        ),
        case(
            "learners: manager's team",
            manager,
            Box::new(|_| "/console/learners".into()),
        ),
        case(
            "learners: manager's team, search",
            manager,
            Box::new(move |i| {
                // Learners of ou-7 are 7, 57, 107, …
                let n = 7 + ORG_UNITS * (someone(i, learners) / ORG_UNITS);
                format!("/console/learners?q={}", enc(&name_of(n.min(learners - 1))))
            }),
        ),
        case(
            "learner page (timeline)",
            admin,
            Box::new(move |i| {
                blackbelt::console::learners::rows::href(&key_of(someone(i, learners)))
            }),
        ),
        case(
            "program (holders, one-away)",
            admin,
            Box::new(|_| "/console/program".into()),
        ),
        case(
            "evidence queue",
            admin,
            Box::new(|_| "/console/evidence".into()),
        ),
        case("awards", admin, Box::new(|_| "/console/awards".into())),
        case("audit", admin, Box::new(|_| "/console/audit".into())),
        case(
            "statements: unfiltered",
            admin,
            Box::new(|_| "/console/statements".into()),
        ),
        case(
            "statements: by agent",
            admin,
            Box::new(move |i| {
                format!(
                    "/console/statements?home_page={}&account=u{}",
                    enc(HOME_PAGE),
                    someone(i, learners)
                )
            }),
        ),
        case(
            "statements: by verb",
            admin,
            Box::new(|i| {
                let verb = ["completed", "passed", "shared"][(i % 3) as usize];
                let iri = if verb == "shared" {
                    super::program::SHARED.to_owned()
                } else {
                    format!("http://adlnet.gov/expapi/verbs/{verb}")
                };
                format!("/console/statements?verb={}", enc(&iri))
            }),
        ),
    ];
    out.push(PageCase {
        label: "learners CSV: first byte",
        cookie: admin.to_owned(),
        path: Box::new(|_| "/console/learners.csv".into()),
        first_byte: true,
    });
    out
}

/// Figures of one page.
pub struct Figures {
    pub label: &'static str,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub mean_kb: f64,
}

/// Requests `case` `requests` times from `clients` concurrent clients.
pub async fn measure(
    server: &Server,
    http: &reqwest::Client,
    case: Arc<PageCase>,
    requests: u64,
    clients: u64,
) -> Figures {
    let mut tasks = Vec::new();
    for lane in 0..clients {
        let (http, base, case) = (http.clone(), server.base.clone(), case.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in (lane..requests).step_by(clients as usize) {
                out.push(one(&http, &base, &case, i).await);
            }
            out
        }));
    }
    let mut latencies = Vec::new();
    let mut bytes = 0usize;
    for task in tasks {
        for (elapsed, size) in task.await.expect("client") {
            latencies.push(elapsed);
            bytes += size;
        }
    }
    latencies.sort();
    Figures {
        label: case.label,
        p50: percentile(&latencies, 50.0),
        p95: percentile(&latencies, 95.0),
        p99: percentile(&latencies, 99.0),
        mean_kb: bytes as f64 / latencies.len().max(1) as f64 / 1024.0,
    }
}

async fn one(http: &reqwest::Client, base: &str, case: &PageCase, i: u64) -> (Duration, usize) {
    let path = (case.path)(i);
    let started = Instant::now();
    let mut response = http
        .get(format!("{base}{path}"))
        .header("cookie", &case.cookie)
        .send()
        .await
        .expect("request");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    if case.label.starts_with("learners: search") || case.label.ends_with("team, search") {
        let text = String::from_utf8_lossy(&body_peek(&mut response).await).into_owned();
        assert!(
            text.contains("href=\"/console/learners/"),
            "{path}: no learner found"
        );
        return (started.elapsed(), text.len());
    }
    if case.first_byte {
        let chunk = response
            .chunk()
            .await
            .expect("first chunk")
            .unwrap_or_default();
        return (started.elapsed(), chunk.len());
    }
    let body = response.bytes().await.expect("body");
    (started.elapsed(), body.len())
}

async fn body_peek(response: &mut reqwest::Response) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.expect("body") {
        out.extend_from_slice(&chunk);
    }
    out
}

/// Prints the table of `figures`.
pub fn report(title: &str, figures: &[Figures]) {
    println!("\n{title}");
    println!("| page | p50 | p95 | p99 | KB | ≤ 300 ms p95 |");
    println!("|---|---|---|---|---|---|");
    for f in figures {
        println!(
            "| {} | {} | {} | {} | {:.0} | {} |",
            f.label,
            ms(f.p50),
            ms(f.p95),
            ms(f.p99),
            f.mean_kb,
            if f.p95 <= TARGET { "yes" } else { "**no**" }
        );
    }
}
