//! What xAPI client libraries send beyond the plainest reading of the spec: TinCanPython's
//! space-separated timestamps and `@xapi/xapi`'s `cachebuster` parameter.

use poem::http::StatusCode;

use crate::helpers::{TestApp, json_of, statement};

#[tokio::test]
async fn a_statement_timestamp_with_a_space_is_accepted_with_z_or_an_offset() {
    let app = TestApp::spawn().await;
    for timestamp in ["2026-11-29 07:08:54Z", "2026-11-29 07:08:54+01:00"] {
        let mut body = statement(1);
        body["timestamp"] = timestamp.into();
        app.post(&body).await.assert_status_is_ok();
    }
}

#[tokio::test]
async fn since_and_until_with_a_space_are_accepted_with_z_or_an_offset() {
    let app = TestApp::spawn().await;
    app.post(&statement(1)).await.assert_status_is_ok();
    for query in [
        "?since=2000-01-01%2000:00:00Z",
        "?since=2000-01-01%2000:00:00%2B01:00",
        "?until=2999-01-01%2000:00:00-05:00",
    ] {
        let response = app.get(query).await;
        response.assert_status_is_ok();
        let statements = json_of(response).await["statements"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(statements, 1, "{query}");
    }
}

#[tokio::test]
async fn a_timestamp_without_a_zone_is_refused_saying_so_with_or_without_the_space() {
    let app = TestApp::spawn().await;
    for timestamp in ["2026-11-29 07:08:54", "2026-11-29T07:08:54"] {
        let mut body = statement(1);
        body["timestamp"] = timestamp.into();
        let response = app.post(&body).await;
        response.assert_status(StatusCode::BAD_REQUEST);
        let message = json_of(response).await["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("time zone"), "{message}");
    }
}

#[tokio::test]
async fn the_cachebuster_parameter_is_ignored_on_statements_and_documents() {
    let app = TestApp::spawn().await;
    app.post(&statement(1)).await.assert_status_is_ok();
    app.get("?limit=1&cachebuster=1764400134000")
        .await
        .assert_status_is_ok();

    let agent = r#"{"mbox":"mailto:learner1@example.com"}"#;
    let response = app
        .client
        .get("/xapi/activities/state")
        .query("activityId", &"http://example.com/activities/1")
        .query("agent", &agent)
        .query("cachebuster", &"1764400134000")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    response.assert_status_is_ok();

    // Only that one: other unknown parameters are still refused.
    app.get("?limit=1&cachebust=1")
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}
