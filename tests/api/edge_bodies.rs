//! Issue 12, item 1: every body is bounded while it is read, before anything else runs.

use poem::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, json_of};

#[tokio::test]
async fn an_oversized_launch_form_is_refused_with_413_before_it_is_parsed() {
    let app = TestApp::spawn().await;
    // 300 KiB of form, over the 256 KiB small-body limit; no credential needed to send it.
    let form = format!("id_token={}&state=x", "a".repeat(300 * 1024));
    for path in [
        "/lti/launch",
        "/lti/login",
        "/lti/deep-linking",
        "/lti/11/launch",
    ] {
        let response = app
            .client
            .post(path)
            .content_type("application/x-www-form-urlencoded")
            .body(form.clone())
            .send()
            .await;
        response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
        let body = json_of(response).await;
        assert_eq!(body["error"], "payload_too_large", "{path}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("262144-byte limit"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn admin_json_has_the_small_limit_and_statements_the_large_one() {
    let app = TestApp::spawn().await;
    let big_name = "n".repeat(300 * 1024);
    let response = app
        .client
        .post("/api/lti/consumers")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(json!({ "name": big_name }).to_string())
        .send()
        .await;
    response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    // Statements may be as large as `max_body_bytes`: a 300 KiB statement is stored.
    let statement = json!({
        "actor": {"mbox": "mailto:learner@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/a"},
        "result": {"response": "r".repeat(300 * 1024)},
    });
    app.post(&statement).await.assert_status_is_ok();
}

#[tokio::test]
async fn a_smaller_configured_limit_applies_to_every_form_route() {
    let app = TestApp::spawn_with(|c| c.max_small_body_bytes = 1024).await;
    let response = app
        .client
        .post("/lti/login")
        .content_type("application/x-www-form-urlencoded")
        .body(format!("iss={}", "x".repeat(2048)))
        .send()
        .await;
    response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    let response = app
        .client
        .post("/lti/login")
        .content_type("application/x-www-form-urlencoded")
        .body("iss=https%3A%2F%2Funknown.example.com&login_hint=a&target_link_uri=x")
        .send()
        .await;
    assert_ne!(response.0.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
