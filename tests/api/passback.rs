//! The passback outbox: an LTI launch with AGS creates its target and an `Initialized`
//! message in the launch's transaction; statements that change standing enqueue the
//! AGS payload, superseding what waits; refused batches enqueue nothing; the
//! dispatcher claims with leases (fenced), retries with backoff, gives up on expiry,
//! and a restarted server resumes what is pending.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use blackbelt::passback::backoff::Backoff;
use blackbelt::passback::delivery::{Claimed, Deliver, Outcome, Protocol};
use blackbelt::passback::dispatch::Deliverers;
use blackbelt::passback::store::{self, Finished};
use entities::{passback_message, passback_target};
use futures_util::future::BoxFuture;
use poem::http::StatusCode;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::content::{POLICY_AU, param};
use crate::helpers::TestApp;
use crate::lti_platform::{TestPlatform, good_claims, login, post_launch};

const SESSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
const MASTERY: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";

/// A delivery attempt answered from a script (then 200s), recording what it was given.
#[derive(Default)]
struct FakeLms {
    calls: Mutex<Vec<Claimed>>,
    script: Mutex<VecDeque<Outcome>>,
}

impl FakeLms {
    fn answering(outcomes: Vec<Outcome>) -> Arc<FakeLms> {
        Arc::new(FakeLms {
            calls: Mutex::default(),
            script: Mutex::new(outcomes.into()),
        })
    }

    fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

impl Deliver for FakeLms {
    fn deliver<'a>(&'a self, claimed: &'a Claimed) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            self.calls.lock().unwrap().push(claimed.clone());
            self.script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Outcome::Delivered {
                    status: 200,
                    sent_ts_us: Some(claimed.event_us),
                    lineitem_url: None,
                    answer: None,
                })
        })
    }
}

fn ags(fake: &Arc<FakeLms>) -> Deliverers {
    let mut map = Deliverers::new();
    map.insert(Protocol::Ags, fake.clone() as Arc<dyn Deliver>);
    map
}

async fn lms_app(
    tweak: impl FnOnce(&mut blackbelt::config::Config),
    deliverers: Deliverers,
) -> (TestApp, TestPlatform) {
    let app = TestApp::spawn_with_deliverers(tweak, deliverers).await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    (app, platform)
}

/// An LTI 1.3 launch of the policy AU with an AGS claim; the launch as the content
/// helpers take it.
async fn lti_launch(app: &TestApp, platform: &TestPlatform) -> Value {
    lti_launch_with(app, platform, |nonce| good_claims(nonce, POLICY_AU)).await
}

/// As `lti_launch`, with the claims `claims(nonce)` makes.
pub async fn lti_launch_with(
    app: &TestApp,
    platform: &TestPlatform,
    claims: impl FnOnce(&str) -> Value,
) -> Value {
    let (state, nonce) = login(app).await;
    let claims = claims(&nonce);
    let response = post_launch(app, &platform.sign(&claims), &state).await;
    if response.0.status() != StatusCode::FOUND {
        let status = response.0.status();
        panic!(
            "launch: {status} {}",
            response.0.into_body().into_string().await.unwrap()
        );
    }
    let location = response.0.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let mut launch = json!({"launchUrl": location});
    let fetch = param(&launch, "fetch");
    let session = fetch
        .split("/api/launches/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    launch["registration"] = json!(param(&launch, "registration"));
    launch["sessionId"] = json!(session);
    launch
}

/// A cmi5 defined statement of a launch (the cmi5 runtime tests' builder).
pub use crate::cmi5_runtime::defined;

pub fn passed(launch: &Value) -> Value {
    let mut s = defined(
        launch,
        "passed",
        Some(json!({"success": true, "duration": "PT1S",
                    "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}})),
    );
    s["context"]["extensions"][MASTERY] = json!(0.8);
    s
}

async fn messages(app: &TestApp) -> Vec<passback_message::Model> {
    passback_message::Entity::find()
        .order_by_asc(passback_message::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap()
}

async fn targets(app: &TestApp) -> Vec<passback_target::Model> {
    passback_target::Entity::find()
        .order_by_asc(passback_target::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap()
}

fn states(list: &[passback_message::Model]) -> Vec<(&str, &str)> {
    list.iter()
        .map(|m| {
            (
                m.state.as_str(),
                m.payload["activityProgress"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

/// Waits (up to 10 s) until the first message is in `state`.
async fn until_first_is(app: &TestApp, state: &str) -> passback_message::Model {
    for _ in 0..200 {
        let list = messages(app).await;
        if let Some(m) = list.first().filter(|m| m.state == state) {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the message never became {state}: {:?}",
        messages(app).await
    );
}

fn no_dispatch(c: &mut blackbelt::config::Config) {
    c.passback_enabled = false;
}

#[tokio::test]
async fn an_ags_launch_creates_its_target_and_an_initialized_message() {
    let (app, platform) = lms_app(no_dispatch, Deliverers::new()).await;
    let launch = lti_launch(&app, &platform).await;
    let list = targets(&app).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let target = &list[0];
    assert_eq!(target.protocol, "ags");
    assert_eq!(target.user_id, "user-1");
    assert_eq!(target.object_id, POLICY_AU);
    assert_eq!(
        target.registration,
        launch["registration"].as_str().unwrap()
    );
    assert_eq!(
        target.lineitem_url.as_deref(),
        Some("https://lms.example.com/api/lineitems/7?type=x")
    );
    assert_eq!(target.resource_link_id.as_deref(), Some("link-1"));
    let list = messages(&app).await;
    assert_eq!(states(&list), [("pending", "Initialized")]);
    let m = &list[0];
    assert_eq!(m.payload["gradingProgress"], "NotReady");
    assert_eq!(
        m.due_us % 1_000_000,
        0,
        "AGS messages wait for a whole second"
    );
    assert!(m.due_us > m.event_us && m.due_us - m.event_us <= 1_000_000);

    // The same link again: the same target, and nothing new while nothing changed
    // (the AU is still never attempted: Initialized again supersedes the first).
    lti_launch(&app, &platform).await;
    assert_eq!(targets(&app).await.len(), 1);
    assert_eq!(
        states(&messages(&app).await),
        [("superseded", "Initialized"), ("pending", "Initialized")]
    );
}

#[tokio::test]
async fn a_launch_refused_inside_its_transaction_leaves_no_target() {
    let (app, platform) = lms_app(no_dispatch, Deliverers::new()).await;
    let (state, nonce) = login(&app).await;
    let claims = good_claims(&nonce, "https://blackbelt.example/no-such-au");
    let response = post_launch(&app, &platform.sign(&claims), &state).await;
    assert_eq!(response.0.status(), StatusCode::NOT_FOUND);
    assert!(targets(&app).await.is_empty());
    assert!(messages(&app).await.is_empty());
}

#[tokio::test]
async fn statements_that_change_standing_enqueue_ags_payloads_superseding_older_ones() {
    let (app, platform) = lms_app(no_dispatch, Deliverers::new()).await;
    let launch = lti_launch(&app, &platform).await;
    let token = app.token(&launch).await;
    app.post_as(&defined(&launch, "initialized", None), &token, "1.0.3")
        .await
        .assert_status_is_ok();
    assert_eq!(
        states(&messages(&app).await),
        [("superseded", "Initialized"), ("pending", "Started")]
    );
    // Progress is "InProgress" once, whatever the percent.
    for percent in [40, 60] {
        // An "allowed" statement: no cmi5 category (cmi5 §9.6.2.1).
        let mut progressed = defined(
            &launch,
            "progressed",
            Some(
                json!({"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": percent}}),
            ),
        );
        progressed["context"]["contextActivities"]
            .as_object_mut()
            .unwrap()
            .remove("category");
        app.post_as(&progressed, &token, "1.0.3")
            .await
            .assert_status_is_ok();
    }
    assert_eq!(
        states(&messages(&app).await),
        [
            ("superseded", "Initialized"),
            ("superseded", "Started"),
            ("pending", "InProgress")
        ]
    );
    // A refused batch (no session id: cmi5 §9.6.3.1) enqueues nothing.
    let mut refused = passed(&launch);
    refused["context"]["extensions"]
        .as_object_mut()
        .unwrap()
        .remove(SESSION);
    app.post_as(&refused, &token, "1.0.3")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(messages(&app).await.len(), 3);

    let response = app.post_as(&passed(&launch), &token, "1.0.3").await;
    assert_eq!(
        response.0.status(),
        StatusCode::OK,
        "{}",
        crate::helpers::json_of(response).await
    );
    let list = messages(&app).await;
    assert_eq!(
        states(&list),
        [
            ("superseded", "Initialized"),
            ("superseded", "Started"),
            ("superseded", "InProgress"),
            ("pending", "Submitted")
        ]
    );
    let payload = &list[3].payload;
    assert_eq!(payload["gradingProgress"], "FullyGraded");
    assert_eq!(payload["scoreGiven"], json!(90.0));
    assert_eq!(payload["scoreMaximum"], json!(100.0));
    assert_eq!(payload["comment"], "Passed, 9 of 10 correct");
}

#[tokio::test]
async fn the_dispatcher_retries_after_backoff_then_records_the_delivery() {
    let fake = FakeLms::answering(vec![Outcome::Retry {
        status: Some(503),
        error: "the platform is down".into(),
        retry_after: None,
        answer: None,
    }]);
    let (app, platform) = lms_app(
        |c| {
            c.passback_poll_ms = 20;
            c.passback_backoff_base_secs = 0;
        },
        ags(&fake),
    )
    .await;
    lti_launch(&app, &platform).await;
    let m = until_first_is(&app, "delivered").await;
    assert_eq!(m.attempts, 2);
    assert_eq!(m.last_status, Some(200));
    assert_eq!(m.last_error, None);
    assert_eq!(m.sent_ts_us, Some(m.event_us));
    assert_eq!(fake.calls(), 2);
    let claimed = fake.calls.lock().unwrap()[1].clone();
    assert_eq!(claimed.attempts, 1);
    assert_eq!(claimed.payload["activityProgress"], "Initialized");
    assert_eq!(claimed.target.user_id, "user-1");
    let target = &targets(&app).await[0];
    assert_eq!(target.consecutive_failures, 0);
    assert_eq!(target.last_sent_ts_us, Some(m.event_us));
    assert_eq!(target.lease_owner, None);
    assert_eq!(target.lease_epoch, 2);
}

#[tokio::test]
async fn a_failed_delivery_keeps_the_answer_and_does_not_block_the_channel() {
    let fake = FakeLms::answering(vec![Outcome::Failed {
        status: Some(400),
        error: "the platform refused the score".into(),
        answer: Some("bad\u{0}score".into()),
    }]);
    let (app, platform) = lms_app(|c| c.passback_poll_ms = 20, ags(&fake)).await;
    lti_launch(&app, &platform).await;
    let m = until_first_is(&app, "failed").await;
    assert_eq!(m.last_status, Some(400));
    assert_eq!(m.last_answer.as_deref(), Some("badscore"));
    assert_eq!(
        m.last_error.as_deref(),
        Some("the platform refused the score")
    );
    let target = &targets(&app).await[0];
    assert_eq!(target.consecutive_failures, 0);
    assert_eq!(target.blocked_until_us, None);
    assert_eq!(target.lease_owner, None);
}

#[tokio::test]
async fn messages_past_their_age_fail_without_an_attempt() {
    let fake = FakeLms::answering(vec![]);
    let (app, platform) = lms_app(
        |c| {
            c.passback_poll_ms = 20;
            c.passback_max_age_secs = 0;
        },
        ags(&fake),
    )
    .await;
    lti_launch(&app, &platform).await;
    let m = until_first_is(&app, "failed").await;
    assert!(
        m.last_error
            .as_deref()
            .unwrap_or_default()
            .starts_with("gave up"),
        "{m:?}"
    );
    assert_eq!(fake.calls(), 0);
}

#[tokio::test]
async fn leases_are_fenced_and_backoff_gates_the_channel() {
    let (app, platform) = lms_app(no_dispatch, Deliverers::new()).await;
    lti_launch(&app, &platform).await;
    let db = &app.db;
    let lease = Duration::from_secs(60);
    let backoff = Backoff {
        base: Duration::from_secs(5),
        max: Duration::from_secs(3600),
    };
    let t0 = jiff::Timestamp::now().as_microsecond() + 2_000_000;
    let first = store::claim(db, "a", t0, lease, 8, &[Protocol::Ags])
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].epoch, 1);
    assert!(
        store::claim(db, "b", t0, lease, 8, &[Protocol::Ags])
            .await
            .unwrap()
            .is_empty(),
        "a leased target is not claimed twice"
    );
    assert!(
        store::claim(db, "b", t0 + 61_000_000, lease, 8, &[Protocol::Lti11])
            .await
            .unwrap()
            .is_empty(),
        "only protocols with a deliverer are claimed"
    );
    let second = store::claim(db, "b", t0 + 61_000_000, lease, 8, &[Protocol::Ags])
        .await
        .unwrap();
    assert_eq!(second.len(), 1, "an expired lease is taken over");
    assert_eq!(second[0].epoch, 2);

    let delivered = |ts| Outcome::Delivered {
        status: 200,
        sent_ts_us: Some(ts),
        lineitem_url: Some("https://lms.example.com/api/lineitems/8".into()),
        answer: None,
    };
    let late = store::finish(
        db,
        "a",
        t0 + 62_000_000,
        backoff,
        &[(first[0].clone(), delivered(1))],
    )
    .await
    .unwrap();
    assert_eq!(late, [Finished::LeaseLost]);
    let m = &messages(&app).await[0];
    assert_eq!(
        m.state, "delivered",
        "what happened is recorded on the message"
    );
    let target = &targets(&app).await[0];
    assert_eq!(
        target.lease_owner.as_deref(),
        Some("b"),
        "the target is left alone"
    );
    assert_eq!(target.last_sent_ts_us, None);
    let done = store::finish(
        db,
        "b",
        t0 + 62_000_000,
        backoff,
        &[(second[0].clone(), delivered(2))],
    )
    .await
    .unwrap();
    assert_eq!(done, [Finished::Delivered]);
    let target = &targets(&app).await[0];
    assert_eq!(target.lease_owner, None);
    assert_eq!(target.last_sent_ts_us, Some(2));
    assert_eq!(
        target.lineitem_url.as_deref(),
        Some("https://lms.example.com/api/lineitems/8")
    );

    // A retry blocks the channel for at least Retry-After.
    let t1 = t0 + 100_000_000;
    store::enqueue(
        &app.db.conn,
        target.id,
        json!({"x": 1}),
        t1,
        t1,
        t1 + 3_600_000_000,
    )
    .await
    .unwrap();
    let third = store::claim(db, "c", t1, lease, 8, &[Protocol::Ags])
        .await
        .unwrap();
    assert_eq!(third.len(), 1);
    let retry = Outcome::Retry {
        status: Some(429),
        error: "slow down".into(),
        retry_after: Some(Duration::from_secs(30)),
        answer: None,
    };
    let out = store::finish(db, "c", t1, backoff, &[(third[0].clone(), retry)])
        .await
        .unwrap();
    assert_eq!(out, [Finished::Retrying]);
    let target = &targets(&app).await[0];
    assert_eq!(target.consecutive_failures, 1);
    assert_eq!(target.blocked_until_us, Some(t1 + 30_000_000));
    assert!(
        store::claim(db, "c", t1 + 29_000_000, lease, 8, &[Protocol::Ags])
            .await
            .unwrap()
            .is_empty()
    );
    let again = store::claim(db, "c", t1 + 30_000_000, lease, 8, &[Protocol::Ags])
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].claimed.attempts, 1);
    assert_eq!(again[0].claimed.payload, json!({"x": 1}));
}

#[tokio::test]
async fn a_restarted_server_delivers_what_was_left_pending() {
    let (app, platform) = lms_app(no_dispatch, Deliverers::new()).await;
    lti_launch(&app, &platform).await;
    assert_eq!(messages(&app).await[0].state, "pending");
    let fake = FakeLms::answering(vec![]);
    let restarted = app
        .spawn_beside_with(
            |c| {
                c.passback_enabled = true;
                c.passback_poll_ms = 20;
            },
            ags(&fake),
        )
        .await;
    until_first_is(&restarted, "delivered").await;
    assert_eq!(fake.calls(), 1);
    restarted.passback.as_ref().unwrap().shutdown().await;
}
