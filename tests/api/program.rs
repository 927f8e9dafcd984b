//! The certification program file: upload, versions, located refusals that store
//! nothing, and the default program against the shipped courses.

use poem::http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

use crate::content::POLICY_AU;
use crate::helpers::{TestApp, json_of};

const TRIAGE_AU: &str = "https://blackbelt.example/courses/all-employees/au/complaint-triage";

/// A program over the all-employees course; `green` is the second belt's requirement.
fn program(green: &str) -> String {
    format!(
        r##"
[program]
id = "test-program"
name = "Test program"

[[belt]]
id = "white"
name = "White Belt"
colour = "#ffffff"
description = "Policy known."
requires = {{ au = {{ id = "{POLICY_AU}", min_score = 0.8 }} }}

[[belt]]
id = "green"
name = "Green Belt"
colour = "#00aa00"
description = "Complaints handled."
requires = {green}
"##
    )
}

fn valid() -> String {
    program(&format!(
        r#"{{ all_of = [{{ belt = "white" }}, {{ au = {{ id = "{TRIAGE_AU}" }} }}] }}"#
    ))
}

impl TestApp {
    async fn upload_program_as(
        &self,
        auth: &str,
        content_type: &str,
        body: &str,
    ) -> poem::test::TestResponse {
        self.client
            .post("/api/program")
            .header("Authorization", auth)
            .content_type(content_type)
            .body(body.to_owned())
            .send()
            .await
    }

    async fn upload_program(&self, body: &str) -> poem::test::TestResponse {
        let auth = self.auth.clone();
        self.upload_program_as(&auth, "application/toml", body)
            .await
    }

    /// Stored program versions and audit entries.
    async fn program_rows(&self) -> (u64, u64) {
        let versions = entities::cert_program::Entity::find()
            .count(&self.db.conn)
            .await
            .expect("count");
        let audit = entities::cert_audit::Entity::find()
            .count(&self.db.conn)
            .await
            .expect("count");
        (versions, audit)
    }

    async fn with_courses() -> TestApp {
        let app = TestApp::spawn().await;
        app.import_course("all-employees").await;
        app
    }

    /// Uploads `body` and expects 400 naming `needle`, with nothing stored.
    async fn refused(&self, body: &str, needle: &str) -> String {
        let before = self.program_rows().await;
        let response = self.upload_program(body).await;
        response.assert_status(StatusCode::BAD_REQUEST);
        let json = json_of(response).await;
        assert_eq!(json["error"], "bad_request", "{json}");
        let message = json["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(needle), "{needle:?} not in {message}");
        assert_eq!(self.program_rows().await, before, "nothing is stored");
        message
    }
}

#[tokio::test]
async fn a_valid_program_is_version_1_then_unchanged_then_version_2_when_it_changes() {
    let app = TestApp::with_courses().await;
    let response = app.upload_program(&valid()).await;
    response.assert_status(StatusCode::CREATED);
    let first = json_of(response).await;
    assert_eq!(first["programId"], "test-program");
    assert_eq!(first["version"], 1);
    assert_eq!(first["created"], true);
    assert_eq!(first["belts"], serde_json::json!(["white", "green"]));
    assert_eq!(app.program_rows().await, (1, 1));

    // Same content, other layout: unchanged.
    let relaid = format!("# a comment\n{}", valid().replace("\n\n", "\n"));
    let response = app.upload_program(&relaid).await;
    response.assert_status(StatusCode::OK);
    let again = json_of(response).await;
    assert_eq!(again["version"], 1);
    assert_eq!(again["created"], false);
    assert_eq!(
        app.program_rows().await,
        (1, 1),
        "no version, no audit entry"
    );

    let changed = valid().replace("Complaints handled.", "Complaints triaged and routed.");
    let response = app.upload_program(&changed).await;
    response.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(response).await["version"], 2);
    assert_eq!(app.program_rows().await, (2, 2));

    let list = json_of(
        app.client
            .get("/api/program")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["version"], 2);
    assert_eq!(list[0]["belts"][1]["id"], "green");
    assert_eq!(list[0]["belts"][1]["tier"], 2);

    let response = app
        .client
        .get("/api/program/test-program/versions/1")
        .header("Authorization", &app.auth)
        .send()
        .await;
    response.assert_status_is_ok();
    let v1 = json_of(response).await;
    assert_eq!(
        v1["definition"]["belt"][1]["description"],
        "Complaints handled."
    );
    assert_eq!(
        v1["definition"]["belt"][0]["requires"]["au"]["min_score"],
        0.8
    );

    let response = app
        .client
        .get("/api/program/test-program/versions/3")
        .header("Authorization", &app.auth)
        .send()
        .await;
    response.assert_status(StatusCode::NOT_FOUND);

    let audit = entities::cert_audit::Entity::find()
        .all(&app.db.conn)
        .await
        .expect("audit");
    assert!(audit.iter().all(|a| a.action == "program.import"));
    assert!(
        audit.iter().all(|a| a.actor.starts_with("credential:")),
        "{audit:?}"
    );
    assert_eq!(audit[1].details["version"], 2);
}

#[tokio::test]
async fn going_back_to_an_earlier_versions_content_is_the_next_version() {
    let app = TestApp::with_courses().await;
    app.upload_program(&valid())
        .await
        .assert_status(StatusCode::CREATED);
    let changed = valid().replace("Complaints handled.", "Other words.");
    app.upload_program(&changed)
        .await
        .assert_status(StatusCode::CREATED);
    let response = app.upload_program(&valid()).await;
    response.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(response).await["version"], 3);
    assert_eq!(app.program_rows().await, (3, 3));
    app.upload_program(&valid())
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_au_is_refused_naming_the_belt_and_the_requirement() {
    let app = TestApp::with_courses().await;
    let body = program(
        r#"{ all_of = [{ belt = "white" }, { au = { id = "https://blackbelt.example/courses/all-employees/au/nope" } }] }"#,
    );
    app.refused(
        &body,
        r#"belt "green" requires.all_of[1].au.id: no imported course that is offered has an AU "https://blackbelt.example/courses/all-employees/au/nope""#,
    )
    .await;
}

#[tokio::test]
async fn an_au_of_a_course_not_imported_is_refused() {
    let app = TestApp::spawn().await;
    app.refused(
        &valid(),
        r#"belt "white" requires.au.id: no imported course"#,
    )
    .await;
}

#[tokio::test]
async fn a_cycle_of_belts_is_refused() {
    let app = TestApp::with_courses().await;
    let body = program(r#"{ belt = "green" }"#);
    app.refused(
        &body,
        r#"belt "green" requires: belts form a cycle (green → green)"#,
    )
    .await;
    let body = valid().replace(
        &format!(r#"requires = {{ au = {{ id = "{POLICY_AU}", min_score = 0.8 }} }}"#),
        r#"requires = { belt = "green" }"#,
    );
    app.refused(&body, "belts form a cycle (green → white → green)")
        .await;
}

#[tokio::test]
async fn a_requirement_that_can_never_be_met_is_refused() {
    let app = TestApp::with_courses().await;
    let body = program(&format!(
        r#"{{ at_least = {{ n = 3, of = [{{ belt = "white" }}, {{ au = {{ id = "{TRIAGE_AU}" }} }}] }} }}"#
    ));
    app.refused(
        &body,
        r#"belt "green" requires.at_least.n: is 3 but `of` lists only 2 requirement(s)"#,
    )
    .await;
    let body = program(&format!(
        r#"{{ au = {{ id = "{TRIAGE_AU}", min_score = 1.2 }} }}"#
    ));
    app.refused(
        &body,
        r#"belt "green" requires.au.min_score: must be within 0..=1"#,
    )
    .await;
}

#[tokio::test]
async fn a_belt_id_reused_for_another_belt_is_refused_naming_the_earlier_version() {
    let app = TestApp::with_courses().await;
    app.upload_program(&valid())
        .await
        .assert_status(StatusCode::CREATED);
    // "green" now names a third-tier "Blue Belt"; a new belt took the green name.
    let v2 = valid().replace(r#"id = "green""#, r#"id = "jade""#)
        + r##"
[[belt]]
id = "green"
name = "Blue Belt"
colour = "#0000ff"
description = "Something else."
requires = { belt = "jade" }
"##;
    app.refused(
        &v2,
        r#"belt "green" id: belt id "green" meant "Green Belt" (tier 2) in version 1 of program "test-program""#,
    )
    .await;
}

#[tokio::test]
async fn bad_toml_is_refused_with_its_line() {
    let app = TestApp::with_courses().await;
    let body = valid().replace(r#"name = "Green Belt""#, r#"name = "Green Belt"#);
    let message = app.refused(&body, "not valid TOML").await;
    assert!(message.contains("line 15"), "{message}");
}

#[tokio::test]
async fn a_schema_violation_names_the_field() {
    let app = TestApp::with_courses().await;
    let body = valid().replace("colour = \"#00aa00\"", "colour = \"#00aa00\"\nshade = 3");
    app.refused(&body, r#"belt "green": "#).await;
    app.refused(&body, "shade").await;
}

#[tokio::test]
async fn an_oversized_program_is_413_and_stores_nothing() {
    let app = TestApp::with_courses().await;
    let body = format!("{}\n#{}\n", valid(), "x".repeat(300 * 1024));
    let response = app.upload_program(&body).await;
    response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(response).await["error"], "payload_too_large");
    assert_eq!(app.program_rows().await, (0, 0));
}

#[tokio::test]
async fn another_content_type_is_415_and_text_plain_is_accepted() {
    let app = TestApp::with_courses().await;
    let auth = app.auth.clone();
    let response = app
        .upload_program_as(&auth, "application/json", &valid())
        .await;
    response.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let message = json_of(response).await["message"].to_string();
    assert!(message.contains("application/toml"), "{message}");
    assert_eq!(app.program_rows().await, (0, 0));
    app.upload_program_as(&auth, "text/plain; charset=utf-8", &valid())
        .await
        .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn uploading_needs_the_admin_scope() {
    let app = TestApp::with_courses().await;
    let response = app
        .upload_program_as("", "application/toml", &valid())
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    let writer = app.credential("statements/write").await;
    let response = app
        .upload_program_as(&writer, "application/toml", &valid())
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.program_rows().await, (0, 0));
}

#[tokio::test]
async fn the_schema_is_served_without_a_credential_and_named_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let response = app.client.get("/api/program/schema").send().await;
    response.assert_status_is_ok();
    let schema: Value = json_of(response).await;
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let spec = blackbelt::app::openapi_json();
    assert!(spec.contains("GET /api/program/schema"));
}

#[tokio::test]
async fn the_default_program_imports_with_the_shipped_courses() {
    let app = TestApp::spawn().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packages");
    let limits = blackbelt::app::package_limits(&blackbelt::config::Config::default());
    let batch = blackbelt::packages::batch::import_paths(
        &app.db,
        std::slice::from_ref(&dir),
        &limits,
        false,
    )
    .await
    .expect("packages/ imports");
    assert_eq!(batch.packages.len(), 8);
    assert_eq!(batch.programs.len(), 1);
    let outcome = batch.programs[0]
        .outcome
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.version, 1);
    assert_eq!(
        outcome.belts,
        ["white", "yellow", "green", "brown", "black"]
    );

    // A second run: everything unchanged.
    let batch = blackbelt::packages::batch::import_paths(&app.db, &[dir], &limits, false)
        .await
        .expect("packages/ imports");
    let again = batch.programs[0].outcome.as_ref().expect("imported");
    assert!(!again.created);
    assert_eq!(app.program_rows().await, (1, 1));
}

/// The binary in `dir`, without the caller's `BLACKBELT_*` settings.
fn blackbelt(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_blackbelt"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("BLACKBELT_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    let output = command.output().expect("runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_cli_imports_the_program_with_the_packages_then_validates_and_shows_it() {
    let dir = tempfile::tempdir().expect("dir");
    let packages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packages");
    let packages = packages.to_str().expect("utf-8 path");
    let file = format!("{packages}/program.toml");

    let (ok, out, err) = blackbelt(dir.path(), &["packages", "import", packages]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("imported  program social-media-black-belt v1 (5 belts)"),
        "{out}"
    );
    let (ok, out, err) = blackbelt(dir.path(), &["packages", "import", packages]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("unchanged program social-media-black-belt v1"),
        "{out}"
    );

    let (ok, out, err) = blackbelt(dir.path(), &["program", "validate", &file]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("valid; program \"social-media-black-belt\" with 5 belts"),
        "{out}"
    );

    let (ok, out, err) = blackbelt(dir.path(), &["program", "show"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("social-media-black-belt  v1  Social Media Black Belt"),
        "{out}"
    );
    assert!(out.contains("5. Black Belt (black, #111111)"), "{out}");

    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(&file)
        .expect("read")
        .replace("min_score = 0.85", "min_score = 85");
    std::fs::write(&bad, text).expect("write");
    let (ok, out, err) = blackbelt(
        dir.path(),
        &["program", "validate", bad.to_str().expect("utf-8")],
    );
    assert!(!ok, "{out}");
    assert!(
        err.contains(r#"belt "black" requires.all_of[1].au.min_score: must be within 0..=1"#),
        "{err}"
    );
}
