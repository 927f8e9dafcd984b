//! `blackbelt belts …` and `blackbelt evidence …` on a database file: what an operator
//! at the server sees and changes, audited as `console:<user>`.

use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::cert_fixture::{now, program};
use entities::{cert_audit, cert_award, cert_evidence, cert_program};

pub fn cli(db: &str, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blackbelt"))
        .args(args)
        .args(["--database-url", db])
        .env("RUST_LOG", "warn")
        .env("USER", "operator")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub async fn database() -> (tempfile::TempDir, String, sea_orm::DatabaseConnection) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let (ok, _, err) = cli(&db, &["migrate"]);
    assert!(ok, "{err}");
    let conn = sea_orm::Database::connect(&db).await.unwrap();
    let program = program();
    cert_program::ActiveModel {
        program_id: Set("smac".into()),
        version: Set(1),
        content_hash: Set("fixture".into()),
        name: Set(program.program.name.clone()),
        definition: Set(serde_json::to_value(&program).unwrap()),
        imported_us: Set(now()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .unwrap();
    (dir, db, conn)
}

async fn evidence(conn: &sea_orm::DatabaseConnection, learner: &str) -> i64 {
    cert_evidence::ActiveModel {
        learner_key: Set(learner.into()),
        belt_id: Set("white".into()),
        requirement_id: Set("pledge".into()),
        kind: Set("text".into()),
        text: Set(Some("my pledge".into())),
        status: Set("pending".into()),
        submitted_us: Set(now()),
        submitted_by: Set(format!("learner:{learner}")),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn the_cli_lists_belts_and_holders_and_refuses_an_award_without_a_known_belt() {
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
    let (ok, out, err) = cli(&db, &["belts", "list", "--json"]);
    assert!(ok, "{err}");
    let belts: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(belts[0]["id"], "white");
    assert_eq!(belts[0]["holders"], 1);
    let (ok, out, err) = cli(&db, &["belts", "holders", "white"]);
    assert!(ok, "{err}");
    assert!(out.contains("account:https://lms.example.com|ada"), "{out}");
    let (ok, _, err) = cli(
        &db,
        &[
            "belts",
            "award",
            "--learner",
            "ada",
            "--belt",
            "black",
            "--reason",
            "prior",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("--belt") && err.contains("blackbelt belts list"),
        "{err}"
    );
    let (ok, _, err) = cli(&db, &["belts", "revoke", "1", "--reason", " "]);
    assert!(!ok);
    assert!(err.contains("--reason"), "{err}");
}

#[tokio::test]
async fn the_cli_lists_the_queue_and_approves_and_rejects_as_the_console_user() {
    let (_dir, db, conn) = database().await;
    let first = evidence(&conn, "account:https://lms.example.com|ada").await;
    let second = evidence(&conn, "account:https://lms.example.com|bob").await;
    let (ok, out, err) = cli(&db, &["evidence", "list", "--status", "pending", "--json"]);
    assert!(ok, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (ok, _, err) = cli(&db, &["evidence", "list", "--status", "lost"]);
    assert!(!ok);
    assert!(err.contains("pending"), "{err}");

    let (ok, out, err) = cli(&db, &["evidence", "approve", &first.to_string()]);
    assert!(ok, "{err}");
    assert!(out.contains("approved"), "{out}");
    let (ok, _, err) = cli(&db, &["evidence", "approve", &first.to_string()]);
    assert!(!ok);
    assert!(err.contains("already approved"), "{err}");
    let (ok, _, err) = cli(
        &db,
        &[
            "evidence",
            "reject",
            &second.to_string(),
            "--comment",
            "name the policy",
        ],
    );
    assert!(ok, "{err}");
    let (ok, out, _) = cli(&db, &["evidence", "list", "--status", "pending"]);
    assert!(ok);
    assert!(out.contains("no evidence"), "{out}");
    let audit = cert_audit::Entity::find().all(&conn).await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("evidence.approve", "console:operator"),
            ("evidence.reject", "console:operator")
        ]
    );
}
