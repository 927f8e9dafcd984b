//! Faults with the production deliverers and a real local platform: a server stopped
//! while the platform was down resumes from the rows in a new process; two servers on
//! one database deliver each score once; a 400 fails the message with the platform's
//! words kept; learners racing to a line item container make one gradebook column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use entities::passback_message;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::content::POLICY_AU;
use crate::helpers::TestApp;
use crate::lti_platform::{TestPlatform, good_claims};
use crate::passback::{defined, lti_launch_with, passed};
use crate::passback_ags::{LINEITEM, SCORE, Seen, Shared, serve_platform};
use crate::passback_e2e::{allowed, body, completed, scores};

const AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
const PROGRESS: &str = "https://w3id.org/xapi/cmi5/result/extensions/progress";

/// Dispatchers that poll often and back off for 1 s.
fn quick(c: &mut blackbelt::config::Config) {
    c.passback_poll_ms = 20;
    c.passback_backoff_base_secs = 1;
}

/// An app that records progress but delivers nothing (its dispatcher is off), with
/// the course, a registered platform and that platform's local servers.
async fn front_app() -> (TestApp, TestPlatform, Shared, String) {
    let app = TestApp::spawn_delivering(|c| {
        quick(c);
        c.passback_enabled = false;
    })
    .await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    let (state, base) = serve_platform(&app, platform.platform_id).await;
    (app, platform, state, base)
}

/// Another server on the same database, delivering.
async fn delivering_beside(app: &TestApp) -> TestApp {
    app.spawn_beside_delivering(|c| {
        quick(c);
        c.passback_enabled = true;
    })
    .await
}

/// The claim naming line item 9 (Moodle-shaped URL).
fn given_lineitem(base: &str) -> Value {
    json!({"scope": [SCORE, LINEITEM], "lineitem": format!("{base}/api/lineitems/9/lineitem?type_id=1")})
}

/// `sub` launches the policy AU with the AGS claim `ags`.
async fn launch(app: &TestApp, platform: &TestPlatform, sub: &str, ags: &Value) -> Value {
    lti_launch_with(app, platform, |nonce| {
        let mut claims = good_claims(nonce, POLICY_AU);
        claims["sub"] = json!(sub);
        claims[AGS] = ags.clone();
        claims
    })
    .await
}

/// Step `n` (1–3) of a learner's AU after the launch: initialized → Started,
/// progressed → InProgress, completed + passed → Completed/FullyGraded.
async fn step(app: &TestApp, launch: &Value, token: &str, n: usize) {
    let statements = match n {
        1 => vec![defined(launch, "initialized", None)],
        2 => vec![allowed(
            launch,
            "progressed",
            json!({"extensions": {PROGRESS: 50}}),
        )],
        _ => vec![completed(launch), passed(launch)],
    };
    for s in statements {
        let response = app.post_as(&s, token, "1.0.3").await;
        response.assert_status_is_ok();
    }
}

async fn messages(app: &TestApp) -> Vec<passback_message::Model> {
    passback_message::Entity::find()
        .order_by_asc(passback_message::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap()
}

/// Waits (up to `secs`) until `done` gives something.
async fn until_async<T, F: Future<Output = Option<T>>>(
    what: &str,
    secs: u64,
    mut done: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(found) = done().await {
            return found;
        }
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits until no message is pending; returns them all.
async fn until_settled(app: &TestApp, secs: u64) -> Vec<passback_message::Model> {
    until_async(
        "every message delivered, superseded or failed",
        secs,
        || async {
            let all = messages(app).await;
            all.iter().all(|m| m.state != "pending").then_some(all)
        },
    )
    .await
}

fn progress_of(value: &Value) -> (String, String) {
    (
        value["activityProgress"].as_str().unwrap_or("-").to_owned(),
        value["gradingProgress"].as_str().unwrap_or("-").to_owned(),
    )
}

/// Every score the platform took (2xx), by user, in arrival order.
fn accepted_by_user(seen: &[Seen]) -> BTreeMap<String, Vec<Value>> {
    let mut by_user: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for s in seen {
        let b = body(s);
        by_user
            .entry(b["userId"].as_str().unwrap().to_owned())
            .or_default()
            .push(b);
    }
    by_user
}

/// No score arrived twice, and each user's timestamps rise by whole seconds.
fn assert_once_each_in_order(seen: &[Seen]) {
    let mut keys = HashSet::new();
    for s in seen {
        let b = body(s);
        let key = (b["userId"].to_string(), b["timestamp"].to_string());
        assert!(keys.insert(key), "a score arrived twice: {b}");
    }
    for (user, list) in accepted_by_user(seen) {
        let stamps: Vec<jiff::Timestamp> = list
            .iter()
            .map(|b| b["timestamp"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(
            stamps
                .windows(2)
                .all(|w| w[1].as_second() > w[0].as_second()),
            "{user}: timestamps must rise by whole seconds: {stamps:?}"
        );
    }
}

#[tokio::test]
async fn a_server_stopped_while_the_platform_was_down_leaves_scores_a_new_server_delivers() {
    let (front, platform, state, base) = front_app().await;
    // The platform is down: every score POST gets 503 until it is back.
    state.lock().unwrap().script = std::iter::repeat_n((503, None), 10_000).collect();
    let claim = given_lineitem(&base);
    // Three learners left at three different standings.
    let mut last_expected = HashMap::new();
    for (n, sub) in ["learner-a", "learner-b", "learner-c"].iter().enumerate() {
        let launch = launch(&front, &platform, sub, &claim).await;
        let token = front.token(&launch).await;
        for s in 1..=n + 1 {
            step(&front, &launch, &token, s).await;
        }
        let expected = match n {
            0 => ("Started", "NotReady"),
            1 => ("InProgress", "NotReady"),
            _ => ("Completed", "FullyGraded"),
        };
        last_expected.insert(sub.to_string(), expected);
    }
    // The first server tries, the platform refuses, and the server stops. (It starts
    // after the writes: several processes writing one SQLite file fail each other's
    // deferred transactions.)
    let first = delivering_beside(&front).await;
    until_async(
        "the first server tried every learner's score",
        20,
        || async {
            let tried: HashSet<String> = scores(&state)
                .iter()
                .map(|s| body(s)["userId"].as_str().unwrap().to_owned())
                .collect();
            (tried.len() == 3).then_some(())
        },
    )
    .await;
    first.passback.as_ref().unwrap().shutdown().await;
    drop(first);
    let refused = scores(&state).len();
    let pending = messages(&front).await;
    assert!(
        pending
            .iter()
            .any(|m| m.state == "pending" && m.attempts > 0),
        "left pending after attempts: {pending:?}"
    );
    assert!(
        pending.iter().all(|m| m.state != "delivered"),
        "{pending:?}"
    );

    // The platform is back; a new server on the same database resumes.
    state.lock().unwrap().script.clear();
    let second = delivering_beside(&front).await;
    let settled = until_settled(&second, 30).await;
    let after: Vec<Seen> = scores(&state)[refused..].to_vec();
    println!(
        "restart: {} refused while down, {} delivered after; messages {:?}",
        refused,
        after.len(),
        settled
            .iter()
            .map(|m| (m.state.as_str(), m.attempts))
            .collect::<Vec<_>>()
    );
    assert!(
        settled
            .iter()
            .all(|m| m.state == "delivered" || m.state == "superseded"),
        "{settled:?}"
    );
    // Each learner's newest standing arrived, exactly once; nothing older after it.
    let by_user = accepted_by_user(&after);
    assert_eq!(by_user.len(), 3, "{by_user:?}");
    for (user, list) in &by_user {
        let (activity, grading) = last_expected[user];
        assert_eq!(list.len(), 1, "{user}: once, the newest only: {list:?}");
        assert_eq!(
            progress_of(&list[0]),
            (activity.to_owned(), grading.to_owned()),
            "{user}"
        );
    }
    assert_eq!(
        settled.iter().filter(|m| m.state == "delivered").count(),
        3,
        "one delivered message per learner, the older ones superseded"
    );
    assert_once_each_in_order(&after);
    second.passback.as_ref().unwrap().shutdown().await;
}

#[tokio::test]
async fn two_servers_on_one_database_deliver_each_score_once() {
    let (front, platform, state, base) = front_app().await;
    let claim = given_lineitem(&base);
    const LEARNERS: usize = 40;
    let mut sessions = Vec::new();
    for n in 0..LEARNERS {
        let launch = launch(&front, &platform, &format!("learner-{n:02}"), &claim).await;
        let token = front.token(&launch).await;
        sessions.push((launch, token));
    }
    let started = Instant::now();
    // Round 0 is the launch (Initialized); rounds 1–3 the AU's steps. Each round is
    // written, then two servers start together and race for its 40 messages, and stop
    // once all are delivered (so nothing is coalesced away: 160 scores). The front app
    // writes only while no other server does: several processes writing one SQLite
    // file fail each other's deferred transactions ("database is locked").
    for round in 0..4 {
        for (launch, token) in &sessions {
            if round > 0 {
                step(&front, launch, token, round).await;
            }
        }
        let (a, b) = tokio::join!(delivering_beside(&front), delivering_beside(&front));
        until_settled(&front, 60).await;
        a.passback.as_ref().unwrap().shutdown().await;
        b.passback.as_ref().unwrap().shutdown().await;
    }
    let all = until_settled(&front, 60).await;
    let took = started.elapsed();
    let seen = scores(&state);
    let delivered = all.iter().filter(|m| m.state == "delivered").count();
    let tokens: HashSet<Option<String>> = seen.iter().map(|s| s.authorization.clone()).collect();
    println!(
        "two servers: {} messages, {delivered} delivered, {} score POSTs with {} tokens, in {took:?}",
        all.len(),
        seen.len(),
        tokens.len()
    );
    assert!(
        all.iter()
            .all(|m| m.state == "delivered" || m.state == "superseded"),
        "none lost or failed: {:?}",
        all.iter()
            .filter(|m| m.state != "delivered" && m.state != "superseded")
            .collect::<Vec<_>>()
    );
    assert_eq!(
        seen.len(),
        delivered,
        "each delivered message reached the platform exactly once"
    );
    assert_once_each_in_order(&seen);
    let by_user = accepted_by_user(&seen);
    assert_eq!(by_user.len(), LEARNERS);
    for (user, list) in &by_user {
        let progressions: Vec<(String, String)> = list.iter().map(progress_of).collect();
        assert_eq!(
            progressions.last().unwrap(),
            &("Completed".to_owned(), "FullyGraded".to_owned()),
            "{user}: {progressions:?}"
        );
        assert_eq!(
            progressions[..3],
            [
                ("Initialized".to_owned(), "NotReady".to_owned()),
                ("Started".to_owned(), "NotReady".to_owned()),
                ("InProgress".to_owned(), "NotReady".to_owned())
            ],
            "{user}: {progressions:?}"
        );
    }
}

#[tokio::test]
async fn a_score_the_platform_refuses_with_400_fails_with_its_answer_and_the_next_goes_through() {
    let (front, platform, state, base) = front_app().await;
    state.lock().unwrap().script = [(400, None)].into_iter().collect();
    let launch = launch(&front, &platform, "learner-400", &given_lineitem(&base)).await;
    let token = front.token(&launch).await;
    let deliverer = delivering_beside(&front).await;
    let failed = until_async("the Initialized score failed", 20, || async {
        messages(&front)
            .await
            .into_iter()
            .find(|m| m.state == "failed")
    })
    .await;
    assert_eq!(failed.last_status, Some(400), "{failed:?}");
    assert_eq!(
        failed.last_answer.as_deref(),
        Some("answer 400"),
        "{failed:?}"
    );
    assert!(
        failed.last_error.as_deref().is_some_and(|e| !e.is_empty()),
        "{failed:?}"
    );
    assert_eq!(failed.attempts, 1, "not retried: {failed:?}");
    assert_eq!(failed.payload["activityProgress"], "Initialized");
    // The channel is not blocked: the next change is delivered.
    step(&front, &launch, &token, 1).await;
    let all = until_settled(&front, 20).await;
    let states: Vec<(&str, String)> = all
        .iter()
        .map(|m| (m.state.as_str(), progress_of(&m.payload).0))
        .collect();
    assert_eq!(
        states,
        [
            ("failed", "Initialized".to_owned()),
            ("delivered", "Started".to_owned())
        ]
    );
    assert_eq!(scores(&state).len(), 2, "one refused, one taken");
    deliverer.passback.as_ref().unwrap().shutdown().await;
}

#[tokio::test]
async fn first_scores_racing_through_two_servers_create_one_line_item() {
    let (front, platform, state, base) = front_app().await;
    let container =
        json!({"scope": [SCORE, LINEITEM], "lineitems": format!("{base}/api/lineitems?type_id=1")});
    const LEARNERS: usize = 10;
    for n in 0..LEARNERS {
        launch(&front, &platform, &format!("racer-{n}"), &container).await;
    }
    // Both servers start with ten first scores due at once.
    let (a, b) = tokio::join!(delivering_beside(&front), delivering_beside(&front));
    let all = until_settled(&front, 30).await;
    let seen: Vec<Seen> = state.lock().unwrap().seen.clone();
    let created: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.path == "/api/lineitems" && s.method == "POST")
        .collect();
    let searches = seen
        .iter()
        .filter(|s| s.path == "/api/lineitems" && s.method == "GET")
        .count();
    println!(
        "line item race: {} created, {searches} search requests, {} retried messages",
        created.len(),
        all.iter().filter(|m| m.attempts > 1).count()
    );
    assert_eq!(created.len(), 1, "one gradebook column: {created:?}");
    assert!(
        all.iter().all(|m| m.state == "delivered"),
        "{:?}",
        all.iter()
            .map(|m| (&m.state, &m.last_error))
            .collect::<Vec<_>>()
    );
    let posted = scores(&state);
    assert_eq!(posted.len(), LEARNERS, "one score per learner");
    assert!(
        posted
            .iter()
            .all(|s| s.path == "/api/lineitems/9/lineitem/scores" && s.query == "type_id=1"),
        "{posted:?}"
    );
    let users: HashSet<String> = posted
        .iter()
        .map(|s| body(s)["userId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(users.len(), LEARNERS);
    let rows = entities::passback_lineitem::Entity::find()
        .all(&front.db.conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0].lineitem_url.as_deref(),
        Some(format!("{base}/api/lineitems/9/lineitem?type_id=1").as_str())
    );
    assert_eq!(rows[0].lease_owner, None, "the lease was let go");
    a.passback.as_ref().unwrap().shutdown().await;
    b.passback.as_ref().unwrap().shutdown().await;
}
