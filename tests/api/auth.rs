//! Credentials and scopes on the xAPI routes.

use serde_json::json;

use crate::helpers::{TestApp, basic, json_of, statement};

#[tokio::test]
async fn missing_credentials_are_a_401_with_a_basic_challenge() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get("/xapi/statements")
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    let challenge = response
        .0
        .headers()
        .get("WWW-Authenticate")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Basic"));
    assert_eq!(json_of(response).await["error"], "unauthorized");
}

#[tokio::test]
async fn a_wrong_secret_is_a_401() {
    let app = TestApp::spawn().await;
    let response = app.get_as("", &basic("bb_nobody", "wrong")).await;
    response.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    assert!(response.0.headers().contains_key("WWW-Authenticate"));
}

#[tokio::test]
async fn a_read_only_credential_cannot_write() {
    let app = TestApp::spawn().await;
    let reader = app.credential("all/read").await;
    let response = app.post_as(&statement(1), &reader, "1.0.3").await;
    response.assert_status(poem::http::StatusCode::FORBIDDEN);
    assert!(
        json_of(response).await["message"]
            .as_str()
            .unwrap()
            .contains("statements/write")
    );
    app.get_as("", &reader).await.assert_status_is_ok();
}

#[tokio::test]
async fn a_write_only_credential_cannot_read() {
    let app = TestApp::spawn().await;
    let writer = app.credential("statements/write").await;
    app.post_as(&statement(1), &writer, "1.0.3")
        .await
        .assert_status_is_ok();
    app.get_as("", &writer)
        .await
        .assert_status(poem::http::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn read_mine_sees_only_statements_it_wrote() {
    let app = TestApp::spawn().await;
    let mine = app
        .credential("statements/write,statements/read/mine")
        .await;
    app.post(&statement(1)).await.assert_status_is_ok();
    let own_id = json_of(app.post_as(&statement(2), &mine, "1.0.3").await).await[0].clone();
    let page = json_of(app.get_as("", &mine).await).await;
    let ids: Vec<_> = page["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(ids, vec![own_id]);
    assert_eq!(app.ids("").await.len(), 2);
}

#[tokio::test]
async fn the_authority_is_the_credential_not_what_the_client_claims() {
    let app = TestApp::spawn().await;
    let mut body = statement(1);
    body["authority"] = json!({"mbox": "mailto:impostor@example.com"});
    let id = json_of(app.post(&body).await).await[0]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = json_of(app.get(&format!("?statementId={id}")).await).await;
    assert_ne!(stored["authority"]["mbox"], "mailto:impostor@example.com");
    assert!(
        stored["authority"]["account"]["name"]
            .as_str()
            .unwrap()
            .starts_with("bb_")
    );
}

#[tokio::test]
async fn a_revoked_credential_is_refused() {
    let app = TestApp::spawn().await;
    let created = blackbelt::auth::store::create(
        &app.db.conn,
        "temp",
        blackbelt::auth::Scopes::parse_list("all").unwrap(),
        "http://test",
    )
    .await
    .unwrap();
    assert!(
        blackbelt::auth::store::revoke(&app.db.conn, &created.key)
            .await
            .unwrap()
    );
    let response = app.get_as("", &basic(&created.key, &created.secret)).await;
    response.assert_status(poem::http::StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_credential_is_refused_at_once_here_and_within_a_second_by_other_instances() {
    let here = TestApp::spawn().await;
    let there = here.spawn_beside().await;
    let created = blackbelt::auth::store::create(
        &here.db.conn,
        "revokee",
        blackbelt::auth::Scopes::parse_list("all").unwrap(),
        "http://test",
    )
    .await
    .unwrap();
    let auth = basic(&created.key, &created.secret);
    // Both instances have checked the credential, so both remember it.
    for app in [&here, &there] {
        app.get_as("?limit=1", &auth).await.assert_status_is_ok();
    }

    assert!(here.auth_service.revoke(&created.key).await.unwrap());
    here.get_as("?limit=1", &auth)
        .await
        .assert_status(poem::http::StatusCode::UNAUTHORIZED);
    let revoked = std::time::Instant::now();
    loop {
        let status = there.get_as("?limit=1", &auth).await.0.status();
        if status == poem::http::StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, poem::http::StatusCode::OK);
        assert!(
            revoked.elapsed() < std::time::Duration::from_millis(1500),
            "the other instance still accepts the credential {:?} after it was revoked",
            revoked.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Revoking again finds nothing to revoke.
    assert!(!there.auth_service.revoke(&created.key).await.unwrap());
}

#[tokio::test]
async fn an_instance_that_lost_its_revocation_listener_forgets_the_credentials_it_remembered() {
    use sea_orm::{ConnectionTrait, DbBackend};
    let app = TestApp::spawn().await;
    if app.db.backend() != DbBackend::Postgres {
        return; // SQLite instances ask the database instead of listening
    }
    let created = blackbelt::auth::store::create(
        &app.db.conn,
        "revokee",
        blackbelt::auth::Scopes::parse_list("all").unwrap(),
        "http://test",
    )
    .await
    .unwrap();
    let auth = basic(&created.key, &created.secret);
    app.get_as("?limit=1", &auth).await.assert_status_is_ok();
    // Revoked without a notice, as if it had been sent while the listener was away:
    // the instance still goes by what it remembers.
    app.db
        .conn
        .execute_unprepared(&format!(
            "UPDATE credentials SET revoked_at_ms = 1 WHERE key = '{}'",
            created.key
        ))
        .await
        .unwrap();
    app.get_as("?limit=1", &auth).await.assert_status_is_ok();

    // Cut the listeners' connections (other tests' listeners reconnect as well).
    app.db
        .conn
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN %'",
        )
        .await
        .unwrap();
    let cut = std::time::Instant::now();
    while app.get_as("?limit=1", &auth).await.0.status() != poem::http::StatusCode::UNAUTHORIZED {
        assert!(
            cut.elapsed() < std::time::Duration::from_secs(3),
            "the credential is still accepted {:?} after the listener lost its connection",
            cut.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_credential_without_admin_gets_403_on_admin_routes_whatever_body_it_sends() {
    let app = TestApp::spawn().await;
    let reader = app.credential("all").await;
    for (path, body) in [
        ("/api/lti/consumers", "not json"),
        ("/api/lti/platforms", "{\"unexpected\": true}"),
        ("/api/launches", "[]"),
    ] {
        let response = app
            .client
            .post(path)
            .header("Authorization", &reader)
            .content_type("application/json")
            .body(body)
            .send()
            .await;
        response.assert_status(poem::http::StatusCode::FORBIDDEN);
    }
}
