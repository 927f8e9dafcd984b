//! Anonymous surveys (issue 20 contract §6): `POST /api/survey/responses` with the survey
//! AU's launch token stores the answers apart from the learner, once per registration;
//! bad answers are refused naming the field with nothing written; the stored rows hold
//! no learner, registration, session or time; results are counted and withheld under
//! five respondents, in the API and on the console's Surveys page.

use blackbelt::console::role::Role;
use poem::http::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, Statement};
use serde_json::{Value, json};

use crate::console_support::signed_in;
use crate::content::{POLICY_AU, SURVEY_AU, launch_body, param};
use crate::helpers::{TestApp, basic, json_of};
use entities::{survey_answer, survey_respondent};

const RESPONSES: &str = "/api/survey/responses";

async fn post_response(app: &TestApp, auth: Option<&str>, body: &str) -> poem::test::TestResponse {
    let mut request = app
        .client
        .post(RESPONSES)
        .content_type("application/json")
        .body(body.to_owned());
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    request.send().await
}

fn answers(extra: Value) -> String {
    json!({"activityId": SURVEY_AU, "answers": extra}).to_string()
}

/// A full, valid response to the readiness survey.
fn full() -> Value {
    json!({
        "channels": ["video-photo", "messaging"],
        "frequency": "daily",
        "policy-awareness": "not-aware",
        "comfort": "4",
        "help-most": "Short examples of good posts, please.",
    })
}

/// A launched learner's token for the readiness survey.
async fn survey_token(app: &TestApp, learner: &str) -> (Value, String) {
    let launch = app.launch(learner, SURVEY_AU).await;
    let token = app.token(&launch).await;
    (launch, token)
}

async fn rows(app: &TestApp) -> (u64, u64) {
    let conn = &app.db.conn;
    (
        survey_answer::Entity::find().count(conn).await.unwrap(),
        survey_respondent::Entity::find().count(conn).await.unwrap(),
    )
}

fn results_path(id: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/api/survey/{encoded}/results")
}

async fn results(app: &TestApp) -> Value {
    let r = app
        .client
        .get(results_path(SURVEY_AU))
        .header("Authorization", &app.auth)
        .send()
        .await;
    r.assert_status_is_ok();
    json_of(r).await
}

#[tokio::test]
async fn a_response_is_stored_once_per_registration_then_409() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    let (_, token) = survey_token(&app, "ada").await;
    let r = post_response(&app, Some(&token), &answers(full())).await;
    r.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(r).await, json!({"stored": 5}));
    // Two channels are two rows; one marker.
    assert_eq!(rows(&app).await, (6, 1));

    let again = post_response(&app, Some(&token), &answers(json!({"frequency": "never"}))).await;
    again.assert_status(StatusCode::CONFLICT);
    let body = json_of(again).await;
    assert_eq!(body["error"], "conflict");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("already answered"),
        "{body}"
    );
    assert_eq!(rows(&app).await, (6, 1), "nothing more is written");

    // A relaunch is the same registration: still answered.
    let (_, relaunched) = survey_token(&app, "ada").await;
    post_response(
        &app,
        Some(&relaunched),
        &answers(json!({"frequency": "never"})),
    )
    .await
    .assert_status(StatusCode::CONFLICT);
    // Another learner answers on their own.
    let (_, bob) = survey_token(&app, "bob").await;
    post_response(&app, Some(&bob), &answers(json!({})))
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(
        rows(&app).await,
        (6, 2),
        "skipping every question still counts"
    );
}

#[tokio::test]
async fn each_bad_field_is_400_naming_it_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    let (_, token) = survey_token(&app, "ada").await;
    let long = "x".repeat(2_001);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"nope": "a"}), "answers.nope: there is no question"),
        (
            json!({"frequency": "hourly"}),
            "answers.frequency: \"hourly\" is not one of",
        ),
        (
            json!({"frequency": ["daily"]}),
            "answers.frequency: must be one option value",
        ),
        (
            json!({"comfort": 4}),
            "answers.comfort: must be one option value",
        ),
        (
            json!({"comfort": "6"}),
            "answers.comfort: \"6\" is not one of",
        ),
        (
            json!({"channels": "messaging"}),
            "answers.channels: must be a non-empty list",
        ),
        (
            json!({"channels": []}),
            "answers.channels: must be a non-empty list",
        ),
        (
            json!({"channels": ["messaging", "tv"]}),
            "answers.channels: \"tv\" is not one of",
        ),
        (
            json!({"channels": ["forums", "forums"]}),
            "answers.channels: \"forums\" is chosen twice",
        ),
        (
            json!({"help-most": long}),
            "answers.help-most: is 2001 characters long; at most 2000",
        ),
        (json!({"help-most": "  "}), "answers.help-most: is empty"),
        (
            json!({"help-most": ["a"]}),
            "answers.help-most: must be text",
        ),
    ];
    for (bad, want) in cases {
        // A good answer beside the bad one is not stored either.
        let mut body = bad.clone();
        if bad.get("frequency").is_none() {
            body["frequency"] = json!("daily");
        }
        let r = post_response(&app, Some(&token), &answers(body)).await;
        r.assert_status(StatusCode::BAD_REQUEST);
        let body = json_of(r).await;
        assert_eq!(body["error"], "bad_request", "{bad}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with(want), "{bad}: {message}");
        assert_eq!(rows(&app).await, (0, 0), "{bad}: nothing written");
    }
    // A body that is not the shape at all.
    let r = post_response(&app, Some(&token), r#"{"activityId": 3}"#).await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(rows(&app).await, (0, 0));
    // The refusals did not use up the registration's one response.
    post_response(&app, Some(&token), &answers(full()))
        .await
        .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    let (_, token) = survey_token(&app, "ada").await;
    let padding = "p".repeat(65 * 1024);
    let body = json!({"activityId": SURVEY_AU, "answers": {}, "padding": padding}).to_string();
    let r = post_response(&app, Some(&token), &body).await;
    r.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(rows(&app).await, (0, 0));
}

#[tokio::test]
async fn only_the_survey_aus_own_normal_launch_token_may_answer() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    app.import_course("all-employees").await;
    let body = answers(full());
    // No credential, or a wrong one: 401 with the Basic challenge.
    let none = post_response(&app, None, &body).await;
    none.assert_status(StatusCode::UNAUTHORIZED);
    let wrong = post_response(&app, Some(&basic("bb_nobody", "guess")), &body).await;
    wrong.assert_status(StatusCode::UNAUTHORIZED);
    // A launch token that no longer works: 403, never a Basic challenge over the AU
    // (cmi5 §8.2; src/launch/token.rs).
    let (launch, token) = survey_token(&app, "ada").await;
    let session = launch["sessionId"].as_str().unwrap().replace('-', "");
    let dead = post_response(
        &app,
        Some(&basic(&format!("ls_{session}"), "not-it")),
        &body,
    )
    .await;
    dead.assert_status(StatusCode::FORBIDDEN);
    // An administrator's credential names no learner.
    let admin = post_response(&app, Some(&app.auth), &body).await;
    admin.assert_status(StatusCode::FORBIDDEN);
    assert!(
        json_of(admin).await["message"]
            .as_str()
            .unwrap()
            .contains("launch token")
    );
    // The survey's token naming another AU.
    let other = json!({"activityId": POLICY_AU, "answers": {"frequency": "daily"}}).to_string();
    let r = post_response(&app, Some(&token), &other).await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert!(
        json_of(r).await["message"]
            .as_str()
            .unwrap()
            .starts_with("activityId:")
    );
    // A scored AU's token: that AU is not a survey.
    let policy = app.launch("carol", POLICY_AU).await;
    let policy_token = app.token(&policy).await;
    let r = post_response(&app, Some(&policy_token), &body).await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert!(
        json_of(r).await["message"]
            .as_str()
            .unwrap()
            .starts_with("activityId:")
    );
    // A Browse launch of the survey records nothing.
    let mut browse = launch_body("bob", SURVEY_AU);
    browse["launchMode"] = json!("Browse");
    let response = app.launch_raw(&browse).await;
    response.assert_status(StatusCode::CREATED);
    let browse_token = app.token(&json_of(response).await).await;
    post_response(&app, Some(&browse_token), &body)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(rows(&app).await, (0, 0));
    // The LMS activity id of the launch is accepted as well as the publisher id.
    let lms_id = param(&launch, "activityId");
    let by_lms_id = json!({"activityId": lms_id, "answers": {"frequency": "daily"}}).to_string();
    post_response(&app, Some(&token), &by_lms_id)
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(rows(&app).await, (1, 1));
}

/// The columns of `table` as the database has them.
async fn columns(app: &TestApp, table: &str) -> Vec<String> {
    let conn = &app.db.conn;
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' \
             AND table_schema = current_schema() ORDER BY ordinal_position"
        ),
        _ => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    };
    conn.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

#[tokio::test]
async fn stored_rows_hold_no_learner_registration_session_or_time() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    let (launch, token) = survey_token(&app, "ada-lovelace").await;
    let registration = launch["registration"].as_str().unwrap().to_owned();
    let before = json_of(
        app.get(&format!("?registration={registration}&limit=0"))
            .await,
    )
    .await;
    post_response(&app, Some(&token), &answers(full()))
        .await
        .assert_status(StatusCode::CREATED);

    assert_eq!(
        columns(&app, "survey_answers").await,
        [
            "id",
            "respondent",
            "survey_id",
            "question_id",
            "answer",
            "answered_on"
        ]
    );
    assert_eq!(
        columns(&app, "survey_respondents").await,
        ["survey_id", "registration_hash"]
    );
    let session = launch["sessionId"].as_str().unwrap().to_owned();
    let identifying = [
        registration.clone(),
        registration.replace('-', ""),
        session.clone(),
        session.replace('-', ""),
        "ada-lovelace".to_owned(),
        "learner@example.com".to_owned(),
        "Test Learner".to_owned(),
    ];
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let stored = survey_answer::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 6);
    let respondent = &stored[0].respondent;
    for row in &stored {
        assert_eq!(
            &row.respondent, respondent,
            "one response, one respondent id"
        );
        assert_eq!(row.survey_id, SURVEY_AU);
        assert_eq!(row.answered_on, today, "the date only");
        let all = format!("{row:?}");
        for secret in &identifying {
            assert!(!all.contains(secret.as_str()), "{secret} in {all}");
        }
    }
    assert!(uuid::Uuid::try_parse(respondent).is_ok());
    assert_ne!(respondent.replace('-', ""), registration.replace('-', ""));
    let markers = survey_respondent::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(markers.len(), 1);
    let hash = &markers[0].registration_hash;
    assert_eq!(hash.len(), 64);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    for secret in &identifying {
        assert!(!hash.contains(secret.as_str()));
    }
    // The marker is not a plain hash of the registration either (it is keyed).
    let plain = hex::encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        registration.as_bytes(),
    ));
    assert_ne!(hash, &plain);
    // And the answers wrote no statement to the LRS.
    let after = json_of(
        app.get(&format!("?registration={registration}&limit=0"))
            .await,
    )
    .await;
    assert_eq!(after["statements"], before["statements"]);
}

#[tokio::test]
async fn results_count_answers_and_withhold_groups_under_five() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    let responses = [
        json!({"channels": ["messaging", "forums"], "comfort": "4", "help-most": "Examples"}),
        json!({"channels": ["messaging"], "comfort": "4", "help-most": "Time"}),
        json!({"channels": ["none"], "comfort": "2", "help-most": "A contact"}),
        json!({"channels": ["messaging", "video-photo"], "comfort": "5", "help-most": "Training"}),
    ];
    for (i, answers_of) in responses.iter().enumerate() {
        let (_, token) = survey_token(&app, &format!("learner-{i}")).await;
        post_response(&app, Some(&token), &answers(answers_of.clone()))
            .await
            .assert_status(StatusCode::CREATED);
    }
    let four = results(&app).await;
    assert_eq!(four["respondents"], 4);
    assert_eq!(four["minGroup"], 5);
    assert_eq!(four["withheld"], true);
    assert!(
        four["questions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| q["withheld"] == true
                && q["options"].as_array().unwrap().is_empty()
                && q["texts"].as_array().unwrap().is_empty())
    );

    let (_, token) = survey_token(&app, "learner-5").await;
    post_response(
        &app,
        Some(&token),
        &answers(json!({"channels": ["messaging"], "comfort": "4", "help-most": "Nothing", "frequency": "daily"})),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let five = results(&app).await;
    assert_eq!(five["respondents"], 5);
    assert_eq!(five["withheld"], false);
    assert_eq!(five["title"], "Social media readiness survey");
    let question = |id: &str| {
        five["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .unwrap()
            .clone()
    };
    let option = |q: &Value, value: &str| {
        q["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["value"] == value)
            .unwrap()
            .clone()
    };
    let channels = question("channels");
    assert_eq!(channels["kind"], "multiple-choice");
    assert_eq!(channels["answered"], 5);
    assert_eq!(option(&channels, "messaging")["count"], 4);
    assert_eq!(option(&channels, "messaging")["percent"], 80.0);
    assert_eq!(
        option(&channels, "messaging")["label"],
        "Messaging apps and group chats"
    );
    assert_eq!(option(&channels, "forums")["percent"], 20.0);
    assert_eq!(option(&channels, "microblog")["count"], 0);
    assert_eq!(
        channels["options"].as_array().unwrap().len(),
        7,
        "every option, in page order"
    );
    assert_eq!(channels["options"][0]["value"], "professional-network");
    let comfort = question("comfort");
    assert_eq!(comfort["kind"], "likert");
    assert_eq!(option(&comfort, "4")["count"], 3);
    assert_eq!(option(&comfort, "4")["percent"], 60.0);
    assert_eq!(option(&comfort, "1")["count"], 0);
    let help = question("help-most");
    assert_eq!(help["kind"], "fill-in");
    let mut texts: Vec<String> = help["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    texts.sort();
    assert_eq!(
        texts,
        ["A contact", "Examples", "Nothing", "Time", "Training"]
    );
    // Answered by one person only: withheld even though the survey is not.
    let frequency = question("frequency");
    assert_eq!(frequency["answered"], 1);
    assert_eq!(frequency["withheld"], true);
    assert!(frequency["options"].as_array().unwrap().is_empty());

    // Administrators only; an unknown survey is 404.
    let reader = app.credential("all/read").await;
    let r = app
        .client
        .get(results_path(SURVEY_AU))
        .header("Authorization", &reader)
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    let r = app
        .client
        .get(results_path(POLICY_AU))
        .header("Authorization", &app.auth)
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_surveys_page_shows_results_to_admin_program_and_viewer_only() {
    let app = TestApp::spawn().await;
    app.import_course("readiness-survey").await;
    let viewer = signed_in(&app, Role::Viewer, None).await;
    let empty = viewer.get(&app, "/console/surveys").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    empty
        .shows("Social media readiness survey")
        .shows("<p class=\"figure\">0</p>")
        .shows("Fewer than 5 people have answered this survey");
    assert!(!empty.body.contains("export.csv"));

    for i in 0..5 {
        let (_, token) = survey_token(&app, &format!("learner-{i}")).await;
        let comfort = if i < 3 { "4" } else { "2" };
        post_response(
            &app,
            Some(&token),
            &answers(json!({"comfort": comfort, "channels": ["messaging"], "help-most": format!("Idea <{i}>")})),
        )
        .await
        .assert_status(StatusCode::CREATED);
    }
    for role in [Role::Admin, Role::Program, Role::Viewer] {
        let who = signed_in(&app, role, None).await;
        let page = who.get(&app, "/console/surveys").await;
        assert_eq!(page.status, StatusCode::OK, "{role}: {}", page.body);
        page.shows("<p class=\"figure\">5</p>")
            .shows("href=\"/console/surveys\" aria-current=\"page\"")
            .shows("<th scope=\"row\">Agree</th><td>3</td>")
            .shows("60 %")
            .shows("<rect class=\"survey-bar-fill\" width=\"60\"")
            .shows("Idea &#60;4&#62;")
            .shows("Fewer than 5 people answered this question")
            .shows("export.csv");
    }
    for role in [Role::Reviewer, Role::Manager] {
        let who = signed_in(&app, role, None).await;
        let page = who.get(&app, "/console/surveys").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
        assert!(!page.body.contains("Idea"));
    }

    let program = signed_in(&app, Role::Program, None).await;
    let encoded: String = url::form_urlencoded::byte_serialize(SURVEY_AU.as_bytes()).collect();
    let csv = program
        .get(
            &app,
            &format!("/console/surveys/export.csv?survey={encoded}"),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "respondent,question,answer,answered_on");
    // 5 × (comfort, channels, help-most); no question was answered by fewer than 5.
    assert_eq!(lines.len(), 1 + 15, "{}", csv.body);
    assert!(csv.body.contains(",help-most,Idea <2>,"));
    // A respondent's lines are together.
    let respondents: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut runs = respondents.clone();
    runs.dedup();
    assert_eq!(runs.len(), 5, "{respondents:?}");
    let reviewer = signed_in(&app, Role::Reviewer, None).await;
    let refused = reviewer
        .get(
            &app,
            &format!("/console/surveys/export.csv?survey={encoded}"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
