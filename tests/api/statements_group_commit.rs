//! Concurrent writes, which the statement writer commits together: every request must
//! get the answer it would get alone.

use futures_util::future::join_all;
use poem::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, json_of, statement, uuid};

#[tokio::test]
async fn a_conflict_refuses_only_its_own_request() {
    let app = TestApp::spawn().await;
    let taken = uuid();
    app.put(&taken, &statement(1))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let mut clash = statement(2);
    clash["id"] = json!(taken);
    let mut bodies: Vec<_> = (10..20).map(|n| json!([statement(n)])).collect();
    bodies.insert(4, json!([statement(3), clash]));
    let responses = join_all(bodies.iter().map(|body| app.post(body))).await;
    let statuses: Vec<StatusCode> = responses.iter().map(|r| r.0.status()).collect();
    let mut expected = vec![StatusCode::OK; 10];
    expected.insert(4, StatusCode::CONFLICT);
    assert_eq!(statuses, expected);
    // The ten good requests stored one statement each; the refused one stored nothing,
    // not even its first statement.
    assert_eq!(app.ids("?limit=100").await.len(), 1 + 10);
}

#[tokio::test]
async fn concurrent_resends_of_one_statement_store_it_once() {
    let app = TestApp::spawn().await;
    let id = uuid();
    let same = statement(5);
    let responses = join_all((0..8).map(|_| app.put(&id, &same))).await;
    for response in responses {
        response.assert_status(StatusCode::NO_CONTENT);
    }
    assert_eq!(app.ids("").await, vec![id]);
}

#[tokio::test]
async fn concurrent_different_statements_under_one_id_keep_one() {
    let app = TestApp::spawn().await;
    let id = uuid();
    let (one, other) = (statement(6), statement(7));
    let (first, second) = tokio::join!(app.put(&id, &one), app.put(&id, &other));
    // Either may reach the writer first; the other must then be refused.
    let winner = match (first.0.status(), second.0.status()) {
        (StatusCode::NO_CONTENT, StatusCode::CONFLICT) => &one,
        (StatusCode::CONFLICT, StatusCode::NO_CONTENT) => &other,
        statuses => panic!("expected one 204 and one 409, got {statuses:?}"),
    };
    let stored = json_of(app.get(&format!("?statementId={id}")).await).await;
    assert_eq!(stored["actor"], winner["actor"]);
}

#[tokio::test]
async fn statements_written_together_keep_their_own_credential() {
    let app = TestApp::spawn().await;
    let alice = app
        .credential("statements/write,statements/read/mine")
        .await;
    let bob = app
        .credential("statements/write,statements/read/mine")
        .await;
    let (a, b) = (statement(8), statement(9));
    let (ra, rb) = tokio::join!(
        app.post_as(&a, &alice, "1.0.3"),
        app.post_as(&b, &bob, "1.0.3")
    );
    let (ida, idb) = (json_of(ra).await[0].clone(), json_of(rb).await[0].clone());
    assert_eq!(seen_by(&app, &alice).await, vec![ida]);
    assert_eq!(seen_by(&app, &bob).await, vec![idb]);
}

async fn seen_by(app: &TestApp, auth: &str) -> Vec<serde_json::Value> {
    let body = json_of(app.get_as("", auth).await).await;
    body["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect()
}
