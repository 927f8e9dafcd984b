//! Secrets at rest: LTI 1.1 consumer secrets, the tool's LTI 1.3 private keys and the
//! server's keys are stored sealed with a key that is not in the database; plain rows
//! from before are sealed at start; a wrong key stops the start.

use blackbelt::crypto::SecretsKey;
use blackbelt::lti::keys;
use poem::http::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::TestApp;
use crate::lti11::{consumer, signed};

async fn column(app: &TestApp, sql: &str) -> Vec<(String, String)> {
    let backend = app.db.conn.get_database_backend();
    app.db
        .conn
        .query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "value").unwrap(),
            )
        })
        .collect()
}

async fn execute(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    let backend = app.db.conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| match c {
                    '?' => {
                        n += 1;
                        format!("${n}")
                    }
                    c => c.to_string(),
                })
                .collect()
        }
        _ => sql.to_owned(),
    };
    app.db
        .writer()
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
}

async fn launch(app: &TestApp, key: &str, secret: &str, nonce: &str) -> StatusCode {
    let url = "http://127.0.0.1:8420/lti/11/launch";
    let body = signed(
        url,
        key,
        secret,
        nonce,
        jiff::Timestamp::now().as_second(),
        &[],
    );
    app.client
        .post("/lti/11/launch")
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .0
        .status()
}

#[tokio::test]
async fn a_consumer_secret_is_stored_sealed_and_launches_still_verify() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let (key, secret) = consumer(&app).await;
    let rows = column(
        &app,
        "SELECT consumer_key AS id, secret AS value FROM lti_consumers",
    )
    .await;
    assert_eq!(rows.len(), 1);
    let stored = &rows[0].1;
    assert_ne!(stored, &secret);
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(&secret), "{stored}");
    assert_eq!(launch(&app, &key, &secret, "n-1").await, StatusCode::FOUND);
    assert_eq!(
        launch(&app, &key, stored, "n-2").await,
        StatusCode::UNAUTHORIZED,
        "the stored text is not the secret"
    );
}

#[tokio::test]
async fn the_tools_private_key_and_server_keys_are_stored_sealed() {
    let app = TestApp::spawn().await;
    keys::signing_key(&app.db).await.unwrap();
    let pems = column(&app, "SELECT kid AS id, private_pem AS value FROM lti_keys").await;
    assert_eq!(pems.len(), 1);
    assert!(pems[0].1.starts_with("v1:"), "{}", pems[0].1);
    assert!(!pems[0].1.contains("PRIVATE KEY"));
    let secrets = column(
        &app,
        "SELECT name AS id, value_hex AS value FROM server_secrets",
    )
    .await;
    assert!(!secrets.is_empty());
    assert!(
        secrets.iter().all(|(_, v)| v.starts_with("v1:")),
        "{secrets:?}"
    );
}

#[tokio::test]
async fn plain_rows_from_before_are_sealed_at_start_and_keep_working() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    keys::signing_key(&app.db).await.unwrap();
    let sealer = app.db.secrets().unwrap().clone();
    // As an older version stored them: in plain text.
    execute(
        &app,
        "INSERT INTO lti_consumers (consumer_key, name, secret, origin, created_us) VALUES (?, ?, ?, NULL, ?)",
        vec!["bb11_old".into(), "Old LMS".into(), "plain-old-secret".into(), 1_i64.into()],
    )
    .await;
    let (kid, sealed_pem) = column(&app, "SELECT kid AS id, private_pem AS value FROM lti_keys")
        .await
        .remove(0);
    let pem = sealer.open_text(&sealed_pem, &kid).unwrap();
    execute(
        &app,
        "UPDATE lti_keys SET private_pem = ? WHERE kid = ?",
        vec![pem.clone().into(), kid.clone().into()],
    )
    .await;
    let cursor = column(
        &app,
        "SELECT name AS id, value_hex AS value FROM server_secrets",
    )
    .await;
    for (name, sealed) in &cursor {
        let plain = sealer.open_text(sealed, name).unwrap();
        execute(
            &app,
            "UPDATE server_secrets SET value_hex = ? WHERE name = ?",
            vec![plain.into(), name.clone().into()],
        )
        .await;
    }

    // A restarted server seals them, and everything still works.
    let restarted = app.spawn_beside().await;
    let stored = column(
        &restarted,
        "SELECT consumer_key AS id, secret AS value FROM lti_consumers",
    )
    .await;
    assert!(
        stored[0].1.starts_with("v1:") && !stored[0].1.contains("plain-old"),
        "{stored:?}"
    );
    assert_eq!(
        launch(&restarted, "bb11_old", "plain-old-secret", "n-1").await,
        StatusCode::FOUND
    );
    let pems = column(
        &restarted,
        "SELECT kid AS id, private_pem AS value FROM lti_keys",
    )
    .await;
    assert_eq!(sealer.open_text(&pems[0].1, &kid).unwrap(), pem);
    let jwt = keys::sign(&restarted.db, &serde_json::json!({"sub": "x"}))
        .await
        .unwrap();
    assert_eq!(jwt.split('.').count(), 3);
    let after = column(
        &restarted,
        "SELECT name AS id, value_hex AS value FROM server_secrets",
    )
    .await;
    for ((name, before), (_, now)) in cursor.iter().zip(&after) {
        assert!(now.starts_with("v1:"));
        assert_eq!(
            sealer.open_text(now, name).unwrap(),
            sealer.open_text(before, name).unwrap()
        );
    }
    // Starting again changes nothing: sealing is done once.
    let again = restarted.spawn_beside().await;
    let unchanged = column(
        &again,
        "SELECT consumer_key AS id, secret AS value FROM lti_consumers",
    )
    .await;
    assert_eq!(unchanged, stored);
}

#[tokio::test]
async fn a_wrong_key_is_refused_at_start_naming_the_setting_and_nothing_changes() {
    let app = TestApp::spawn().await;
    consumer(&app).await;
    let before = column(
        &app,
        "SELECT consumer_key AS id, secret AS value FROM lti_consumers",
    )
    .await;
    let other = SecretsKey::generate_base64().unwrap();
    let error = match app.build_beside(|c| c.secrets_key = Some(other)).await {
        Ok(_) => panic!("a server with another key started"),
        Err(e) => e.to_string(),
    };
    assert!(
        error.contains("do not open with the configured secrets key"),
        "{error}"
    );
    assert!(
        error.contains("secrets_key (BLACKBELT_SECRETS_KEY)"),
        "{error}"
    );
    assert!(error.contains("secrets_key_file"), "{error}");
    let after = column(
        &app,
        "SELECT consumer_key AS id, secret AS value FROM lti_consumers",
    )
    .await;
    assert_eq!(before, after);
    let malformed = match app
        .build_beside(|c| c.secrets_key = Some("c2hvcnQ=".into()))
        .await
    {
        Ok(_) => panic!("a server with a 5-byte key started"),
        Err(e) => e.to_string(),
    };
    assert!(
        malformed.starts_with("secrets_key (BLACKBELT_SECRETS_KEY) must be 32 bytes"),
        "{malformed}"
    );
}
