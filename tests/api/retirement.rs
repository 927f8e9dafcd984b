//! Retiring and restoring a course: it leaves the catalog, new launches are refused with
//! the command that brings it back, and sessions already launched run to their end.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::content::{POLICY_AU, course_zip, launch_body, param};
use crate::helpers::{TestApp, json_of, uuid};

const COURSE: &str = "https://blackbelt.example/courses/all-employees";

impl TestApp {
    /// POST /api/courses/{course}/{action}, the course percent-encoded.
    async fn course_action(&self, course: &str, action: &str) -> poem::test::TestResponse {
        let course: String = url::form_urlencoded::byte_serialize(course.as_bytes()).collect();
        self.client
            .post(format!("/api/courses/{course}/{action}"))
            .header("Authorization", &self.auth)
            .send()
            .await
    }

    async fn catalog(&self, query: &str) -> Vec<Value> {
        let response = self
            .client
            .get(format!("/api/courses{query}"))
            .header("Authorization", &self.auth)
            .send()
            .await;
        response.assert_status_is_ok();
        json_of(response).await.as_array().unwrap().clone()
    }
}

/// An `initialized` statement as the AU sends it in its session.
fn initialized(launch: &Value) -> Value {
    json!({
        "id": uuid(),
        "actor": serde_json::from_str::<Value>(&param(launch, "actor")).unwrap(),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/initialized"},
        "object": {"objectType": "Activity", "id": param(launch, "activityId")},
        "context": {
            "registration": param(launch, "registration"),
            "contextActivities": {"category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
                "grouping": [{"id": param(launch, "activityId")}]},
            "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": launch["sessionId"]},
        },
        "timestamp": "2026-11-23T10:00:00Z",
    })
}

#[tokio::test]
async fn a_retired_course_leaves_the_catalog_and_refuses_new_launches_while_running_sessions_finish()
 {
    let app = TestApp::spawn().await;
    let imported = app.import_course("all-employees").await;
    let running = app.launch("ada", POLICY_AU).await;

    let retired = app
        .course_action(imported["slug"].as_str().unwrap(), "retire")
        .await;
    retired.assert_status_is_ok();
    let retired = json_of(retired).await;
    assert_eq!(retired["courseId"], COURSE);
    assert!(retired["retiredAt"].is_string(), "{retired}");

    assert!(
        app.catalog("").await.is_empty(),
        "retired courses leave the catalog"
    );
    let all = app.catalog("?all=true").await;
    assert_eq!(all.len(), 1);
    assert!(all[0]["retiredAt"].is_string());

    for learner in ["bob", "ada"] {
        let refused = app.launch_raw(&launch_body(learner, POLICY_AU)).await;
        refused.assert_status(StatusCode::CONFLICT);
        let body = json_of(refused).await;
        assert_eq!(
            body["message"],
            format!(
                "course {COURSE} is retired; restore it with `blackbelt packages restore {COURSE}`"
            )
        );
    }

    // The launch issued before retirement still gets its token and writes statements.
    let token = app.token(&running).await;
    let response = app.post_as(&initialized(&running), &token, "1.0.3").await;
    response.assert_status_is_ok();

    let restored = app.course_action(COURSE, "restore").await;
    restored.assert_status_is_ok();
    assert!(json_of(restored).await.get("retiredAt").is_none());
    assert_eq!(app.catalog("").await.len(), 1);
    app.launch("bob", POLICY_AU).await;
}

#[tokio::test]
async fn reimporting_a_retired_course_keeps_it_retired_and_says_so() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    app.course_action(COURSE, "retire")
        .await
        .assert_status_is_ok();
    let changed = app
        .upload(course_zip("all-employees", |name, bytes| {
            if name == "your-voice.html" {
                [bytes, b"<!-- edited -->".to_vec()].concat()
            } else {
                bytes
            }
        }))
        .await;
    changed.assert_status(StatusCode::CREATED);
    let changed = json_of(changed).await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["retired"], true);
    assert!(app.catalog("").await.is_empty());
}

#[tokio::test]
async fn retiring_an_unknown_course_is_a_404_naming_how_to_list_courses() {
    let app = TestApp::spawn().await;
    let response = app
        .course_action("https://nowhere.example/c", "retire")
        .await;
    response.assert_status(StatusCode::NOT_FOUND);
    let body = json_of(response).await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("GET /api/courses?all=true"),
        "{body}"
    );
    let student = app.credential("all").await;
    let response = app
        .client
        .post("/api/courses/x/retire")
        .header("Authorization", &student)
        .send()
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
}

/// Runs the real binary on a SQLite file and returns (success, stdout, stderr).
fn cli(db: &str, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blackbelt"))
        .args(args)
        .args(["--database-url", db])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_retires_lists_and_restores_and_names_the_list_command_for_unknown_courses() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let package = concat!(env!("CARGO_MANIFEST_DIR"), "/packages/all-employees");
    let (ok, _, err) = cli(&db, &["packages", "import", package]);
    assert!(ok, "{err}");

    let (ok, out, err) = cli(&db, &["packages", "retire", COURSE]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!("blackbelt packages restore {COURSE}")),
        "{out}"
    );
    let (_, out, _) = cli(&db, &["packages", "list"]);
    assert!(!out.contains(COURSE), "{out}");
    let (_, out, _) = cli(&db, &["packages", "list", "--all"]);
    assert!(out.contains(COURSE) && out.contains("(retired)"), "{out}");
    let (_, out, _) = cli(&db, &["packages", "import", package]);
    assert!(out.contains("is retired"), "{out}");

    let (ok, _, err) = cli(&db, &["packages", "restore", COURSE]);
    assert!(ok, "{err}");
    let (_, out, _) = cli(&db, &["packages", "list"]);
    assert!(out.contains(COURSE), "{out}");

    let (ok, _, err) = cli(&db, &["packages", "retire", "no-such-course"]);
    assert!(!ok);
    assert!(err.contains("`blackbelt packages list --all`"), "{err}");
}

#[tokio::test]
async fn a_retired_course_leaves_the_deep_linking_picker_and_lti_launches_are_refused() {
    use crate::content::SURVEY_AU;
    use crate::lti_platform::{TestPlatform, good_claims, login, post_launch};
    const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";

    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    app.import_course("readiness-survey").await;
    let platform = TestPlatform::register(&app).await;
    app.course_action(COURSE, "retire")
        .await
        .assert_status_is_ok();

    let (state, nonce) = login(&app).await;
    let response = post_launch(
        &app,
        &platform.sign(&good_claims(&nonce, POLICY_AU)),
        &state,
    )
    .await;
    let status = response.0.status();
    let page = response.0.into_body().into_string().await.unwrap();
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("is retired; restore it with"), "{page}");

    let (state, nonce) = login(&app).await;
    let mut claims = good_claims(&nonce, POLICY_AU);
    claims[format!("{LTI}message_type")] = json!("LtiDeepLinkingRequest");
    claims[format!("{LTI}roles")] =
        json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]);
    claims
        .as_object_mut()
        .unwrap()
        .remove(&format!("{LTI}resource_link"));
    claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = json!({
        "deep_link_return_url": "https://lms.example.com/deep_links",
        "accept_types": ["ltiResourceLink"],
    });
    let response = post_launch(&app, &platform.sign(&claims), &state).await;
    response.assert_status_is_ok();
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains(SURVEY_AU), "{page}");
    assert!(!page.contains(POLICY_AU), "{page}");
}

#[tokio::test]
async fn the_deep_linking_picker_says_when_every_course_is_retired_and_how_to_restore_one() {
    use crate::lti_platform::{TestPlatform, deep_linking_claims, login, post_launch};

    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    app.course_action(COURSE, "retire")
        .await
        .assert_status_is_ok();

    let (state, nonce) = login(&app).await;
    let response = post_launch(&app, &platform.sign(&deep_linking_claims(&nonce)), &state).await;
    let status = response.0.status();
    let page = response.0.into_body().into_string().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(
        page.contains("<title>Deep Linking error | Black Belt</title>"),
        "{page}"
    );
    assert!(page.contains("all_courses_retired"), "{page}");
    assert!(
        page.contains("the only imported course is retired"),
        "{page}"
    );
    assert!(
        page.contains("`blackbelt packages restore COURSE`"),
        "{page}"
    );
    assert!(page.contains("`blackbelt packages list --all`"), "{page}");
    assert!(!page.contains("no modules are imported"), "{page}");

    // Restored, it is offered again.
    app.course_action(COURSE, "restore")
        .await
        .assert_status_is_ok();
    let (state, nonce) = login(&app).await;
    let response = post_launch(&app, &platform.sign(&deep_linking_claims(&nonce)), &state).await;
    response.assert_status_is_ok();
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains(POLICY_AU), "{page}");
}
