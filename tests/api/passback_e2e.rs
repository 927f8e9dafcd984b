//! The whole passback chain with the production deliverers: an LMS launches a learner
//! into an AU, the AU sends its statements with the launch token as a real AU does,
//! and the LMS's own local servers receive the scores (LTI 1.3 AGS) or the
//! replaceResult (LTI 1.1), including after the LMS first answers 503.

use std::time::{Duration, Instant};

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::content::{POLICY_AU, param};
use crate::helpers::TestApp;
use crate::lti_platform::{TestPlatform, good_claims};
use crate::passback::{defined, lti_launch_with, passed};
use crate::passback_ags::{LINEITEM, SCORE, Seen, Shared, serve_platform};

const AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
const PROGRESS: &str = "https://w3id.org/xapi/cmi5/result/extensions/progress";

/// The app with the production deliverers, polling often and backing off for 1 s.
async fn delivering_app() -> TestApp {
    let app = TestApp::spawn_delivering(|c| {
        c.passback_poll_ms = 20;
        c.passback_backoff_base_secs = 1;
    })
    .await;
    app.import_course("all-employees").await;
    app
}

/// Waits (up to 20 s) until `done` holds for what the server saw.
pub async fn until<T>(what: &str, mut done: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = done() {
            return found;
        }
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An allowed statement (no cmi5 category, cmi5 §9.6.2.1).
pub fn allowed(launch: &Value, verb: &str, result: Value) -> Value {
    let mut s = defined(launch, verb, Some(result));
    s["context"]["contextActivities"]
        .as_object_mut()
        .unwrap()
        .remove("category");
    s
}

/// `completed`, in the moveOn category (cmi5 §9.6.2.2).
pub fn completed(launch: &Value) -> Value {
    let mut s = defined(
        launch,
        "completed",
        Some(json!({"completion": true, "duration": "PT9M"})),
    );
    s["context"]["contextActivities"]["category"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}));
    s
}

/// Runs the AU as a real one does: the fetch URL gives the token, LaunchData and the
/// learner preferences are read, then initialized, an answered question, progress,
/// completed and passed (9 of 10). Returns when `passed` was accepted.
/// `pace`: the platform whose score for each step (launch, initialized, progressed) is
/// awaited before the next statement, so each step reaches the platform on its own.
async fn run_au(app: &TestApp, launch: &Value, pace: Option<&Shared>) -> Instant {
    let step = async |expected: &str| {
        if let Some(state) = pace {
            until(&format!("an {expected} score"), || {
                scores(state)
                    .iter()
                    .any(|s| body(s)["activityProgress"] == expected)
                    .then_some(())
            })
            .await;
        }
    };
    step("Initialized").await;
    let token = app.token(launch).await;
    let state = app
        .client
        .get("/xapi/activities/state")
        .query("activityId", &param(launch, "activityId"))
        .query("agent", &param(launch, "actor"))
        .query("registration", &param(launch, "registration"))
        .query("stateId", &"LMS.LaunchData")
        .header("Authorization", &token)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    state.assert_status_is_ok();
    let statements = [
        defined(launch, "initialized", None),
        allowed(
            launch,
            "answered",
            json!({"success": true, "response": "b"}),
        ),
        allowed(launch, "progressed", json!({"extensions": {PROGRESS: 50}})),
        completed(launch),
    ];
    for (s, expected) in statements.iter().zip(["Started", "", "InProgress", ""]) {
        let response = app.post_as(s, &token, "1.0.3").await;
        let status = response.0.status();
        if status != StatusCode::OK {
            panic!(
                "{} got {status}: {}",
                s["verb"]["id"],
                response.0.into_body().into_string().await.unwrap()
            );
        }
        if !expected.is_empty() {
            step(expected).await;
        }
    }
    let response = app.post_as(&passed(launch), &token, "1.0.3").await;
    response.assert_status_is_ok();
    Instant::now()
}

/// The outbox's messages once the newest is delivered (or after 20 s, to show).
async fn delivered_messages(app: &TestApp) -> Vec<entities::passback_message::Model> {
    use sea_orm::{EntityTrait, QueryOrder};
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let messages = entities::passback_message::Entity::find()
            .order_by_asc(entities::passback_message::Column::Id)
            .all(&app.db.conn)
            .await
            .unwrap();
        if messages.last().is_some_and(|m| m.state == "delivered") || Instant::now() > deadline {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn scores(state: &Shared) -> Vec<Seen> {
    state
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.path.ends_with("/scores"))
        .cloned()
        .collect()
}

pub fn body(seen: &Seen) -> Value {
    serde_json::from_str(&seen.body).unwrap()
}

/// Waits until `n` FullyGraded scores arrived; how long that took from `passed`.
async fn until_graded(state: &Shared, since: Instant, n: usize) -> Duration {
    until("FullyGraded scores", || {
        let graded = scores(state)
            .iter()
            .filter(|s| body(s)["gradingProgress"] == "FullyGraded")
            .count();
        (graded >= n).then(|| since.elapsed())
    })
    .await
}

/// What every score the platform received must hold, and the last one's content.
fn assert_scores_are_well_formed(seen: &[Seen]) {
    assert!(!seen.is_empty());
    let mut last_ts: Option<jiff::Timestamp> = None;
    for s in seen {
        assert_eq!(
            s.content_type.as_deref(),
            Some("application/vnd.ims.lis.v1.score+json"),
            "{s:?}"
        );
        assert!(
            s.authorization
                .as_deref()
                .is_some_and(|a| a.starts_with("Bearer tok-")),
            "{s:?}"
        );
        let b = body(s);
        assert_eq!(b["userId"], "user-1");
        let ts: jiff::Timestamp = b["timestamp"].as_str().unwrap().parse().unwrap();
        if let Some(prev) = last_ts {
            assert!(ts > prev, "timestamps increase: {prev} then {ts}");
            assert!(
                ts.as_second() > prev.as_second(),
                "in different whole seconds: {prev} then {ts}"
            );
        }
        last_ts = Some(ts);
    }
    let progressions: Vec<(String, String)> = seen
        .iter()
        .map(|s| {
            let b = body(s);
            (
                b["activityProgress"].as_str().unwrap().to_owned(),
                b["gradingProgress"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let last = body(seen.last().unwrap());
    assert_eq!(
        (
            last["activityProgress"].as_str().unwrap(),
            last["gradingProgress"].as_str().unwrap()
        ),
        ("Completed", "FullyGraded"),
        "{progressions:?}"
    );
    assert_eq!(last["scoreGiven"], json!(90.0), "scaled 0.9 × 100");
    assert_eq!(last["scoreMaximum"], json!(100.0));
    let comment = last["comment"].as_str().unwrap();
    assert!(
        comment.starts_with("Passed") && comment.contains("9 of 10"),
        "{comment}"
    );
}

/// A platform with its local token, line item and score endpoints; an AGS claim built
/// by `ags(base)`.
async fn ags_launch(app: &TestApp, ags: impl FnOnce(&str) -> Value) -> (Shared, Value) {
    let (platform, state, claim) = ags_platform(app, ags).await;
    let launch = relaunch(app, &platform, &claim).await;
    (state, launch)
}

/// The registered platform, its local servers, and the AGS claim `ags(base)` made.
async fn ags_platform(
    app: &TestApp,
    ags: impl FnOnce(&str) -> Value,
) -> (TestPlatform, Shared, Value) {
    let platform = TestPlatform::register(app).await;
    let (state, base) = serve_platform(app, platform.platform_id).await;
    let claim = ags(&base);
    (platform, state, claim)
}

/// A launch of the policy AU's link with the AGS claim `claim`.
async fn relaunch(app: &TestApp, platform: &TestPlatform, claim: &Value) -> Value {
    lti_launch_with(app, platform, |nonce| {
        let mut claims = good_claims(nonce, POLICY_AU);
        claims[AGS] = claim.clone();
        claims
    })
    .await
}

#[tokio::test]
async fn an_lti13_learner_who_passes_gets_a_fully_graded_score_on_the_given_line_item() {
    let app = delivering_app().await;
    let (state, launch) = ags_launch(&app, |base| {
        json!({"scope": [SCORE, LINEITEM],
               "lineitem": format!("{base}/api/lineitems/9/lineitem?type_id=1")})
    })
    .await;
    let passed_at = run_au(&app, &launch, Some(&state)).await;
    let took = until_graded(&state, passed_at, 1).await;
    println!("LTI 1.3, lineitem given: passed → FullyGraded score in {took:?}");
    let seen = scores(&state);
    assert_scores_are_well_formed(&seen);
    let progress: Vec<(String, String)> = seen
        .iter()
        .map(|s| {
            let b = body(s);
            (
                b["activityProgress"].as_str().unwrap().to_owned(),
                b["gradingProgress"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    println!("scores the platform received: {progress:?}");
    let pairs: Vec<(&str, &str)> = progress
        .iter()
        .map(|(a, g)| (a.as_str(), g.as_str()))
        .collect();
    assert_eq!(
        pairs[..3],
        [
            ("Initialized", "NotReady"),
            ("Started", "NotReady"),
            ("InProgress", "NotReady")
        ],
        "{pairs:?}"
    );
    assert!(
        seen.iter()
            .all(|s| s.path == "/api/lineitems/9/lineitem/scores" && s.query == "type_id=1")
    );
    let others: Vec<Seen> = state
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.path == "/api/lineitems")
        .cloned()
        .collect();
    assert!(others.is_empty(), "no line item search: {others:?}");
}

#[tokio::test]
async fn an_lti13_learner_with_only_a_container_gets_one_created_line_item_and_a_score() {
    let app = delivering_app().await;
    let (state, launch) = ags_launch(&app, |base| {
        json!({"scope": [SCORE, LINEITEM],
               "lineitems": format!("{base}/api/lineitems?type_id=1")})
    })
    .await;
    let passed_at = run_au(&app, &launch, None).await;
    let took = until_graded(&state, passed_at, 1).await;
    println!("LTI 1.3, lineitems only: passed → FullyGraded score in {took:?}");
    let seen = scores(&state);
    assert_scores_are_well_formed(&seen);
    assert!(
        seen.iter()
            .all(|s| s.path == "/api/lineitems/9/lineitem/scores"),
        "{seen:?}"
    );
    let created: Vec<Value> = state
        .lock()
        .unwrap()
        .seen
        .iter()
        .filter(|s| s.path == "/api/lineitems" && s.method == "POST")
        .map(body)
        .collect();
    assert_eq!(created.len(), 1, "created once: {created:?}");
    assert_eq!(created[0]["tag"], "blackbelt");
    assert_eq!(created[0]["resourceId"], POLICY_AU);
    assert_eq!(created[0]["resourceLinkId"], "link-1");
    // The outbox remembers the created column for the next scores.
    delivered_messages(&app).await;
    let target = {
        use sea_orm::EntityTrait;
        entities::passback_target::Entity::find()
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(
        target
            .lineitem_url
            .as_deref()
            .is_some_and(|u| u.ends_with("/api/lineitems/9/lineitem?type_id=1")),
        "{target:?}"
    );
}

#[tokio::test]
async fn an_lti13_score_the_platform_first_refuses_with_503_arrives_after_the_retry() {
    let app = delivering_app().await;
    let (state, launch) = ags_launch(&app, |base| {
        json!({"scope": [SCORE, LINEITEM],
               "lineitem": format!("{base}/api/lineitems/9/lineitem?type_id=1")})
    })
    .await;
    // The FullyGraded score is refused once.
    state.lock().unwrap().refuse_first_graded = Some(503);
    let passed_at = run_au(&app, &launch, None).await;
    // The refused FullyGraded score, then the same again after the backoff.
    let took = until_graded(&state, passed_at, 2).await;
    println!("LTI 1.3 after a 503: passed → FullyGraded score in {took:?}");
    let mut seen = scores(&state);
    assert_eq!(
        state.lock().unwrap().refuse_first_graded,
        None,
        "the 503 was given"
    );
    let refused = seen.len() - 2;
    assert_eq!(
        body(&seen[refused]),
        body(&seen[refused + 1]),
        "the refused score is sent again as it was"
    );
    // What the platform accepted is well formed.
    seen.remove(refused);
    assert_scores_are_well_formed(&seen);
    // The outbox records the delivery once the platform has answered.
    let messages = delivered_messages(&app).await;
    let last = messages.last().unwrap();
    assert_eq!(last.state, "delivered", "{messages:?}");
    assert_eq!(last.payload["gradingProgress"], "FullyGraded");
    assert_eq!(last.attempts, 2, "{last:?}");
    assert_eq!(last.last_status, Some(200));
    assert!(
        messages[..messages.len() - 1]
            .iter()
            .all(|m| m.attempts == 0 || m.state == "delivered"),
        "{messages:?}"
    );
}

#[tokio::test]
async fn an_lti11_learner_who_passes_gets_replace_result_with_the_score() {
    let app = delivering_app().await;
    let (key, secret) = crate::lti11::consumer(&app).await;
    let consumer = crate::passback_lti11::serve_consumer(&secret).await;
    let base = consumer.lock().unwrap().base.clone();
    let outcome_url = format!("{base}/outcomes?course=1");
    let launch_url = "http://127.0.0.1:8420/lti/11/launch";
    let now = jiff::Timestamp::now().as_second();
    let form = crate::lti11::signed(
        launch_url,
        &key,
        &secret,
        "nonce-e2e",
        now,
        &[
            ("lis_outcome_service_url", &outcome_url),
            ("lis_result_sourcedid", "course-1|student-7|au"),
        ],
    );
    let response = app
        .client
        .post("/lti/11/launch")
        .content_type("application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await;
    if response.0.status() != StatusCode::FOUND {
        panic!("{}", response.0.into_body().into_string().await.unwrap());
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

    let passed_at = run_au(&app, &launch, None).await;
    let seen = until("replaceResult with a score", || {
        let c = consumer.lock().unwrap();
        c.seen
            .iter()
            .find(|s| s.body.contains("<textString>0.9</textString>"))
            .cloned()
    })
    .await;
    println!(
        "LTI 1.1: passed → replaceResult in {:?}",
        passed_at.elapsed()
    );
    assert_eq!(seen.content_type.as_deref(), Some("application/xml"));
    assert_eq!(seen.query, "course=1");
    assert!(seen.body.contains("replaceResultRequest"), "{}", seen.body);
    assert!(
        seen.body
            .contains("<sourcedId>course-1|student-7|au</sourcedId>"),
        "{}",
        seen.body
    );
    // The consumer verified the signature and body hash (it answers 401 otherwise),
    // and the outbox recorded the delivery.
    let delivered = delivered_messages(&app).await;
    assert!(
        delivered
            .iter()
            .any(|m| m.state == "delivered" && m.last_status == Some(200)),
        "{delivered:?}"
    );
    assert!(
        delivered.iter().all(|m| m.state != "failed"),
        "{delivered:?}"
    );
    assert_eq!(
        consumer.lock().unwrap().seen.len(),
        1,
        "one replaceResult: progress without a score has nothing to replace"
    );
}

#[tokio::test]
async fn an_lti13_relaunch_after_passing_never_sends_an_earlier_standing() {
    let app = delivering_app().await;
    let (platform, state, claim) = ags_platform(&app, |base| {
        json!({"scope": [SCORE, LINEITEM],
               "lineitem": format!("{base}/api/lineitems/9/lineitem?type_id=1")})
    })
    .await;
    let launch = relaunch(&app, &platform, &claim).await;
    let passed_at = run_au(&app, &launch, None).await;
    until_graded(&state, passed_at, 1).await;
    delivered_messages(&app).await;

    // The learner opens the link again and leaves: the platform keeps the grade.
    let again = relaunch(&app, &platform, &claim).await;
    app.token(&again).await;
    let messages = delivered_messages(&app).await;
    let seen = scores(&state);
    println!(
        "after the relaunch: {} messages, {} scores",
        messages.len(),
        seen.len()
    );
    assert_scores_are_well_formed(&seen);
}
