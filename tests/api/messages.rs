//! What a refused request is told: 401s that say why without telling which keys exist,
//! and 400s that name the parameter or body and the rule in the API's own words.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, basic, json_of};

/// GET /xapi/statements with this Authorization header (or none): status, challenge, message.
async fn refusal(app: &TestApp, authorization: Option<&str>) -> (StatusCode, String, String) {
    let mut request = app
        .client
        .get("/xapi/statements")
        .header("X-Experience-API-Version", "1.0.3");
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.send().await;
    let status = response.0.status();
    let challenge = response
        .0
        .headers()
        .get("WWW-Authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = json_of(response).await;
    assert_eq!(body["error"], "unauthorized");
    (
        status,
        challenge,
        body["message"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn each_kind_of_missing_or_malformed_credentials_gets_a_401_saying_what_is_wrong() {
    let app = TestApp::spawn().await;
    let cases = [
        (None, "needs HTTP Basic credentials"),
        (
            Some("Bearer abc.def".to_owned()),
            "uses the `Bearer` scheme",
        ),
        (Some("Basic %%%not-base64".to_owned()), "not valid base64"),
        (
            Some(format!("Basic {}", STANDARD.encode("keywithoutsecret"))),
            "no `:` between key and secret",
        ),
    ];
    for (header, expected) in cases {
        let (status, challenge, message) = refusal(&app, header.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}");
        assert!(challenge.starts_with("Basic "), "{header:?}: {challenge}");
        assert!(message.contains(expected), "{header:?}: {message}");
        assert!(
            message.contains("blackbelt credentials create"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn an_unknown_key_and_a_wrong_secret_are_told_the_same_thing() {
    let app = TestApp::spawn().await;
    let good = app.credential("all").await;
    let decoded = String::from_utf8(STANDARD.decode(&good[6..]).unwrap()).unwrap();
    let (key, _) = decoded.split_once(':').unwrap();

    let (status, challenge, unknown) = refusal(&app, Some(&basic("no-such-key", "x"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Basic "));
    let (_, _, wrong) = refusal(&app, Some(&basic(key, "wrong-secret"))).await;
    assert_eq!(unknown, wrong);
    assert!(unknown.contains("not accepted"), "{unknown}");
    assert!(!unknown.contains("send HTTP Basic"), "{unknown}");
}

#[tokio::test]
async fn a_missing_query_parameter_is_named_with_the_rule_it_breaks() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get("/api/learners/progress")
        .query("name", &"ada")
        .header("Authorization", &app.auth)
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let body = json_of(response).await;
    assert_eq!(body["error"], "bad_request");
    assert_eq!(body["message"], "query parameter `homePage` is required");
}

#[tokio::test]
async fn a_query_parameter_of_the_wrong_type_is_named_with_the_type_it_needs() {
    let app = TestApp::spawn().await;
    let response = app.get("?ascending=maybe").await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let message = json_of(response).await["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with("query parameter `ascending` must be true or false"),
        "{message}"
    );
    assert!(!message.contains("failed to parse"), "{message}");
}

#[tokio::test]
async fn a_body_missing_a_field_or_not_json_is_refused_in_plain_words() {
    let app = TestApp::spawn().await;
    for (body, expected) in [
        ("{not json", "the request body is not valid"),
        (
            &json!({"auId": "x"}).to_string()[..],
            "a required field is missing",
        ),
    ] {
        let response = app
            .client
            .post("/api/launches")
            .header("Authorization", &app.auth)
            .content_type("application/json")
            .body(body.to_owned())
            .send()
            .await;
        response.assert_status(StatusCode::BAD_REQUEST);
        let message = json_of(response).await["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(expected), "{body}: {message}");
        assert!(!message.contains("parse request payload"), "{message}");
        assert!(!message.contains("expects an input value"), "{message}");
    }
}
