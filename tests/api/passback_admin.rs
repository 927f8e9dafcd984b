//! Passback operations: the admin API lists messages by state with the platform's
//! answer, retries failed ones (forgetting a found line item that answered 404), and the
//! metrics show deliveries.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blackbelt::passback::delivery::{Claimed, Deliver, Outcome, Protocol};
use blackbelt::passback::dispatch::Deliverers;
use entities::{passback_message, passback_target};
use futures_util::future::BoxFuture;
use poem::http::StatusCode;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::content::POLICY_AU;
use crate::helpers::{TestApp, json_of};
use crate::lti_platform::{TestPlatform, good_claims};
use crate::passback::{defined, lti_launch_with};
use crate::passback_ags::{LINEITEM, SCORE, Shared, serve_platform};

const AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";

/// Answers from a script, then 200.
#[derive(Default)]
struct Scripted {
    calls: Mutex<usize>,
    script: Mutex<VecDeque<Outcome>>,
}

impl Deliver for Scripted {
    fn deliver<'a>(&'a self, claimed: &'a Claimed) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            *self.calls.lock().unwrap() += 1;
            self.script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Outcome::Delivered {
                    status: 200,
                    sent_ts_us: Some(claimed.event_us),
                    lineitem_url: None,
                    answer: Some("ok".into()),
                })
        })
    }
}

fn refused(answer: &str) -> Outcome {
    Outcome::Failed {
        status: Some(400),
        error: "the platform refused the score".into(),
        answer: Some(answer.into()),
    }
}

/// An app delivering AGS through `script`, polling often, with the course imported and
/// a platform registered.
async fn app_with(script: Vec<Outcome>) -> (TestApp, TestPlatform, Arc<Scripted>) {
    let fake = Arc::new(Scripted {
        calls: Mutex::default(),
        script: Mutex::new(script.into()),
    });
    let mut deliverers = Deliverers::new();
    deliverers.insert(Protocol::Ags, fake.clone() as Arc<dyn Deliver>);
    let app = TestApp::spawn_with_deliverers(
        |c| {
            c.passback_poll_ms = 20;
            c.passback_backoff_base_secs = 0;
        },
        deliverers,
    )
    .await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    (app, platform, fake)
}

pub async fn launch(app: &TestApp, platform: &TestPlatform) -> Value {
    lti_launch_with(app, platform, |nonce| good_claims(nonce, POLICY_AU)).await
}

async fn get(app: &TestApp, uri: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .get(uri)
        .header("Authorization", &app.auth)
        .send()
        .await;
    let status = response.0.status();
    (status, json_of(response).await)
}

async fn retry(app: &TestApp, id: i64) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("/api/passback/{id}/retry"))
        .header("Authorization", &app.auth)
        .send()
        .await;
    let status = response.0.status();
    (status, json_of(response).await)
}

/// Waits (up to 20 s) until message `id` is in `state`; returns it as the API shows it.
async fn until_state(app: &TestApp, id: i64, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, m) = get(app, &format!("/api/passback/{id}")).await;
        if m["state"] == state {
            return m;
        }
        assert!(Instant::now() < deadline, "never {state}: {m}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub async fn first_id(app: &TestApp) -> i64 {
    passback_message::Entity::find()
        .order_by_asc(passback_message::Column::Id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn failed_messages_are_listed_by_state_with_the_platforms_answer() {
    let long = format!("unknown userId {}", "é".repeat(3000));
    let (app, platform, _) = app_with(vec![refused(&long)]).await;
    launch(&app, &platform).await;
    let id = first_id(&app).await;
    until_state(&app, id, "failed").await;

    let (status, page) = get(&app, "/api/passback?state=failed").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let list = page["messages"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{page}");
    let m = &list[0];
    assert_eq!(m["id"], id);
    assert_eq!(m["protocol"], "ags");
    assert_eq!(m["source"], format!("platform:{}", platform.platform_id));
    assert_eq!(m["userId"], "user-1");
    assert_eq!(m["auId"], POLICY_AU);
    assert_eq!(
        m["lineitemUrl"],
        "https://lms.example.com/api/lineitems/7?type=x"
    );
    assert_eq!(m["payload"]["activityProgress"], "Initialized");
    assert_eq!(m["attempts"], 1);
    assert_eq!(m["lastStatus"], 400);
    assert_eq!(m["lastError"], "the platform refused the score");
    let answer = m["lastAnswer"].as_str().unwrap();
    assert!(answer.starts_with("unknown userId é"), "{answer}");
    assert!(
        answer.len() <= 2048 && answer.len() > 2000,
        "{}",
        answer.len()
    );
    for field in ["createdAt", "dueAt", "lastAttemptAt", "failedAt"] {
        let at = m[field].as_str().unwrap_or_default();
        assert!(at.parse::<jiff::Timestamp>().is_ok(), "{field}: {at:?}");
    }
    assert_eq!(page["more"], Value::Null);

    for (state, n) in [("pending", 0), ("delivered", 0), ("superseded", 0)] {
        let (_, page) = get(&app, &format!("/api/passback?state={state}")).await;
        assert_eq!(page["messages"].as_array().unwrap().len(), n, "{state}");
    }
    let (_, one) = get(&app, &format!("/api/passback/{id}")).await;
    assert_eq!(&one, m);
}

#[tokio::test]
async fn the_list_is_newest_first_and_paged_with_more() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    for _ in 0..3 {
        launch(&app, &platform).await;
    }
    let (_, page) = get(&app, "/api/passback?limit=2").await;
    let ids: Vec<i64> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] > ids[1]);
    assert_eq!(page["messages"][0]["state"], "pending");
    assert_eq!(page["messages"][1]["state"], "superseded");
    assert_eq!(page["more"], ids[1]);
    let (_, rest) = get(&app, &format!("/api/passback?limit=2&after={}", ids[1])).await;
    assert_eq!(rest["messages"].as_array().unwrap().len(), 1);
    assert!(rest["messages"][0]["id"].as_i64().unwrap() < ids[1]);
    assert_eq!(rest["more"], Value::Null);
}

#[tokio::test]
async fn an_unknown_state_or_limit_is_refused_with_400_naming_it() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    let (status, body) = get(&app, "/api/passback?state=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "bad_request");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("`state`"), "{message}");
    assert!(
        message.contains("pending, failed, delivered, superseded"),
        "{message}"
    );
    let (status, body) = get(&app, "/api/passback?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("`limit`"),
        "{body}"
    );
}

#[tokio::test]
async fn a_retried_failed_message_is_delivered_keeping_its_attempts() {
    let (app, platform, fake) = app_with(vec![refused("no such user")]).await;
    launch(&app, &platform).await;
    let id = first_id(&app).await;
    let failed = until_state(&app, id, "failed").await;
    let (status, retried) = retry(&app, id).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert!(
        ["pending", "delivered"].contains(&retried["state"].as_str().unwrap()),
        "{retried}"
    );
    let expires: jiff::Timestamp = retried["expiresAt"].as_str().unwrap().parse().unwrap();
    let before: jiff::Timestamp = failed["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!(expires > before, "the age limit counts afresh");
    let delivered = until_state(&app, id, "delivered").await;
    assert_eq!(delivered["attempts"], 2);
    assert_eq!(delivered["lastStatus"], 200);
    assert_eq!(delivered["lastError"], Value::Null);
    assert_eq!(delivered["lastAnswer"], "ok");
    assert_eq!(*fake.calls.lock().unwrap(), 2);
    // Delivered now: a second retry is refused.
    let (status, body) = retry(&app, id).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "not_failed");
}

#[tokio::test]
async fn retrying_an_older_failed_message_after_a_newer_delivery_supersedes_it() {
    let (app, platform, _) = app_with(vec![refused("later")]).await;
    let launched = launch(&app, &platform).await;
    let id = first_id(&app).await;
    until_state(&app, id, "failed").await;
    let token = app.token(&launched).await;
    app.post_as(&defined(&launched, "initialized", None), &token, "1.0.3")
        .await
        .assert_status_is_ok();
    let (_, page) = get(&app, "/api/passback?state=pending").await;
    let newer = page["messages"][0]["id"].as_i64().unwrap();
    until_state(&app, newer, "delivered").await;
    let (status, body) = retry(&app, id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["state"], "superseded",
        "never sent over a newer standing"
    );
}

#[tokio::test]
async fn retry_answers_409_unless_failed_and_404_for_an_unknown_message() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    launch(&app, &platform).await;
    let id = first_id(&app).await;
    let (status, body) = retry(&app, id).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "not_failed");
    assert!(
        body["message"].as_str().unwrap().contains("pending"),
        "{body}"
    );
    let (_, m) = get(&app, &format!("/api/passback/{id}")).await;
    assert_eq!(m["state"], "pending", "nothing changed");
    for (status, body) in [
        retry(&app, 987_654).await,
        get(&app, "/api/passback/987654").await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"], "passback_not_found");
    }
}

/// The production deliverers against a local platform whose scores endpoint answers
/// `statuses` first; a launch whose AGS claim is `claim(base)`.
async fn ags_app(statuses: &[u16], claim: impl FnOnce(&str) -> Value) -> (TestApp, Shared, Value) {
    let app = TestApp::spawn_delivering(|c| {
        c.passback_poll_ms = 20;
        c.passback_backoff_base_secs = 0;
    })
    .await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    let (state, base) = serve_platform(&app, platform.platform_id).await;
    state.lock().unwrap().script = statuses.iter().map(|s| (*s, None)).collect();
    let claim = claim(&base);
    let launched = lti_launch_with(&app, &platform, |nonce| {
        let mut claims = good_claims(nonce, POLICY_AU);
        claims[AGS] = claim;
        claims
    })
    .await;
    (app, state, launched)
}

pub async fn target(app: &TestApp) -> passback_target::Model {
    passback_target::Entity::find()
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
}

fn created_items(state: &Shared) -> usize {
    state
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.path == "/api/lineitems" && s.method == "POST")
        .count()
}

#[tokio::test]
async fn a_retry_after_404_forgets_the_created_line_item_and_creates_it_again() {
    let (app, state, launched) = ags_app(&[], |base| {
        json!({"scope": [SCORE, LINEITEM], "lineitems": format!("{base}/api/lineitems?type_id=1")})
    })
    .await;
    let first = first_id(&app).await;
    until_state(&app, first, "delivered").await;
    assert_eq!(created_items(&state), 1);
    let t = target(&app).await;
    assert_eq!(t.lineitem_origin.as_deref(), Some("found"));
    let item = t.lineitem_url.clone().unwrap();

    // The teacher deletes the column: the next score gets 404 and fails.
    state.lock().unwrap().script = [(404, None)].into_iter().collect();
    let token = app.token(&launched).await;
    app.post_as(&defined(&launched, "initialized", None), &token, "1.0.3")
        .await
        .assert_status_is_ok();
    let (_, page) = get(&app, "/api/passback?state=pending").await;
    let id = page["messages"][0]["id"].as_i64().unwrap();
    let failed = until_state(&app, id, "failed").await;
    assert_eq!(failed["lastStatus"], 404);
    assert_eq!(target(&app).await.lineitem_url.as_deref(), Some(&*item));

    let (status, retried) = retry(&app, id).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    let delivered = until_state(&app, id, "delivered").await;
    assert_eq!(delivered["attempts"], 2);
    assert_eq!(created_items(&state), 2, "found or created again");
    let t = target(&app).await;
    assert_eq!(t.lineitem_url.as_deref(), Some(&*item));
    assert_eq!(t.lineitem_origin.as_deref(), Some("found"));
}

#[tokio::test]
async fn a_retry_after_404_keeps_the_line_item_the_launch_named() {
    // The launch's Initialized is the first score: it gets the 404.
    let (app, state, _) = ags_app(&[404], |base| {
        json!({"scope": [SCORE, LINEITEM],
               "lineitem": format!("{base}/api/lineitems/9/lineitem?type_id=1"),
               "lineitems": format!("{base}/api/lineitems?type_id=1")})
    })
    .await;
    let id = first_id(&app).await;
    until_state(&app, id, "failed").await;
    let (status, _) = retry(&app, id).await;
    assert_eq!(status, StatusCode::OK);
    let t = target(&app).await;
    assert_eq!(t.lineitem_origin.as_deref(), Some("claim"));
    assert!(t.lineitem_url.is_some(), "the claim's line item is kept");
    until_state(&app, id, "delivered").await;
    assert_eq!(created_items(&state), 0);
}

#[tokio::test]
async fn metrics_show_the_passback_series_after_a_delivery() {
    let (app, platform, _) = app_with(vec![Outcome::Retry {
        status: Some(503),
        error: "down".into(),
        retry_after: None,
        answer: None,
    }])
    .await;
    launch(&app, &platform).await;
    let id = first_id(&app).await;
    until_state(&app, id, "delivered").await;
    let response = app.client.get("/metrics").send().await;
    response.assert_status_is_ok();
    let text = response.0.into_body().into_string().await.unwrap();
    for series in [
        r#"passback_deliveries_total{protocol="ags",outcome="delivered"}"#,
        r#"passback_deliveries_total{protocol="ags",outcome="retry"}"#,
        r#"passback_retries_total{protocol="ags",reason="server_error"}"#,
        r#"passback_delivery_seconds_bucket{protocol="ags",le="0.01"}"#,
        r#"passback_lag_seconds_bucket{protocol="ags",le="1"}"#,
        r#"passback_messages{state="failed"}"#,
        r#"passback_messages{state="pending"}"#,
    ] {
        assert!(text.contains(series), "{series} missing from:\n{text}");
    }
}
