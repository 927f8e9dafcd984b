//! The cmi5 runtime as ADL's CATAPULT LMS test suite checks it: LMS-generated activity
//! ids (cmi5 §8.1.5, §9.4), `satisfied` for blocks and courses (§9.3.9, §9.6.2.3),
//! moveOn at registration (§9.6.1), 403 for rule-breaking statements (§4.2), dead
//! tokens without a Basic challenge, waive (§9.3.7), abandon (§9.3.6), and a chosen
//! registration in `POST /api/launches`.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::content::{POLICY_AU, launch_body, param, zip_of};
use crate::helpers::{TestApp, json_of, uuid};

const CMI5: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const MOVEON: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";
const SESSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
const REASON: &str = "https://w3id.org/xapi/cmi5/result/extensions/reason";
const BLOCK_TYPE: &str = "https://w3id.org/xapi/cmi5/activitytype/block";
const COURSE_TYPE: &str = "https://w3id.org/xapi/cmi5/activitytype/course";

const COURSE: &str = "https://t.example/course/blocks";
const BLOCK: &str = "https://t.example/block/1";
const AU_DONE: &str = "https://t.example/au/done";
const AU_NA: &str = "https://t.example/au/na";
const AU_LATER: &str = "https://t.example/au/later";

fn au_xml(id: &str, move_on: &str) -> String {
    format!(
        r#"<au id="{id}" moveOn="{move_on}"><title><langstring lang="en">{id}</langstring></title>
        <description><langstring lang="en">d</langstring></description><url>index.html</url></au>"#
    )
}

/// A course: a block holding `block_aus`, then `top_aus` outside it.
fn course_zip(course: &str, block_aus: &[(&str, &str)], top_aus: &[(&str, &str)]) -> Vec<u8> {
    let inner: String = block_aus.iter().map(|(id, m)| au_xml(id, m)).collect();
    let top: String = top_aus.iter().map(|(id, m)| au_xml(id, m)).collect();
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="{course}"><title><langstring lang="en">T</langstring></title>
    <description><langstring lang="en">D</langstring></description></course>
  <block id="{BLOCK}"><title><langstring lang="en">B</langstring></title>
    <description><langstring lang="en">D</langstring></description>{inner}</block>
  {top}
</courseStructure>"#
    );
    zip_of(&[
        ("cmi5.xml", xml.as_bytes()),
        ("index.html", b"<html></html>".as_slice()),
    ])
}

async fn import(app: &TestApp, zip: Vec<u8>) {
    app.upload(zip).await.assert_status(StatusCode::CREATED);
}

async fn statements_of(app: &TestApp, registration: &str) -> Vec<Value> {
    let body = json_of(
        app.get(&format!(
            "?registration={registration}&ascending=true&limit=0"
        ))
        .await,
    )
    .await;
    body["statements"].as_array().unwrap().clone()
}

fn short(statement: &Value) -> &str {
    statement["verb"]["id"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
}

fn grouping(statement: &Value) -> Vec<&str> {
    statement["context"]["contextActivities"]["grouping"]
        .as_array()
        .map(|list| list.iter().filter_map(|a| a["id"].as_str()).collect())
        .unwrap_or_default()
}

fn has_category(statement: &Value, id: &str) -> bool {
    statement["context"]["contextActivities"]["category"]
        .as_array()
        .is_some_and(|list| list.iter().any(|a| a["id"] == id))
}

/// A well-formed cmi5 defined statement from a launch.
pub fn defined(launch: &Value, verb: &str, result: Option<Value>) -> Value {
    let actor: Value = serde_json::from_str(&param(launch, "actor")).unwrap();
    let mut categories = vec![json!({"id": CMI5})];
    if result
        .as_ref()
        .is_some_and(|r| r.get("success").is_some() || r.get("completion").is_some())
    {
        categories.push(json!({"id": MOVEON}));
    }
    let mut s = json!({
        "id": uuid(),
        "timestamp": "2026-11-29T10:00:00.000Z",
        "actor": actor,
        "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}")},
        "object": {"id": param(launch, "activityId")},
        "context": {
            "registration": launch["registration"],
            "contextActivities": {"category": categories},
            "extensions": {SESSION: launch["sessionId"]},
        },
    });
    if let Some(result) = result {
        s["result"] = result;
    }
    s
}

async fn send(app: &TestApp, token: &str, statement: &Value) -> poem::test::TestResponse {
    app.post_as(statement, token, "1.0.3").await
}

async fn admin_post(app: &TestApp, path: &str, body: &Value) -> poem::test::TestResponse {
    app.client
        .post(path)
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(body.to_string())
        .send()
        .await
}

#[tokio::test]
async fn the_activity_id_is_the_lms_s_own_and_stable_across_launches_learners_and_versions() {
    let app = TestApp::spawn().await;
    import(&app, course_zip(COURSE, &[(AU_DONE, "Completed")], &[])).await;
    let first = app.launch("ada", AU_DONE).await;
    let activity_id = param(&first, "activityId");
    // cmi5 §8.1.5: generated by the LMS, not the publisher's id.
    assert_ne!(activity_id, AU_DONE);
    assert!(activity_id.starts_with("urn:uuid:"), "{activity_id}");
    let again = app.launch("ada", AU_DONE).await;
    assert_eq!(again["registration"], first["registration"]);
    assert_eq!(
        param(&again, "activityId"),
        activity_id,
        "same registration"
    );
    assert_eq!(
        param(&app.launch("bob", AU_DONE).await, "activityId"),
        activity_id
    );
    // A new version of the course (its id unchanged) keeps the AU's activityId.
    let v2 = course_zip(
        COURSE,
        &[(AU_DONE, "Completed")],
        &[(AU_LATER, "Completed")],
    );
    import(&app, v2).await;
    let newcomer = app.launch("eve", AU_DONE).await;
    assert_eq!(newcomer["packageVersion"], 2);
    assert_eq!(param(&newcomer, "activityId"), activity_id);
    // The API keeps speaking publisher ids.
    assert_eq!(newcomer["auId"], AU_DONE);
    let progress = app
        .progress(newcomer["registration"].as_str().unwrap())
        .await;
    assert_eq!(progress["aus"][0]["auId"], AU_DONE);

    // `launched`: the generated id as object, the publisher id as grouping (§9.6.2.3).
    let registration = first["registration"].as_str().unwrap();
    let launched = &statements_of(&app, registration).await[0];
    assert_eq!(short(launched), "launched");
    assert_eq!(launched["object"]["id"], activity_id.as_str());
    assert_eq!(grouping(launched), [AU_DONE]);
}

#[tokio::test]
async fn block_and_course_satisfied_use_generated_ids_and_publisher_grouping() {
    let app = TestApp::spawn().await;
    import(&app, course_zip(COURSE, &[(AU_DONE, "Completed")], &[])).await;
    let launch = app.launch("ada", AU_DONE).await;
    let token = app.token(&launch).await;
    for (verb, result) in [
        ("initialized", None),
        (
            "completed",
            Some(json!({"completion": true, "duration": "PT1S"})),
        ),
        ("terminated", Some(json!({"duration": "PT2S"}))),
    ] {
        let response = send(&app, &token, &defined(&launch, verb, result)).await;
        assert_eq!(response.0.status(), StatusCode::OK, "{verb}");
    }
    let registration = launch["registration"].as_str().unwrap();
    let all = statements_of(&app, registration).await;
    let verbs: Vec<&str> = all.iter().map(short).collect();
    assert_eq!(
        verbs,
        [
            "launched",
            "initialized",
            "completed",
            "satisfied",
            "satisfied",
            "terminated"
        ]
    );
    let (block, course) = (&all[3], &all[4]);
    for (statement, ty, publisher) in [(block, BLOCK_TYPE, BLOCK), (course, COURSE_TYPE, COURSE)] {
        let id = statement["object"]["id"].as_str().unwrap();
        assert_ne!(id, publisher, "cmi5 §9.4: not the publisher's id");
        assert!(id.starts_with("urn:uuid:"), "{id}");
        assert_eq!(statement["object"]["definition"]["type"], ty);
        assert_eq!(grouping(statement), [publisher], "cmi5 §9.6.2.3");
        assert_eq!(
            statement["context"]["extensions"][SESSION],
            launch["sessionId"]
        );
        assert!(has_category(statement, CMI5));
        assert!(!has_category(statement, MOVEON));
    }
}

#[tokio::test]
async fn move_on_is_evaluated_at_registration_before_the_first_launched() {
    let app = TestApp::spawn().await;
    import(&app, course_zip(COURSE, &[(AU_NA, "NotApplicable")], &[])).await;
    let launch = app.launch("ada", AU_NA).await;
    let registration = launch["registration"].as_str().unwrap();
    let all = statements_of(&app, registration).await;
    let verbs: Vec<&str> = all.iter().map(short).collect();
    // cmi5 §9.6.1 (suite 9.6.1.1-3): satisfied(block), satisfied(course), then launched.
    assert_eq!(verbs, ["satisfied", "satisfied", "launched"]);
    assert_eq!(grouping(&all[0]), [BLOCK]);
    assert_eq!(grouping(&all[1]), [COURSE]);
    // Outside any AU session: a session id of their own (§9.3.9), not the launch's.
    assert_ne!(
        all[0]["context"]["extensions"][SESSION],
        launch["sessionId"]
    );
    // A second launch of the registration issues nothing again.
    app.launch("ada", AU_NA).await;
    let verbs: Vec<String> = statements_of(&app, registration)
        .await
        .iter()
        .map(|s| short(s).to_owned())
        .collect();
    assert_eq!(
        verbs,
        [
            "satisfied",
            "satisfied",
            "launched",
            "abandoned",
            "launched"
        ]
    );
}

#[tokio::test]
async fn statements_breaking_cmi5_rules_get_403_naming_the_rule() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    send(&app, &token, &defined(&launch, "initialized", None))
        .await
        .assert_status_is_ok();
    let passed = || {
        let mut s = defined(
            &launch,
            "passed",
            Some(json!({"success": true, "duration": "PT1S", "score": {"scaled": 0.9}})),
        );
        s["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] =
            json!(0.8);
        s
    };
    type Alter = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Alter)> = vec![
        (
            "§9.7",
            Box::new(|s| {
                s.as_object_mut().unwrap().remove("timestamp");
            }),
        ),
        (
            "§9.7",
            Box::new(|s| s["timestamp"] = json!("2026-11-29T04:00:00.000-06:00")),
        ),
        (
            "§9.6.3.1",
            Box::new(|s| {
                s["context"]["extensions"]
                    .as_object_mut()
                    .unwrap()
                    .remove(SESSION);
            }),
        ),
        (
            "§9.2",
            Box::new(|s| s["actor"]["objectType"] = json!("Group")),
        ),
        (
            "§9.5.2",
            Box::new(|s| s["result"]["success"] = json!(false)),
        ),
        (
            "§9.5.3",
            Box::new(|s| s["result"]["completion"] = json!(true)),
        ),
        (
            "§9.5.4.1",
            Box::new(|s| {
                s["result"].as_object_mut().unwrap().remove("duration");
            }),
        ),
        (
            "§9.6.2.2",
            Box::new(|s| s["context"]["contextActivities"]["category"] = json!([{"id": CMI5}])),
        ),
        (
            "§9.6.3.2",
            Box::new(|s| {
                s["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] =
                    json!(0.5)
            }),
        ),
        (
            "§9.4",
            Box::new(|s| s["object"]["id"] = json!("http://example.com/not/the/lms/id")),
        ),
    ];
    for (section, alter) in cases {
        let mut s = passed();
        alter(&mut s);
        let response = send(&app, &token, &s).await;
        response.assert_status(StatusCode::FORBIDDEN);
        let message = json_of(response).await["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(section), "{section}: {message}");
    }
    // An id the LRS had to make up: the AU must give one (§9.1).
    let mut no_id = defined(&launch, "experienced", None);
    no_id.as_object_mut().unwrap().remove("id");
    no_id["context"]["contextActivities"] = json!({});
    let response = send(&app, &token, &no_id).await;
    response.assert_status(StatusCode::FORBIDDEN);
    // None of them was stored; the well-formed one is.
    send(&app, &token, &passed()).await.assert_status_is_ok();
    let verbs: Vec<String> = statements_of(&app, launch["registration"].as_str().unwrap())
        .await
        .iter()
        .map(|s| short(s).to_owned())
        .collect();
    assert_eq!(verbs, ["launched", "initialized", "passed"]);
}

#[tokio::test]
async fn statements_wait_until_the_au_has_read_the_learner_preferences() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token_only(&launch).await;
    let initialized = defined(&launch, "initialized", None);
    let response = send(&app, &token, &initialized).await;
    response.assert_status(StatusCode::FORBIDDEN);
    let message = json_of(response).await["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("cmi5LearnerPreferences"), "{message}");
    let prefs = app
        .client
        .get("/xapi/agents/profile")
        .query("agent", &param(&launch, "actor"))
        .query("profileId", &"cmi5LearnerPreferences")
        .header("Authorization", &token)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    prefs.assert_status(StatusCode::NOT_FOUND);
    send(&app, &token, &initialized).await.assert_status_is_ok();
}

#[tokio::test]
async fn nothing_is_accepted_after_terminated_not_even_a_resend() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    let mut allowed = defined(&launch, "experienced", None);
    allowed["context"]["contextActivities"] = json!({});
    for s in [
        defined(&launch, "initialized", None),
        allowed.clone(),
        defined(&launch, "terminated", Some(json!({"duration": "PT1S"}))),
    ] {
        send(&app, &token, &s).await.assert_status_is_ok();
    }
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let response = send(&app, &token, &allowed).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert!(
        json_of(response).await["message"]
            .as_str()
            .unwrap()
            .contains("terminated")
    );
}

#[tokio::test]
async fn a_dead_launch_token_gets_403_without_a_basic_challenge() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    app.launch("ada", POLICY_AU).await; // abandons the first session
    let session = launch["sessionId"].as_str().unwrap().replace('-', "");
    for auth in [
        token,
        crate::helpers::basic(&format!("ls_{session}"), "wrong"),
        crate::helpers::basic(&format!("ls_{}", uuid().replace('-', "")), "x"),
    ] {
        let response = app.get_as("?limit=1", &auth).await;
        response.assert_status(StatusCode::FORBIDDEN);
        assert!(response.0.headers().get("WWW-Authenticate").is_none());
        let body = json_of(response).await;
        assert_eq!(body["error"], "forbidden");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("launch the AU again"),
            "{body}"
        );
    }
    // Other credentials keep their 401 and its challenge.
    let response = app
        .get_as("?limit=1", &crate::helpers::basic("bb_nobody", "x"))
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    assert!(response.0.headers().get("WWW-Authenticate").is_some());
}

#[tokio::test]
async fn a_page_s_own_requests_get_no_basic_challenge_whatever_credentials_they_send() {
    let app = TestApp::spawn().await;
    // CATAPULT 005-1 sends made-up Basic credentials, then an empty Authorization.
    let bogus = crate::helpers::basic("catapult", "fire some Rustici Software rocks!");
    for (mode, auth, challenged) in [
        ("cors", bogus.as_str(), false),
        ("same-origin", "", false),
        ("navigate", bogus.as_str(), true),
    ] {
        let response = app
            .client
            .put("/xapi/statements")
            .query("statementId", &uuid())
            .header("Authorization", auth)
            .header("Sec-Fetch-Mode", mode)
            .header("X-Experience-API-Version", "1.0.3")
            .content_type("application/json")
            .body(crate::helpers::statement(1).to_string())
            .send()
            .await;
        response.assert_status(StatusCode::UNAUTHORIZED);
        let has = response.0.headers().get("WWW-Authenticate").is_some();
        assert_eq!(has, challenged, "Sec-Fetch-Mode: {mode}");
    }
}

#[tokio::test]
async fn a_launched_au_may_write_only_well_formed_learner_preferences() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    let put = |content_type: &'static str, body: &'static str| {
        app.client
            .put("/xapi/agents/profile")
            .query("agent", &param(&launch, "actor"))
            .query("profileId", &"cmi5LearnerPreferences")
            .header("Authorization", &token)
            .header("X-Experience-API-Version", "1.0.3")
            .header("If-None-Match", "*")
            .content_type(content_type)
            .body(body)
            .send()
    };
    const JSON: &str = "application/json";
    for (content_type, body) in [
        (
            "text/plain",
            r#"{"languagePreference": "en-US", "audioPreference": "on"}"#,
        ),
        (JSON, r#""just some text""#),
        (JSON, r#"{"audioPreference": "on"}"#),
        (JSON, r#"{"languagePreference": "en-US"}"#),
        (
            JSON,
            r#"{"languagePreference": "not comma separated", "audioPreference": "on"}"#,
        ),
        (
            JSON,
            r#"{"languagePreference": "", "audioPreference": "on"}"#,
        ),
    ] {
        let response = put(content_type, body).await;
        response.assert_status(StatusCode::FORBIDDEN);
        let message = json_of(response).await["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("cmi5 §11"), "{body}: {message}");
    }
    put(
        JSON,
        r#"{"languagePreference": "en-US,fr-FR", "audioPreference": "off"}"#,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn waiving_an_au_stores_waived_then_the_satisfied_that_follow() {
    let app = TestApp::spawn().await;
    import(
        &app,
        course_zip(COURSE, &[(AU_DONE, "Completed")], &[(AU_LATER, "Passed")]),
    )
    .await;
    let launch = app.launch("ada", AU_DONE).await;
    let registration = launch["registration"].as_str().unwrap();
    let path = format!("/api/registrations/{registration}/waive");

    let bad = admin_post(&app, &path, &json!({"auId": AU_DONE, "reason": "Because"})).await;
    bad.assert_status(StatusCode::BAD_REQUEST);
    let message = json_of(bad).await["message"].as_str().unwrap().to_owned();
    assert!(message.contains("\"Administrative\""), "{message}");
    admin_post(
        &app,
        &path,
        &json!({"auId": "https://t.example/au/nope", "reason": "Administrative"}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    admin_post(
        &app,
        &format!("/api/registrations/{}/waive", uuid()),
        &json!({"auId": AU_DONE, "reason": "Administrative"}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);

    let response = admin_post(
        &app,
        &path,
        &json!({"auId": AU_DONE, "reason": "Tested Out"}),
    )
    .await;
    response.assert_status_is_ok();
    let progress = json_of(response).await;
    assert_eq!(progress["aus"][0]["auId"], AU_DONE);
    assert_eq!(progress["aus"][0]["satisfied"], true);
    assert_eq!(progress["satisfied"], false);
    admin_post(
        &app,
        &path,
        &json!({"auId": AU_DONE, "reason": "Administrative"}),
    )
    .await
    .assert_status(StatusCode::CONFLICT);

    let response = admin_post(
        &app,
        &path,
        &json!({"auId": AU_LATER, "reason": "Administrative"}),
    )
    .await;
    response.assert_status_is_ok();
    assert_eq!(json_of(response).await["status"], "satisfied");

    let all = statements_of(&app, registration).await;
    let verbs: Vec<&str> = all.iter().map(short).collect();
    assert_eq!(
        verbs,
        ["launched", "waived", "satisfied", "waived", "satisfied"]
    );
    let waived = &all[1];
    assert_eq!(
        waived["object"]["id"],
        param(&launch, "activityId").as_str()
    );
    assert_eq!(waived["result"]["success"], true);
    assert_eq!(waived["result"]["completion"], true);
    assert_eq!(waived["result"]["extensions"][REASON], "Tested Out");
    assert!(has_category(waived, CMI5) && has_category(waived, MOVEON));
    assert_eq!(grouping(waived), [AU_DONE]);
    // cmi5 §9.3.7: a session id of its own, shared only with the satisfied it caused.
    let session = &waived["context"]["extensions"][SESSION];
    assert_ne!(session, &launch["sessionId"]);
    assert_eq!(&all[2]["context"]["extensions"][SESSION], session);
    assert_eq!(all[2]["object"]["definition"]["type"], BLOCK_TYPE);
    assert_eq!(all[4]["object"]["definition"]["type"], COURSE_TYPE);
    assert_eq!(grouping(&all[4]), [COURSE]);
}

#[tokio::test]
async fn abandoning_a_session_stores_abandoned_and_kills_its_token() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let launch = app.launch("ada", POLICY_AU).await;
    let token = app.token(&launch).await;
    send(&app, &token, &defined(&launch, "initialized", None))
        .await
        .assert_status_is_ok();
    let session = launch["sessionId"].as_str().unwrap();
    let path = format!("/api/sessions/{session}/abandon");
    let response = admin_post(&app, &path, &json!({})).await;
    response.assert_status_is_ok();
    let body = json_of(response).await;
    assert_eq!(body["status"], "abandoned");
    assert_eq!(body["auId"], POLICY_AU);
    admin_post(&app, &path, &json!({}))
        .await
        .assert_status(StatusCode::CONFLICT);
    admin_post(
        &app,
        &format!("/api/sessions/{}/abandon", uuid()),
        &json!({}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);

    let mut allowed = defined(&launch, "experienced", None);
    allowed["context"]["contextActivities"] = json!({});
    let response = send(&app, &token, &allowed).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert!(response.0.headers().get("WWW-Authenticate").is_none());

    let all = statements_of(&app, launch["registration"].as_str().unwrap()).await;
    let abandoned = &all[2];
    assert_eq!(short(abandoned), "abandoned");
    assert_eq!(
        abandoned["object"]["id"],
        param(&launch, "activityId").as_str()
    );
    assert_eq!(abandoned["context"]["extensions"][SESSION], session);
    assert!(abandoned["result"]["duration"].is_string());
    assert_eq!(grouping(abandoned), [POLICY_AU]);
}

#[tokio::test]
async fn a_launch_may_name_its_registration() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let chosen = uuid();
    let mut body = launch_body("ada", POLICY_AU);
    body["registration"] = json!(chosen);
    let response = app.launch_raw(&body).await;
    response.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(response).await["registration"], chosen.as_str());
    // Reused when it is hers.
    let response = app.launch_raw(&body).await;
    response.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(response).await["registration"], chosen.as_str());
    // Another learner may not take it; she may not start a second one.
    let mut theft = launch_body("bob", POLICY_AU);
    theft["registration"] = json!(chosen);
    let mut second = launch_body("ada", POLICY_AU);
    second["registration"] = json!(uuid());
    for refused in [theft, second] {
        let response = app.launch_raw(&refused).await;
        response.assert_status(StatusCode::CONFLICT);
        let body = json_of(response).await;
        assert_eq!(body["error"], "registration_conflict");
        assert!(body["message"].as_str().unwrap().contains("registration"));
    }
    let mut bad = launch_body("ada", POLICY_AU);
    bad["registration"] = json!("not-a-uuid");
    app.launch_raw(&bad)
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

#[test]
fn the_cli_waives_and_abandons() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bb.db").display());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_blackbelt"))
            .current_dir(dir.path())
            .args(["--database-url", &url])
            .args(args)
            .output()
            .expect("the binary runs")
    };
    let package = concat!(env!("CARGO_MANIFEST_DIR"), "/packages/all-employees");
    assert!(run(&["packages", "import", package]).status.success());
    let launched = run(&[
        "launch",
        "--au",
        POLICY_AU,
        "--home-page",
        "https://lms.example.com",
        "--name",
        "u1",
        "--json",
    ]);
    assert!(launched.status.success(), "{launched:?}");
    let launch: Value = serde_json::from_slice(&launched.stdout).unwrap();
    let session = launch["sessionId"].as_str().unwrap();
    let registration = launch["registration"].as_str().unwrap();

    let abandoned = run(&["sessions", "abandon", session]);
    assert!(abandoned.status.success(), "{abandoned:?}");
    let said = String::from_utf8(abandoned.stdout).unwrap();
    assert!(said.contains("abandoned session"), "{said}");
    let again = run(&["sessions", "abandon", session]);
    assert!(!again.status.success());

    let waived = run(&[
        "registrations",
        "waive",
        "--registration",
        registration,
        "--au",
        POLICY_AU,
        "--reason",
        "Administrative",
    ]);
    assert!(waived.status.success(), "{waived:?}");
    let said = String::from_utf8(waived.stdout).unwrap();
    assert!(said.contains("waived"), "{said}");
    let bad = run(&[
        "registrations",
        "waive",
        "--registration",
        registration,
        "--au",
        POLICY_AU,
        "--reason",
        "Because",
    ]);
    assert!(!bad.status.success());
    let said = String::from_utf8(bad.stderr).unwrap();
    assert!(said.contains("--reason must be one of"), "{said}");
}
