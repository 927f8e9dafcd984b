//! PUT and POST /xapi/statements: storing, idempotency, conflicts, atomic batches.

use serde_json::json;

use crate::helpers::{TestApp, json_of, statement, uuid};

#[tokio::test]
async fn post_returns_the_id_and_get_returns_the_statement_with_lrs_properties() {
    let app = TestApp::spawn().await;
    let response = app.post(&statement(1)).await;
    response.assert_status_is_ok();
    let ids = json_of(response).await;
    let id = ids[0].as_str().unwrap();
    let response = app.get(&format!("?statementId={id}")).await;
    response.assert_status_is_ok();
    response.assert_header("X-Experience-API-Version", "1.0.3");
    assert!(
        response
            .0
            .headers()
            .contains_key("X-Experience-API-Consistent-Through")
    );
    assert!(response.0.headers().contains_key("Last-Modified"));
    let stored = json_of(response).await;
    assert_eq!(stored["id"], id);
    assert_eq!(
        stored["verb"]["id"],
        "http://adlnet.gov/expapi/verbs/completed"
    );
    assert!(stored["stored"].is_string());
    assert_eq!(stored["timestamp"], stored["stored"]);
    assert_eq!(stored["authority"]["objectType"], "Agent");
    assert_eq!(stored["version"], "1.0.0");
}

#[tokio::test]
async fn post_of_an_array_returns_ids_in_request_order() {
    let app = TestApp::spawn().await;
    let (a, b) = (uuid(), uuid());
    let mut first = statement(1);
    first["id"] = json!(a);
    let mut second = statement(2);
    second["id"] = json!(b);
    let response = app.post(&json!([first, second])).await;
    response.assert_status_is_ok();
    assert_eq!(json_of(response).await, json!([a, b]));
}

#[tokio::test]
async fn put_statement_returns_204_and_repeating_it_is_a_no_op() {
    let app = TestApp::spawn().await;
    let id = uuid();
    app.put(&id, &statement(1))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    app.put(&id, &statement(1))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    assert_eq!(app.ids("").await, vec![id]);
}

#[tokio::test]
async fn put_statement_returns_409_when_id_exists_with_other_content() {
    let app = TestApp::spawn().await;
    let id = uuid();
    app.put(&id, &statement(1))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let response = app.put(&id, &statement(2)).await;
    response.assert_status(poem::http::StatusCode::CONFLICT);
    assert_eq!(json_of(response).await["error"], "conflict");
}

#[tokio::test]
async fn post_with_an_existing_id_and_other_content_is_409_and_stores_nothing_else() {
    let app = TestApp::spawn().await;
    let id = uuid();
    app.put(&id, &statement(1))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let mut clash = statement(2);
    clash["id"] = json!(id);
    let response = app.post(&json!([statement(3), clash])).await;
    response.assert_status(poem::http::StatusCode::CONFLICT);
    assert_eq!(app.ids("").await.len(), 1);
}

#[tokio::test]
async fn put_without_statement_id_is_a_400() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .put("/xapi/statements")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .content_type("application/json")
        .body(statement(1).to_string())
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(
        json_of(response).await["message"]
            .as_str()
            .unwrap()
            .contains("statementId")
    );
}

#[tokio::test]
async fn put_whose_body_id_differs_from_statement_id_is_a_400() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["id"] = json!(uuid());
    app.put(&uuid(), &body)
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn batch_with_one_bad_statement_stores_nothing() {
    let app = TestApp::spawn().await;
    let mut bad = statement(2);
    bad["verb"]["id"] = json!("not an iri");
    let response = app.post(&json!([statement(1), bad, statement(3)])).await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let body = json_of(response).await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("$[1].verb.id"),
        "{body}"
    );
    assert!(app.ids("").await.is_empty());
}

#[tokio::test]
async fn duplicate_ids_within_one_batch_are_a_400() {
    let app = TestApp::spawn().await;
    let id = uuid();
    let mut a = statement(1);
    a["id"] = json!(id);
    let mut b = statement(2);
    b["id"] = json!(id);
    app.post(&json!([a, b]))
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(app.ids("").await.is_empty());
}

#[tokio::test]
async fn malformed_json_is_a_400_naming_the_problem() {
    let app = TestApp::spawn().await;
    let response = app.post_raw("application/json", "{\"actor\": ").await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(
        json_of(response).await["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
}

#[tokio::test]
async fn wrong_content_type_is_a_400() {
    let app = TestApp::spawn().await;
    let response = app.post_raw("text/plain", &statement(1).to_string()).await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(
        json_of(response).await["message"]
            .as_str()
            .unwrap()
            .contains("Content-Type")
    );
}

#[tokio::test]
async fn oversized_body_is_a_413_and_stores_nothing() {
    let app = TestApp::spawn_with(|config| config.max_body_bytes = 2_000).await;
    let batch: Vec<_> = (0..50).map(statement).collect();
    let response = app.post(&json!(batch)).await;
    response.assert_status(poem::http::StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(response).await["error"], "payload_too_large");
    assert!(app.ids("").await.is_empty());
}

#[tokio::test]
async fn xapi_2_request_stores_version_2_and_utc_timestamps() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["timestamp"] = json!("2026-03-01T12:00:00+02:00");
    let response = app.post_as(&body, &app.auth, "2.0.0").await;
    response.assert_status_is_ok();
    response.assert_header("X-Experience-API-Version", "2.0.0");
    let id = json_of(response).await[0].as_str().unwrap().to_owned();
    let stored = json_of(app.get(&format!("?statementId={id}")).await).await;
    assert_eq!(stored["timestamp"], "2026-03-01T10:00:00.000Z");
    assert_eq!(stored["version"], "2.0.0");
}

#[tokio::test]
async fn a_batch_reads_back_in_request_order_under_one_stored_time() {
    let app = TestApp::spawn().await;
    let ids: Vec<String> = (0..5).map(|_| uuid()).collect();
    let batch: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut s = statement(i as u32);
            s["id"] = json!(id);
            s
        })
        .collect();
    app.post(&json!(batch)).await.assert_status_is_ok();
    // One stored time for the batch: only the insertion order (seq) orders them.
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(app.ids("").await, newest_first);
    assert_eq!(app.ids("?ascending=true").await, ids);
}

#[tokio::test]
async fn a_clients_stored_is_replaced_by_the_lrs() {
    let app = TestApp::spawn().await;
    let id = uuid();
    let mut sent = statement(1);
    sent["id"] = json!(id);
    sent["stored"] = json!("1999-01-01T00:00:00Z");
    app.post(&sent).await.assert_status_is_ok();
    let stored = json_of(app.get(&format!("?statementId={id}")).await).await;
    let stamped: jiff::Timestamp = stored["stored"].as_str().unwrap().parse().unwrap();
    let age = jiff::Timestamp::now().duration_since(stamped);
    assert!(
        age.as_secs() >= 0 && age.as_secs() < 60,
        "stored should be the time of the write, was {stamped}"
    );
}
