//! Issue 12, item 2: `more` cursors cannot be forged, widened or used by another
//! credential, and a page never exceeds `max_page_size`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, statement};

async fn first_page_more(app: &TestApp, auth: &str) -> String {
    let response = app.get_as("?limit=2", auth).await;
    response.assert_status_is_ok();
    let page = json_of(response).await;
    let more = page["more"].as_str().unwrap().to_owned();
    more.split_once("?more=").unwrap().1.to_owned()
}

async fn stored(app: &TestApp, n: u32) {
    let batch: Vec<Value> = (0..n).map(statement).collect();
    app.post(&json!(batch)).await.assert_status_is_ok();
}

#[tokio::test]
async fn a_cursor_with_a_forged_page_size_is_refused() {
    let app = TestApp::spawn_with(|c| c.max_page_size = 5).await;
    stored(&app, 12).await;
    let token = first_page_more(&app, &app.auth).await;
    let (payload, tag) = token.split_once('.').expect("payload.tag");
    let mut cursor: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    cursor["limit"] = json!(4_294_967_295u64);
    let forged = URL_SAFE_NO_PAD.encode(cursor.to_string());
    let response = app.get(&format!("?more={forged}.{tag}")).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let body = json_of(response).await;
    assert!(
        body["message"].as_str().unwrap().contains("`more`"),
        "{body}"
    );
    // The old unsigned form is refused too.
    let response = app.get(&format!("?more={forged}")).await;
    response.assert_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_cursor_works_only_for_the_credential_it_was_issued_to() {
    let app = TestApp::spawn().await;
    stored(&app, 5).await;
    let other = app.credential("all").await;
    let token = first_page_more(&app, &app.auth).await;
    app.get_as(&format!("?more={token}"), &other)
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    let page = json_of(app.get(&format!("?more={token}")).await).await;
    assert_eq!(page["statements"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn every_page_is_clamped_to_the_maximum_page_size() {
    let app = TestApp::spawn_with(|c| c.max_page_size = 3).await;
    stored(&app, 10).await;
    let mut query = "?limit=100".to_owned();
    let mut seen = 0;
    loop {
        let page = json_of(app.get(&query).await).await;
        let n = page["statements"].as_array().unwrap().len();
        assert!(n <= 3, "page of {n}");
        seen += n;
        let more = page["more"].as_str().unwrap();
        if more.is_empty() {
            break;
        }
        query = format!("?{}", more.split_once('?').unwrap().1);
    }
    assert_eq!(seen, 10);
}
