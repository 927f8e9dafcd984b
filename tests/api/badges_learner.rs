//! A learner's own credentials with their launch token: the list, one credential by
//! `Accept`, the name shown or hidden on the public page; another learner's credential
//! is 404 and other credentials are refused.

use poem::http::StatusCode;
use serde_json::json;

use crate::badges_support::{get, path_of, proof};
use crate::helpers::TestApp;

const OTHER: &str = "account:https://lms.example.com|zoe";

#[tokio::test]
async fn a_learner_lists_their_own_credentials_with_their_launch_token() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, key) = app.learner("ada").await;
    app.insert_award(&key, "white").await;
    app.insert_award(OTHER, "white").await;
    let (status, list) = app.call("GET", "/api/badges/mine", &token, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let credentials = list["credentials"].as_array().unwrap();
    assert_eq!(credentials.len(), 1, "{list}");
    assert_eq!(credentials[0]["learner"], key);
    assert_eq!(credentials[0]["belt"], "white");
    assert_eq!(credentials[0]["status"]["name"], "valid");
    assert_eq!(credentials[0]["show_name"], false);
    for link in ["credential", "baked", "verify_page"] {
        assert!(
            credentials[0]["links"][link]
                .as_str()
                .unwrap()
                .starts_with("http")
        );
    }
}

#[tokio::test]
async fn a_learner_reads_their_credential_as_json_or_jwt_by_accept() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, key) = app.learner("ada").await;
    app.insert_award(&key, "white").await;
    let (_, list) = app.call("GET", "/api/badges/mine", &token, None).await;
    let id = list["credentials"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/badges/mine/{id}");
    let json = get(&app, &path, None, Some(&token)).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(json.header("content-type"), "application/vc+ld+json");
    assert_eq!(json.header("cache-control"), "private, no-store");
    assert!(proof(&json.json()).is_object());
    let jwt = get(&app, &path, Some("application/vc+jwt"), Some(&token)).await;
    assert_eq!(jwt.header("content-type"), "application/vc+jwt");
    assert_eq!(jwt.body.split('.').count(), 3);
    let refused = get(&app, &path, Some("image/png"), Some(&token)).await;
    assert_eq!(refused.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn another_learners_credential_is_404_to_a_launch_token() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, _) = app.learner("ada").await;
    let (_, summary) = crate::badges_support::awarded(&app, OTHER, "white").await;
    let id = summary["id"].as_str().unwrap();
    let read = get(&app, &format!("/api/badges/mine/{id}"), None, Some(&token)).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND, "{}", read.body);
    let (status, _) = app
        .call(
            "PUT",
            &format!("/api/badges/mine/{id}/visibility"),
            &token,
            Some(json!({"show_name": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, detail) = app
        .call(
            "GET",
            &format!("/api/badges/credentials/{id}"),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(detail["summary"]["show_name"], false, "nothing changed");
}

#[tokio::test]
async fn showing_the_name_puts_it_on_the_public_page_and_hiding_takes_it_off() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, key) = app.learner("ada").await;
    crate::badges_support::named(&app, &key, Some("Test Learner")).await;
    app.insert_award(&key, "white").await;
    let (_, list) = app.call("GET", "/api/badges/mine", &token, None).await;
    let summary = &list["credentials"][0];
    let id = summary["id"].as_str().unwrap();
    let page = path_of(summary["links"]["verify_page"].as_str().unwrap());
    assert!(
        !get(&app, &page, None, None)
            .await
            .body
            .contains("<dt>Holder</dt>")
    );
    let visibility = format!("/api/badges/mine/{id}/visibility");
    let (status, shown) = app
        .call("PUT", &visibility, &token, Some(json!({"show_name": true})))
        .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["show_name"], true);
    let body = get(&app, &page, None, None).await.body;
    assert!(
        body.contains("<dt>Holder</dt><dd>Test Learner</dd>"),
        "{body}"
    );
    app.call(
        "PUT",
        &visibility,
        &token,
        Some(json!({"show_name": false})),
    )
    .await;
    assert!(
        !get(&app, &page, None, None)
            .await
            .body
            .contains("Test Learner")
    );
    let credential = get(
        &app,
        &path_of(summary["links"]["credential"].as_str().unwrap()),
        None,
        None,
    )
    .await
    .body;
    assert!(
        !credential.contains("Test Learner"),
        "the credential never names the holder"
    );
}

#[tokio::test]
async fn learner_routes_refuse_admin_credentials_and_anonymous_callers() {
    let app = TestApp::spawn().await;
    let (status, body) = app.call("GET", "/api/badges/mine", &app.auth, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("launch token"));
    let anonymous = get(&app, "/api/badges/mine", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let (token, _) = app.learner("ada").await;
    let (status, _) = app
        .call("GET", "/api/badges/mine/not-a-uuid", &token, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
