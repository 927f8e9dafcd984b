//! Limits on what unauthenticated LTI traffic can cost: key set fetches are rate
//! limited even when none is cached, expired login states and nonces are pruned, and
//! one client address is throttled.

use std::sync::atomic::Ordering;

use jsonwebtoken::{Algorithm, Header};
use poem::http::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::{TestApp, json_of};
use crate::lti_platform::{
    CLIENT_ID, DEPLOYMENT, ISSUER, TestPlatform, good_claims, login, post_launch, rsa_key,
};
use crate::outbound::listener;

async fn count(app: &TestApp, table: &str) -> i64 {
    let row = app
        .db
        .conn
        .query_one_raw(Statement::from_string(
            app.db.backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn a_failing_key_set_is_fetched_at_most_once_per_interval_without_a_cached_copy() {
    let app = TestApp::spawn().await;
    let (port, fetches) = listener(Some(
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
    ))
    .await;
    let response = app
        .client
        .post("/api/lti/platforms")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(
            json!({
                "name": "Failing LMS", "issuer": ISSUER, "clientId": CLIENT_ID,
                "deploymentIds": [DEPLOYMENT],
                "authLoginUrl": "https://lms.example.com/auth", "tokenUrl": "https://lms.example.com/token",
                "jwksUrl": format!("http://127.0.0.1:{port}/jwks"),
            })
            .to_string(),
        )
        .send()
        .await;
    response.assert_status(StatusCode::CREATED);
    let (key, _) = rsa_key();
    for n in 0..20 {
        let (state, nonce) = login(&app).await;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(format!("forged-{n}"));
        let token = jsonwebtoken::encode(&header, &good_claims(&nonce, "au-1"), &key).unwrap();
        let response = post_launch(&app, &token, &state).await;
        response.assert_status(StatusCode::BAD_GATEWAY);
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "one fetch for 20 launches"
    );
}

#[tokio::test]
async fn pruning_removes_expired_states_and_nonces_and_keeps_live_ones() {
    let app = TestApp::spawn().await;
    let platform = TestPlatform::register(&app).await;
    let _live = login(&app).await;
    let backend = app.db.backend();
    let sql = |text: String| Statement::from_string(backend, text);
    app.db
        .conn
        .execute_raw(sql(format!(
            "INSERT INTO lti_states (state_hash, platform_id, nonce, target_link_uri, expires_us, used) \
             VALUES ('expired', {}, 'n', 't', 1, false)",
            platform.platform_id
        )))
        .await
        .unwrap();
    app.db
        .conn
        .execute_raw(sql(
            "INSERT INTO lti_nonces (scope, nonce, expires_us) VALUES ('consumer:k', 'old', 1), \
             ('consumer:k', 'live', 99999999999999999)"
                .into(),
        ))
        .await
        .unwrap();
    let now = jiff::Timestamp::now().as_microsecond();
    blackbelt::lti::housekeeping::prune(app.db.writer(), now)
        .await
        .unwrap();
    assert_eq!(count(&app, "lti_states").await, 1, "the live state stays");
    assert_eq!(count(&app, "lti_nonces").await, 1, "the live nonce stays");
    let left = app
        .db
        .conn
        .query_one_raw(sql("SELECT state_hash FROM lti_states".into()))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(left.try_get::<String>("", "state_hash").unwrap(), "expired");
}

#[tokio::test]
async fn one_address_is_throttled_after_its_burst() {
    let app = TestApp::spawn_with(|config| {
        config.lti_rate_limit_burst = 3;
        config.lti_rate_limit_per_minute = 6;
    })
    .await;
    for _ in 0..3 {
        let response = app.client.get("/lti/login").send().await;
        response.assert_status(StatusCode::BAD_REQUEST);
    }
    let response = app
        .client
        .post("/lti/launch")
        .content_type("application/x-www-form-urlencoded")
        .body("id_token=x&state=y")
        .send()
        .await;
    response.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.0.headers()["retry-after"], "10");
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains("too_many_requests"), "{page}");
    // Other endpoints are not throttled.
    app.client
        .get("/lti/jwks")
        .send()
        .await
        .assert_status_is_ok();
    let about = app.client.get("/xapi/about").send().await;
    about.assert_status_is_ok();
    let _ = json_of(about).await;
}
