//! Statement validation over HTTP: each rejection is a 400 naming the path and rule.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, statement};

async fn rejection(app: &TestApp, body: Value, version: &str) -> String {
    let response = app.post_as(&body, &app.auth, version).await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let body = json_of(response).await;
    assert_eq!(body["error"], "invalid_statement", "{body}");
    body["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_agent_with_two_ifis_is_rejected_naming_the_actor() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["actor"]["openid"] = json!("http://openid.example.com/a");
    let message = rejection(&app, body, "1.0.3").await;
    assert!(message.starts_with("$.actor:"), "{message}");
}

#[tokio::test]
async fn a_bad_language_tag_is_rejected_naming_the_tag() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["verb"]["display"] = json!({"not a tag!": "completed"});
    let message = rejection(&app, body, "1.0.3").await;
    assert!(message.contains("$.verb.display"), "{message}");
}

#[tokio::test]
async fn an_unknown_property_is_rejected() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["mood"] = json!("happy");
    let message = rejection(&app, body, "1.0.3").await;
    assert!(message.contains("$.mood"), "{message}");
}

#[tokio::test]
async fn context_agents_are_xapi_2_only() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["context"] = json!({"contextAgents": [{"objectType": "contextAgent",
        "agent": {"mbox": "mailto:coach@example.com"}, "relevantTypes": ["http://example.com/coach"]}]});
    rejection(&app, body.clone(), "1.0.3").await;
    app.post_as(&body, &app.auth, "2.0.0")
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn a_scaled_score_above_one_is_rejected() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["result"] = json!({"score": {"scaled": 1.2}});
    let message = rejection(&app, body, "1.0.3").await;
    assert!(message.contains("$.result.score.scaled"), "{message}");
}

#[tokio::test]
async fn a_missing_version_header_is_a_400_and_unknown_versions_too() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get("/xapi/statements")
        .header("Authorization", &app.auth)
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let response = app.post_as(&statement(1), &app.auth, "0.95").await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(app.ids("").await.is_empty());
}

#[tokio::test]
async fn about_needs_neither_credentials_nor_version_header() {
    let app = TestApp::spawn().await;
    let response = app.client.get("/xapi/about").send().await;
    response.assert_status_is_ok();
    let body = json_of(response).await;
    assert_eq!(body["version"], json!(["1.0.3", "2.0.0"]));
}

#[tokio::test]
async fn an_authority_group_must_be_an_anonymous_pair() {
    let app = TestApp::spawn().await;
    let member = |n: u32| json!({"mbox": format!("mailto:m{n}@example.com")});
    let mut pair = statement(1);
    pair["authority"] = json!({"objectType": "Group", "member": [member(1), member(2)]});
    app.post(&pair).await.assert_status_is_ok();
    let mut trio = statement(1);
    trio["authority"] = json!({"objectType": "Group", "member": [member(1), member(2), member(3)]});
    let message = rejection(&app, trio, "1.0.3").await;
    assert!(message.starts_with("$.authority"), "{message}");
}

#[tokio::test]
async fn a_missing_version_header_names_the_configured_version() {
    let app = TestApp::spawn_with(|config| {
        config.xapi_version_when_unspecified = blackbelt::xapi::version::XapiVersion::V1_0;
    })
    .await;
    let response = app
        .client
        .get("/xapi/statements")
        .header("Authorization", &app.auth)
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    response.assert_header("X-Experience-API-Version", "1.0.3");
}
