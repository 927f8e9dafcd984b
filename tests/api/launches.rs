//! Launches: registration, session, LaunchData, `launched`/`abandoned`, the fetch
//! URL, the auth token's narrow scope, cmi5 statement rules, progress and `satisfied`.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::content::{POLICY_AU, SURVEY_AU, launch_body, param};
use crate::helpers::{TestApp, json_of, uuid};

const CMI5: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const MOVEON: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";
const SESSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
const MASTERY: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";

fn verb(short: &str) -> String {
    format!("http://adlnet.gov/expapi/verbs/{short}")
}

/// A cmi5 defined statement as the runtime builds it from a launch.
fn au_statement(launch: &Value, short: &str, result: Option<Value>) -> Value {
    let actor: Value = serde_json::from_str(&param(launch, "actor")).unwrap();
    let mut categories = vec![json!({"id": CMI5})];
    if matches!(short, "passed" | "failed" | "completed") {
        categories.push(json!({"id": MOVEON}));
    }
    let mut s = json!({
        "id": uuid(),
        "actor": actor,
        "verb": {"id": verb(short)},
        "object": {"objectType": "Activity", "id": param(launch, "activityId")},
        "context": {
            "registration": param(launch, "registration"),
            "contextActivities": {"category": categories,
                "grouping": [{"id": POLICY_AU}]},
            "extensions": {SESSION: launch["sessionId"]},
        },
        "timestamp": "2026-11-23T10:00:00Z",
    });
    if let Some(result) = result {
        s["result"] = result;
    }
    // cmi5 §9.5.4.1: these carry a duration; §9.6.3.2: a scored judgement carries the
    // launch's masteryScore (0.8 for POLICY_AU).
    if matches!(short, "passed" | "failed" | "completed" | "terminated") {
        if s.get("result").is_none() {
            s["result"] = json!({});
        }
        s["result"]["duration"] = json!("PT1S");
    }
    if s.pointer("/result/score").is_some() {
        s["context"]["extensions"][MASTERY] = json!(0.8);
    }
    s
}

async fn send(app: &TestApp, token: &str, statement: &Value) -> poem::test::TestResponse {
    app.post_as(statement, token, "1.0.3").await
}

async fn verbs_of(app: &TestApp, registration: &str) -> Vec<String> {
    let body = json_of(
        app.get(&format!(
            "?registration={registration}&ascending=true&limit=0"
        ))
        .await,
    )
    .await;
    body["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["verb"]["id"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn launch_writes_launch_data_and_launched() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let registration = launch["registration"].as_str().unwrap();
    // cmi5 §8.1.5: the LMS's own activityId, not the publisher's.
    let activity_id = param(&launch, "activityId");
    assert_ne!(activity_id, POLICY_AU);
    assert!(activity_id.starts_with("urn:uuid:"), "{activity_id}");
    assert!(param(&launch, "endpoint").ends_with("/xapi"));
    let url = launch["launchUrl"].as_str().unwrap();
    assert!(url.contains("/content/all-employees-v1-"), "{url}");

    let state = app
        .client
        .get("/xapi/activities/state")
        .query("activityId", &activity_id)
        .query("agent", &param(&launch, "actor"))
        .query("registration", &registration)
        .query("stateId", &"LMS.LaunchData")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    state.assert_status_is_ok();
    let data = json_of(state).await;
    assert_eq!(data["launchMode"], "Normal");
    assert_eq!(data["moveOn"], "CompletedAndPassed");
    assert_eq!(data["masteryScore"], 0.8);
    assert_eq!(data["returnURL"], "https://lms.example.com/back");
    assert_eq!(
        data["contextTemplate"]["extensions"][SESSION],
        launch["sessionId"]
    );
    assert_eq!(
        data["contextTemplate"]["contextActivities"]["grouping"][0]["id"],
        POLICY_AU
    );

    assert_eq!(verbs_of(&app, registration).await, vec!["launched"]);
    let progress = app.progress(registration).await;
    assert_eq!(progress["status"], "not_started");
    assert_eq!(progress["aus"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn fetch_url_answers_once() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let first = app.fetch(&launch).await;
    assert!(first["auth-token"].is_string());
    let second = app.fetch(&launch).await;
    assert_eq!(second["error-code"], "1");
    let session = launch["sessionId"].as_str().unwrap();
    let wrong = app
        .client
        .post(format!("/api/launches/{session}/token?code=guess"))
        .send()
        .await;
    wrong.assert_status_is_ok();
    assert_eq!(json_of(wrong).await["error-code"], "2");
}

#[tokio::test]
async fn a_full_session_passes_completes_and_satisfies_the_au() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    let registration = launch["registration"].as_str().unwrap().to_owned();
    for (short, result) in [
        ("initialized", None),
        (
            "progressed",
            Some(
                json!({"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 50}}),
            ),
        ),
        (
            "passed",
            Some(json!({"success": true, "score": {"scaled": 0.9}})),
        ),
        ("completed", Some(json!({"completion": true}))),
        ("terminated", None),
    ] {
        let mut s = au_statement(&launch, short, result);
        if short == "progressed" {
            s["context"]["contextActivities"] = json!({});
        }
        let response = send(&app, &token, &s).await;
        assert_eq!(response.0.status(), StatusCode::OK, "{short}");
    }
    let verbs = verbs_of(&app, &registration).await;
    // No `satisfied`: cmi5 §9.3.9 issues it for blocks and courses, and two AUs are open.
    assert_eq!(
        verbs,
        [
            "launched",
            "initialized",
            "progressed",
            "passed",
            "completed",
            "terminated"
        ]
    );
    let progress = app.progress(&registration).await;
    let au = &progress["aus"][0];
    assert_eq!(au["auId"], POLICY_AU);
    assert_eq!(au["status"], "satisfied");
    assert_eq!(au["passed"], true);
    assert_eq!(au["completed"], true);
    assert_eq!(au["score"], 0.9);
    assert_eq!(au["progress"], 100);
    assert_eq!(progress["satisfied"], false, "two AUs to go");
    assert_eq!(progress["progress"], 33);
}

#[tokio::test]
async fn satisfying_the_only_au_satisfies_the_course() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    let launch = app.launch("bob", SURVEY_AU).await;
    let token = app.token(&launch).await;
    for short in ["initialized", "completed", "terminated"] {
        let result = (short == "completed").then(|| json!({"completion": true}));
        send(&app, &token, &au_statement(&launch, short, result))
            .await
            .assert_status_is_ok();
    }
    let registration = launch["registration"].as_str().unwrap();
    let body = json_of(
        app.get(&format!(
            "?registration={registration}&verb=https://w3id.org/xapi/adl/verbs/satisfied"
        ))
        .await,
    )
    .await;
    // cmi5 §9.3.9/§9.4: one satisfied, for the course, under the LMS's id, typed as a
    // course, with the publisher's course id as grouping (§9.6.2.3).
    let satisfied = body["statements"].as_array().unwrap();
    assert_eq!(satisfied.len(), 1, "{satisfied:?}");
    let course = &satisfied[0];
    let object_id = course["object"]["id"].as_str().unwrap();
    assert!(object_id.starts_with("urn:uuid:"), "{object_id}");
    assert_eq!(
        course["object"]["definition"]["type"],
        "https://w3id.org/xapi/cmi5/activitytype/course"
    );
    assert_eq!(
        course["context"]["contextActivities"]["grouping"],
        json!([{"objectType": "Activity", "id": "https://blackbelt.example/courses/readiness-survey"}])
    );
    assert_eq!(
        course["context"]["extensions"][SESSION], launch["sessionId"],
        "cmi5 §9.3.9: the session that triggered it"
    );
    let progress = app.progress(registration).await;
    assert_eq!(progress["status"], "satisfied");
    assert_eq!(progress["progress"], 100);
}

#[tokio::test]
async fn cmi5_rules_refuse_out_of_order_statements() {
    let app = TestApp::spawn_with(|c| c.terminated_grace_secs = 0).await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    // cmi5 §4.2 (LMS test suite 4.2.0.0-2): a statement breaking a cmi5 rule gets 403.
    let refused = |response: poem::test::TestResponse, needle: &'static str| async move {
        response.assert_status(StatusCode::FORBIDDEN);
        let message = json_of(response).await["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    };
    let done = au_statement(&launch, "completed", Some(json!({"completion": true})));
    refused(send(&app, &token, &done).await, "initialized").await;
    send(&app, &token, &au_statement(&launch, "initialized", None))
        .await
        .assert_status_is_ok();
    let low = au_statement(
        &launch,
        "passed",
        Some(json!({"success": true, "score": {"scaled": 0.5}})),
    );
    refused(send(&app, &token, &low).await, "mastery").await;
    let pass = au_statement(
        &launch,
        "passed",
        Some(json!({"success": true, "score": {"scaled": 0.8}})),
    );
    send(&app, &token, &pass).await.assert_status_is_ok();
    // A resend of a stored statement is still fine (network retries).
    send(&app, &token, &pass).await.assert_status_is_ok();
    let fail = au_statement(
        &launch,
        "failed",
        Some(json!({"success": false, "score": {"scaled": 0.1}})),
    );
    refused(send(&app, &token, &fail).await, "passed").await;
    send(&app, &token, &au_statement(&launch, "terminated", None))
        .await
        .assert_status_is_ok();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let late = au_statement(&launch, "completed", Some(json!({"completion": true})));
    refused(send(&app, &token, &late).await, "terminated").await;

    // A new session of the same registration: passed again is refused.
    let again = app.launch("ada", POLICY_AU).await;
    assert_eq!(again["registration"], launch["registration"]);
    let token = app.token(&again).await;
    send(&app, &token, &au_statement(&again, "initialized", None))
        .await
        .assert_status_is_ok();
    let pass = au_statement(
        &again,
        "passed",
        Some(json!({"success": true, "score": {"scaled": 0.9}})),
    );
    refused(send(&app, &token, &pass).await, "already").await;
}

#[tokio::test]
async fn browse_mode_refuses_judgements() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let mut body = launch_body("cy", POLICY_AU);
    body["launchMode"] = json!("Browse");
    let launch = json_of(app.launch_raw(&body).await).await;
    let token = app.token(&launch).await;
    send(&app, &token, &au_statement(&launch, "initialized", None))
        .await
        .assert_status_is_ok();
    let done = au_statement(&launch, "completed", Some(json!({"completion": true})));
    let response = send(&app, &token, &done).await;
    response.assert_status(StatusCode::FORBIDDEN);
    let message = json_of(response).await["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("Browse mode"), "{message}");
}

#[tokio::test]
async fn relaunch_abandons_the_open_session_and_its_token() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let first = app.launch("ada", POLICY_AU).await;
    let old_token = app.token(&first).await;
    send(&app, &old_token, &au_statement(&first, "initialized", None))
        .await
        .assert_status_is_ok();
    let second = app.launch("ada", POLICY_AU).await;
    assert_eq!(second["registration"], first["registration"]);
    assert_ne!(second["sessionId"], first["sessionId"]);
    let registration = first["registration"].as_str().unwrap();
    assert_eq!(
        verbs_of(&app, registration).await,
        ["launched", "initialized", "abandoned", "launched"]
    );
    // An abandoned session's token: 403 and no Basic challenge (no browser login dialog).
    let response = send(&app, &old_token, &au_statement(&first, "terminated", None)).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert!(response.0.headers().get("WWW-Authenticate").is_none());
}

#[tokio::test]
async fn the_token_acts_only_for_its_learner_and_registration() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    send(&app, &token, &au_statement(&launch, "initialized", None))
        .await
        .assert_status_is_ok();

    // An empty batch is no statement at all: nothing to refuse.
    send(&app, &token, &json!([])).await.assert_status_is_ok();

    let mut other_actor = au_statement(&launch, "progressed", None);
    other_actor["actor"] = json!({"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": "mallory"}});
    send(&app, &token, &other_actor)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let mut other_registration = au_statement(&launch, "progressed", None);
    other_registration["context"]["registration"] = json!(uuid());
    send(&app, &token, &other_registration)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let mut voiding = au_statement(&launch, "voided", None);
    voiding["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/voided");
    voiding["object"] = json!({"objectType": "StatementRef", "id": uuid()});
    voiding["context"] = json!({"registration": param(&launch, "registration")});
    send(&app, &token, &voiding)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // Reads: the learner's statements only.
    let stranger = crate::helpers::statement(7);
    app.post(&stranger).await.assert_status_is_ok();
    let mine = json_of(app.get_as("?limit=0", &token).await).await;
    let statements = mine["statements"].as_array().unwrap();
    assert!(!statements.is_empty());
    let ada_key = param(&launch, "actor");
    let ada: Value = serde_json::from_str(&ada_key).unwrap();
    assert!(
        statements
            .iter()
            .all(|s| s["actor"]["account"] == ada["account"])
    );
    let stranger_id = json_of(app.get("?limit=1").await).await["statements"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get_as(&format!("?statementId={stranger_id}"), &token)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Documents: the learner's State, never LMS.LaunchData, never another agent's.
    let state = |agent: String, state_id: &'static str| {
        app.client
            .put("/xapi/activities/state")
            .query("activityId", &POLICY_AU)
            .query("agent", &agent)
            .query("registration", &param(&launch, "registration"))
            .query("stateId", &state_id)
            .header("Authorization", &token)
            .header("X-Experience-API-Version", "1.0.3")
            .content_type("application/json")
            .body("{\"done\": false}")
            .send()
    };
    state(
        ada_key.clone(),
        "https://blackbelt.example/xapi/state/au-status",
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    state(ada_key.clone(), "LMS.LaunchData")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let mallory = json!({"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": "mallory"}});
    state(mallory.to_string(), "x")
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // Nothing else: admin API, definitions.
    for path in [
        "/api/courses",
        "/xapi/activities?activityId=https://x.example/a",
    ] {
        let response = app
            .client
            .get(path)
            .header("Authorization", &token)
            .header("X-Experience-API-Version", "1.0.3")
            .send()
            .await;
        response.assert_status(StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn bad_launch_requests_are_refused_with_the_field() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let mut body = launch_body("ada", POLICY_AU);
    body["learner"]["account"]["homePage"] = json!("not a url");
    let response = app.launch_raw(&body).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(
        json_of(response).await["message"]
            .as_str()
            .unwrap()
            .contains("learner.account.homePage")
    );

    let response = app
        .launch_raw(&launch_body("ada", "https://x.example/no-such-au"))
        .await;
    response.assert_status(StatusCode::NOT_FOUND);

    let mut body = launch_body("ada", POLICY_AU);
    body["returnUrl"] = json!("javascript:alert(1)");
    app.launch_raw(&body)
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    let writer = app.credential("all").await;
    let response = app
        .client
        .post("/api/launches")
        .header("Authorization", &writer)
        .content_type("application/json")
        .body(launch_body("ada", POLICY_AU).to_string())
        .send()
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    // Nothing was written by the refused requests.
    let all = json_of(app.get("?limit=0").await).await;
    assert_eq!(all["statements"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn registrations_keep_the_version_they_started() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let first = app.launch("ada", POLICY_AU).await;
    assert_eq!(first["packageVersion"], 1);
    let changed = crate::content::course_zip("all-employees", |name, bytes| {
        if name == "policy-essentials.html" {
            [bytes, b"<!-- v2 -->".to_vec()].concat()
        } else {
            bytes
        }
    });
    app.upload(changed).await.assert_status(StatusCode::CREATED);
    let relaunch = app.launch("ada", POLICY_AU).await;
    assert_eq!(relaunch["packageVersion"], 1);
    assert_eq!(relaunch["registration"], first["registration"]);
    let newcomer = app.launch("eve", POLICY_AU).await;
    assert_eq!(newcomer["packageVersion"], 2);
}

#[tokio::test]
async fn an_expired_launch_gives_no_token() {
    let app = TestApp::spawn_with(|c| c.launch_token_ttl_secs = 0).await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let answer = app.fetch(&launch).await;
    assert_eq!(answer["error-code"], "1", "{answer}");
    assert!(answer.get("auth-token").is_none());
}

#[tokio::test]
async fn a_launch_token_reads_by_id_exactly_what_its_queries_list() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    send(&app, &token, &au_statement(&launch, "initialized", None))
        .await
        .assert_status_is_ok();
    // Bob's statement in which Ada is only the object, and one about nobody she is.
    let ada: Value = serde_json::from_str(&param(&launch, "actor")).unwrap();
    let mut about_ada = crate::helpers::statement(8);
    about_ada["object"] = ada;
    let about_ada_id = json_of(app.post(&about_ada).await).await[0]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger_id = json_of(app.post(&crate::helpers::statement(9)).await).await[0]
        .as_str()
        .unwrap()
        .to_owned();

    let listed = json_of(app.get_as("?limit=0", &token).await).await;
    let listed: Vec<String> = listed["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(listed.contains(&about_ada_id), "{listed:?}");
    assert!(!listed.contains(&stranger_id), "{listed:?}");
    for id in &listed {
        app.get_as(&format!("?statementId={id}"), &token)
            .await
            .assert_status_is_ok();
    }
    app.get_as(&format!("?statementId={stranger_id}"), &token)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_launch_token_is_refused_a_foreign_statement_the_same_whether_its_id_exists() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    send(&app, &token, &au_statement(&launch, "initialized", None))
        .await
        .assert_status_is_ok();
    let stranger = crate::helpers::statement(9);
    let taken = json_of(app.post(&stranger).await).await[0]
        .as_str()
        .unwrap()
        .to_owned();
    let put = |id: String| {
        app.client
            .put("/xapi/statements")
            .query("statementId", &id)
            .header("Authorization", &token)
            .header("X-Experience-API-Version", "1.0.3")
            .content_type("application/json")
            .body(stranger.to_string())
            .send()
    };
    let existing = put(taken).await;
    existing.assert_status(StatusCode::FORBIDDEN);
    let existing = json_of(existing).await;
    let fresh = put(uuid()).await;
    fresh.assert_status(StatusCode::FORBIDDEN);
    let fresh = json_of(fresh).await;
    assert_eq!(existing["error"], fresh["error"]);
    assert!(
        existing["message"].as_str().unwrap().contains("actor"),
        "{existing}"
    );
}
