//! Passback upkeep and the CLI: pruning removes old finished messages (in batches) and
//! keeps new ones and every target; `blackbelt passback list|retry` on a database file.

use blackbelt::passback::store;
use entities::{passback_message, passback_target};
use sea_orm::{ActiveModelTrait, ActiveValue, EntityTrait};
use serde_json::{Value, json};

use crate::content::POLICY_AU;
use crate::helpers::TestApp;
use crate::lti_platform::TestPlatform;
use crate::passback_admin::{first_id, launch, target};

async fn add_message(
    app: &TestApp,
    target_id: i64,
    state: &str,
    at_us: i64,
) -> passback_message::Model {
    passback_message::ActiveModel {
        target_id: ActiveValue::Set(target_id),
        state: ActiveValue::Set(state.into()),
        payload: ActiveValue::Set(json!({"resultScore": 0.5})),
        event_us: ActiveValue::Set(at_us),
        due_us: ActiveValue::Set(at_us),
        expires_us: ActiveValue::Set(at_us + 1),
        attempts: ActiveValue::Set(1),
        created_us: ActiveValue::Set(at_us),
        delivered_us: ActiveValue::Set((state == "delivered").then_some(at_us)),
        failed_us: ActiveValue::Set((state == "failed").then_some(at_us)),
        ..Default::default()
    }
    .insert(&app.db.conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn pruning_removes_old_finished_messages_and_keeps_new_ones_and_targets() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    launch(&app, &platform).await;
    let pending = first_id(&app).await;
    let t = target(&app).await.id;
    let day = 86_400_000_000_i64;
    let now = jiff::Timestamp::now().as_microsecond();
    let mut kept = vec![pending];
    for (state, age_days, keep) in [
        ("delivered", 31, false),
        ("delivered", 29, true),
        ("superseded", 31, false),
        ("superseded", 29, true),
        ("failed", 91, false),
        ("failed", 89, true),
        ("pending", 400, true),
    ] {
        let m = add_message(&app, t, state, now - age_days * day).await;
        if keep {
            kept.push(m.id);
        }
    }
    // More old deliveries than one batch deletes.
    let batch = usize::try_from(store::PRUNE_BATCH).unwrap();
    for _ in 0..batch + 7 {
        add_message(&app, t, "delivered", now - 40 * day).await;
    }
    let pruned = store::prune(&app.db, now, 30, 90).await.unwrap();
    assert_eq!(pruned.delivered as usize, batch + 8);
    assert_eq!(pruned.superseded, 1);
    assert_eq!(pruned.failed, 1);
    let mut left: Vec<i64> = passback_message::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    left.sort();
    kept.sort();
    assert_eq!(left, kept);
    assert_eq!(target(&app).await.id, t, "the target is kept");
    // Zero days keeps everything.
    let none = store::prune(&app.db, now + 1000 * day, 0, 0).await.unwrap();
    assert_eq!(none, store::Pruned::default());
}

/// The binary on a SQLite file, with `args` after `--database-url`.
fn cli(db: &str, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blackbelt"))
        .args(args)
        .args(["--database-url", db])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_lists_failed_messages_and_retries_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let (ok, _, err) = cli(&db, &["migrate"]);
    assert!(ok, "{err}");
    let conn = sea_orm::Database::connect(&db).await.unwrap();
    let now = jiff::Timestamp::now().as_microsecond();
    let target = passback_target::ActiveModel {
        target_key: ActiveValue::Set("k".repeat(64)),
        registration: ActiveValue::Set(crate::helpers::uuid()),
        object_id: ActiveValue::Set(POLICY_AU.into()),
        protocol: ActiveValue::Set("lti11".into()),
        source: ActiveValue::Set("consumer:moodle".into()),
        user_id: ActiveValue::Set("learner-7".into()),
        label: ActiveValue::Set("Policy".into()),
        scopes: ActiveValue::Set(String::new()),
        outcome_url: ActiveValue::Set(Some("https://lms.example.com/outcomes".into())),
        sourcedid: ActiveValue::Set(Some("sid".into())),
        consecutive_failures: ActiveValue::Set(0),
        lease_epoch: ActiveValue::Set(0),
        created_us: ActiveValue::Set(now),
        updated_us: ActiveValue::Set(now),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .unwrap();
    let mut ids = Vec::new();
    // The delivered one reports an earlier standing: the failed one is the newest.
    for (state, event_us) in [("failed", now), ("delivered", now - 1000)] {
        let m = passback_message::ActiveModel {
            target_id: ActiveValue::Set(target.id),
            state: ActiveValue::Set(state.into()),
            payload: ActiveValue::Set(json!({"resultScore": 0.9})),
            event_us: ActiveValue::Set(event_us),
            due_us: ActiveValue::Set(now),
            expires_us: ActiveValue::Set(now + 1),
            attempts: ActiveValue::Set(3),
            last_status: ActiveValue::Set(Some(400)),
            last_error: ActiveValue::Set(Some("the consumer refused it".into())),
            last_answer: ActiveValue::Set(Some("<imsx_codeMajor>failure</imsx_codeMajor>".into())),
            created_us: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .unwrap();
        ids.push(m.id.to_string());
    }
    drop(conn);

    let (ok, out, err) = cli(&db, &["passback", "list", "--state", "failed"]);
    assert!(ok, "{err}");
    assert!(out.contains("STATE") && out.contains("ATTEMPTS"), "{out}");
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{out}");
    assert!(
        rows[0].contains(&ids[0]) && rows[0].contains("failed"),
        "{out}"
    );
    assert!(rows[0].contains("the consumer refused it"), "{out}");
    let (ok, out, _) = cli(&db, &["passback", "list", "--json"]);
    assert!(ok);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(
        list[1]["lastAnswer"],
        "<imsx_codeMajor>failure</imsx_codeMajor>"
    );
    assert_eq!(list[1]["outcomeUrl"], "https://lms.example.com/outcomes");
    let (ok, _, err) = cli(&db, &["passback", "list", "--state", "lost"]);
    assert!(!ok && err.contains("`state`"), "{err}");

    let (ok, out, err) = cli(&db, &["passback", "retry", &ids[0], &ids[1]]);
    assert!(!ok, "one of two was not failed");
    assert!(out.contains(&format!("{}: pending", ids[0])), "{out}");
    assert!(
        err.contains("only a failed message can be retried"),
        "{err}"
    );
    let (ok, out, _) = cli(&db, &["passback", "list", "--state", "pending"]);
    assert!(ok && out.contains(&ids[0]), "{out}");
    let (ok, out, err) = cli(&db, &["passback", "retry", "--all-failed"]);
    assert!(ok, "{err}");
    assert!(out.contains("no failed messages"), "{out}");
    let (ok, _, err) = cli(&db, &["passback", "retry"]);
    assert!(!ok && err.contains("<IDS>"), "{err}");
}
