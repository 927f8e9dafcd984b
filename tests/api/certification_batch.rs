//! Awards of one evaluation pass stored together (`engine::batch`): a belt that names
//! another belt of the same pass gets that award's real id, and a belt the learner
//! already holds makes the batch give way (the engine then decides again one by one).

use blackbelt::certification::awards::store::active_key;
use blackbelt::certification::engine::batch::{PendingAward, store};
use entities::cert_award;
use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::json;

use crate::helpers::TestApp;

fn pending(learner: &str, belt: &str, evidence: serde_json::Value) -> PendingAward {
    PendingAward {
        award: cert_award::Model {
            id: 0,
            learner_key: learner.into(),
            program_id: "p".into(),
            program_version: 1,
            belt_id: belt.into(),
            status: "active".into(),
            active_key: Some(active_key(learner, belt)),
            earned_us: 1,
            valid_until_us: None,
            expires_us: None,
            evidence,
            renewals: json!([]),
            source: "rules".into(),
            reason: None,
            awarded_by: None,
            revoked_us: None,
            revoked_reason: None,
            revoked_by: None,
            statement_id: None,
            updated_us: 1,
        },
        actor: json!({"mbox": "mailto:ada@example.com"}),
        at: (0, 0),
    }
}

#[tokio::test]
async fn a_belt_earned_in_the_same_pass_is_named_by_its_stored_id() {
    let app = TestApp::spawn().await;
    let txn = app.db.writer().begin().await.unwrap();
    let batch = vec![
        pending(
            "ada",
            "yellow",
            json!([{"kind": "belt", "belt": "white", "award_id": 0}]),
        ),
        pending("ada", "white", json!([{"kind": "statement", "id": "s1"}])),
        pending("bob", "white", json!([])),
    ];
    let stored = store(&txn, batch)
        .await
        .unwrap()
        .expect("nothing held before");
    txn.commit().await.unwrap();
    let white = stored
        .iter()
        .find(|p| p.award.active_key.as_deref() == Some("ada white"));
    let white_id = white.unwrap().award.id;
    let yellow = &stored[0].award;
    assert!(white_id > 0 && yellow.id > 0 && yellow.id != white_id);
    let row = cert_award::Entity::find_by_id(yellow.id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.evidence[0]["award_id"],
        json!(white_id),
        "{}",
        row.evidence
    );
    assert_eq!(
        cert_award::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn a_belt_already_held_makes_the_batch_give_way() {
    let app = TestApp::spawn().await;
    let txn = app.db.writer().begin().await.unwrap();
    let first = store(&txn, vec![pending("ada", "white", json!([]))])
        .await
        .unwrap();
    assert!(first.is_some());
    let again = store(
        &txn,
        vec![
            pending("bob", "white", json!([])),
            pending("ada", "white", json!([])),
        ],
    )
    .await
    .unwrap();
    assert!(again.is_none(), "ada already holds white");
    txn.rollback().await.unwrap();
}
