//! The 1.0.3 Alternate Request Syntax: `POST resource?method=X` with headers, parameters
//! and content as form fields; refused for 2.0 and when malformed.

use serde_json::json;

use crate::helpers::{TestApp, json_of, statement, uuid};

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn alternate(app: &TestApp, method: &str, body: String) -> poem::test::TestResponse {
    app.client
        .post("/xapi/statements")
        .query("method", &method)
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
}

#[tokio::test]
async fn a_put_sent_as_a_form_post_stores_the_statement() {
    let app = TestApp::spawn().await;
    let id = uuid();
    let content = statement(3).to_string();
    let body = form(&[
        ("statementId", &id),
        ("content", &content),
        ("Authorization", &app.auth),
        ("X-Experience-API-Version", "1.0.3"),
    ]);
    alternate(&app, "PUT", body)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    app.get(&format!("?statementId={id}"))
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn a_get_sent_as_a_form_post_queries() {
    let app = TestApp::spawn().await;
    app.post(&statement(1)).await.assert_status_is_ok();
    let body = form(&[
        ("limit", "1"),
        ("Authorization", &app.auth),
        ("X-Experience-API-Version", "1.0.3"),
    ]);
    let response = alternate(&app, "GET", body).await;
    response.assert_status_is_ok();
    let result = json_of(response).await;
    assert_eq!(result["statements"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn documents_can_be_written_through_the_alternate_syntax() {
    let app = TestApp::spawn().await;
    let agent = json!({"mbox": "mailto:alt@example.com"}).to_string();
    let body = form(&[
        ("activityId", "http://example.com/a"),
        ("agent", &agent),
        ("stateId", "s"),
        ("content", r#"{"saved":true}"#),
        ("Content-Type", "application/json"),
        ("Authorization", &app.auth),
        ("X-Experience-API-Version", "1.0.3"),
    ]);
    let response = app
        .client
        .post("/xapi/activities/state")
        .query("method", &"PUT")
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn malformed_alternate_requests_and_xapi_2_0_are_refused() {
    let app = TestApp::spawn().await;
    let content = statement(3).to_string();
    let id = uuid();
    let fields = |version: &'static str| {
        form(&[
            ("statementId", &id),
            ("content", &content),
            ("Authorization", &app.auth),
            ("X-Experience-API-Version", version),
        ])
    };
    // 2.0 has no alternate syntax; an unknown version in the form is refused too.
    alternate(&app, "PUT", fields("2.0.0"))
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
    alternate(&app, "PUT", fields("0.8"))
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
    // Parameters belong in the form, not the query string.
    let response = app
        .client
        .post("/xapi/statements")
        .query("method", &"PUT")
        .query("statementId", &id)
        .content_type("application/x-www-form-urlencoded")
        .body(fields("1.0.3"))
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    // Not a form.
    let response = app
        .client
        .post("/xapi/statements")
        .query("method", &"PUT")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .content_type("application/json")
        .body(content.clone())
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    // Not a POST.
    let response = app
        .client
        .put("/xapi/statements")
        .query("method", &"POST")
        .content_type("application/x-www-form-urlencoded")
        .body(fields("1.0.3"))
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    app.get(&format!("?statementId={id}"))
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
}
