//! `blackbelt badges …` on a database file: an operator lists, shows and re-signs
//! credentials and lists and rotates the issuer's keys; changes are audited as
//! `console:<user>`.

use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::badges_support::proof;
use crate::cert_cli::{cli, database};
use crate::cert_fixture::now;
use entities::{cert_audit, cert_award};

#[tokio::test]
async fn an_operator_lists_shows_and_reissues_credentials_and_rotates_keys() {
    let (_dir, db, conn) = database().await;
    cert_award::ActiveModel {
        learner_key: Set("account:https://lms.example.com|ada".into()),
        program_id: Set("smac".into()),
        program_version: Set(1),
        belt_id: Set("white".into()),
        status: Set("active".into()),
        active_key: Set(Some("account:https://lms.example.com|ada white".into())),
        earned_us: Set(now()),
        evidence: Set(json!({})),
        renewals: Set(json!([])),
        source: Set("rules".into()),
        updated_us: Set(now()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .unwrap();
    let (ok, out, err) = cli(&db, &["badges", "list", "--json"]);
    assert!(ok, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["belt"], "white");
    assert_eq!(list[0]["status"]["name"], "valid");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let (ok, out, err) = cli(&db, &["badges", "show", &id]);
    assert!(ok, "{err}");
    let credential: Value = serde_json::from_str(&out).unwrap();
    assert!(credential["id"].as_str().unwrap().ends_with(&id));
    let old_method = proof(&credential)["verificationMethod"].clone();
    let (ok, out, _) = cli(&db, &["badges", "show", &id, "--jwt"]);
    assert!(ok && out.trim().split('.').count() == 3, "{out}");
    let (ok, out, err) = cli(&db, &["badges", "keys", "list"]);
    assert!(ok, "{err}");
    assert_eq!(out.matches("current").count(), 2, "{out}");
    let (ok, out, err) = cli(&db, &["badges", "keys", "rotate"]);
    assert!(ok && out.contains("rotated"), "{out}{err}");
    let (_, out, _) = cli(&db, &["badges", "keys", "list", "--json"]);
    let keys: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(keys.as_array().unwrap().len(), 4);
    let (ok, out, err) = cli(&db, &["badges", "reissue", &id]);
    assert!(ok && out.contains("re-signed"), "{out}{err}");
    let (_, out, _) = cli(&db, &["badges", "show", &id]);
    let resigned: Value = serde_json::from_str(&out).unwrap();
    assert_ne!(proof(&resigned)["verificationMethod"], old_method);
    let audit: Vec<(String, String)> = cert_audit::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.action, a.actor))
        .collect();
    assert!(audit.contains(&("badge.keys.rotate".into(), "console:operator".into())));
    assert!(audit.contains(&("badge.reissue".into(), "console:operator".into())));
}

#[tokio::test]
async fn the_cli_names_an_unknown_credential() {
    let (_dir, db, _conn) = database().await;
    let (ok, _, err) = cli(&db, &["badges", "show", "not-a-uuid"]);
    assert!(!ok);
    assert!(err.contains("no credential `not-a-uuid`"), "{err}");
    let (ok, _, err) = cli(
        &db,
        &["badges", "reissue", "2f1b6e0c-3d4a-4b5c-8d9e-0f1a2b3c4d5e"],
    );
    assert!(!ok);
    assert!(
        err.contains("2f1b6e0c-3d4a-4b5c-8d9e-0f1a2b3c4d5e"),
        "{err}"
    );
}
