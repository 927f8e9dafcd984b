//! Belts over time: renewal inside the window, expiry by the sweep (once, with several
//! instances), revocation then re-earning, and program versions.

use blackbelt::certification::awards::store::add_months;
use blackbelt::certification::awards::{self, Manual};
use blackbelt::certification::engine::{self, sweep::sweep_once};
use entities::{cert_audit, cert_award};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;

use crate::certification_engine::urlencoding;
use crate::certification_support::*;
use crate::helpers::{TestApp, json_of};

fn renewable_white() -> serde_json::Value {
    let mut b = belt("white", json!({"au": {"id": AU_POLICY}}));
    b["validity_months"] = json!(12);
    b["grace_days"] = json!(30);
    b["recertify"] = json!({"window_days": 60,
        "requires": {"statements": {"label": "one post", "verb": SHARED}}});
    b
}

async fn share(app: &TestApp, tool: &str, mbox: &str, n: u32) {
    let s = tool_statement(
        mbox,
        SHARED,
        &format!("https://social.example.com/p/{n}"),
        None,
    );
    app.post_as(&s, tool, "1.0.3").await.assert_status_is_ok();
}

async fn audit_actions(app: &TestApp, award_id: i64) -> Vec<String> {
    cert_audit::Entity::find()
        .filter(cert_audit::Column::AwardId.eq(award_id))
        .order_by_asc(cert_audit::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect()
}

#[tokio::test]
async fn a_belt_renews_from_work_inside_its_window_and_the_sweep_expires_it_once_after_grace() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    with_belts(&app, vec![renewable_white()]).await;
    let before = now_us();
    finish(&app, "ann", AU_POLICY, 0.9).await;
    let award = awards(&app, "ann").await.remove(0);
    let until = award.valid_until_us.unwrap();
    assert!(until >= add_months(before, 12) && until <= add_months(now_us(), 12));
    assert_eq!(award.expires_us, Some(until + 30 * DAY_US));
    let tool = app.credential("statements/write").await;
    share(&app, &tool, "mailto:ann@example.com", 1).await;
    assert_eq!(
        awards(&app, "ann").await[0].renewals,
        json!([]),
        "window not open yet"
    );

    // Eleven and a half months on: validity ends in 15 days, the window is open.
    let now = now_us();
    let mut row: cert_award::ActiveModel = award.clone().into();
    row.earned_us = Set(now - 350 * DAY_US);
    row.valid_until_us = Set(Some(now + 15 * DAY_US));
    row.expires_us = Set(Some(now + 45 * DAY_US));
    row.update(&app.db.conn).await.unwrap();
    share(&app, &tool, "mailto:ann@example.com", 2).await;
    let renewed = awards(&app, "ann").await.remove(0);
    assert_eq!(renewed.id, award.id, "renewal keeps the award");
    assert_eq!(
        renewed.valid_until_us,
        Some(add_months(now + 15 * DAY_US, 12))
    );
    assert_eq!(renewed.renewals.as_array().unwrap().len(), 1);
    share(&app, &tool, "mailto:ann@example.com", 3).await;
    assert_eq!(
        awards(&app, "ann").await[0]
            .renewals
            .as_array()
            .unwrap()
            .len(),
        1,
        "once"
    );

    // Past validity and grace: two instances sweep at once; one expires it.
    let expires = renewed.expires_us.unwrap();
    assert_eq!(sweep_once(&app.db, expires - 1).await.unwrap().expired, 0);
    let beside = app.spawn_beside().await;
    let (a, b) = tokio::join!(
        sweep_once(&app.db, expires + 1),
        sweep_once(&beside.db, expires + 1)
    );
    assert_eq!(a.unwrap().expired + b.unwrap().expired, 1);
    let expired = awards(&app, "ann").await.remove(0);
    assert_eq!(
        (expired.status.as_str(), expired.active_key),
        ("expired", None)
    );
    assert_eq!(sweep_once(&app.db, expires + 2).await.unwrap().expired, 0);
    assert_eq!(
        audit_actions(&app, award.id).await,
        vec!["award", "renew", "expire"]
    );
    let body = json_of(
        app.get(&format!(
            "?verb={}",
            urlencoding("https://blackbelt.dev/xapi/verbs/expired")
        ))
        .await,
    )
    .await;
    assert_eq!(body["statements"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_sweep_renews_a_belt_whose_renewal_is_already_met_when_its_window_opens() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    let mut yellow = belt("yellow", json!({"belt": "white"}));
    yellow["validity_months"] = json!(12);
    yellow["recertify"] = json!({"window_days": 30, "requires": {"belt": "white"}});
    with_belts(
        &app,
        vec![belt("white", json!({"au": {"id": AU_POLICY}})), yellow],
    )
    .await;
    finish(&app, "ann", AU_POLICY, 0.9).await;
    let yellow = awards(&app, "ann").await.remove(1);
    let until = yellow.valid_until_us.unwrap();
    assert_eq!(
        sweep_once(&app.db, until - 31 * DAY_US)
            .await
            .unwrap()
            .renewed,
        0
    );
    assert_eq!(
        sweep_once(&app.db, until - 29 * DAY_US)
            .await
            .unwrap()
            .renewed,
        1
    );
    let renewed = awards(&app, "ann").await.remove(1);
    assert_eq!(renewed.valid_until_us, Some(add_months(until, 12)));
}

#[tokio::test]
async fn a_revoked_belt_is_earned_again_only_by_work_after_the_revocation() {
    let app = TestApp::spawn().await;
    with_belts(
        &app,
        vec![belt(
            "voice",
            json!({"statements": {"label": "a post", "verb": SHARED}}),
        )],
    )
    .await;
    let tool = app.credential("statements/write").await;
    let mbox = "mailto:solo@example.com";
    share(&app, &tool, mbox, 1).await;
    let key = "mbox:mailto:solo@example.com";
    let list = cert_award::Entity::find()
        .filter(cert_award::Column::LearnerKey.eq(key))
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(
        list.len(),
        1,
        "a learner known only from statements earns too"
    );
    let who = Manual {
        by: "credential:7".into(),
        reason: "shared confidential material".into(),
    };
    let txn = app.db.writer().begin().await.unwrap();
    let revoked = awards::revoke(&txn, list[0].id, &who, now_us())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(revoked.status, "revoked");
    assert_eq!(
        revoked.revoked_reason.as_deref(),
        Some("shared confidential material")
    );
    let txn = app.db.writer().begin().await.unwrap();
    assert!(
        awards::revoke(&txn, list[0].id, &who, now_us())
            .await
            .is_err(),
        "409: not active"
    );
    let again = engine::reevaluate_learner(&txn, key, now_us())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert!(again.is_empty(), "the old post does not count again");
    share(&app, &tool, mbox, 2).await;
    let list = cert_award::Entity::find()
        .filter(cert_award::Column::LearnerKey.eq(key))
        .order_by_asc(cert_award::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap();
    let states: Vec<&str> = list.iter().map(|a| a.status.as_str()).collect();
    assert_eq!(states, vec!["revoked", "active"]);
    assert_eq!(
        audit_actions(&app, list[0].id).await,
        vec!["award", "revoke"]
    );
    let audit = cert_audit::Entity::find()
        .filter(cert_audit::Column::Action.eq("revoke"))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit.actor, "credential:7");
}

#[tokio::test]
async fn manual_award_and_extension_are_audited_and_a_second_award_is_a_conflict() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    with_belts(&app, vec![renewable_white()]).await;
    let s = Session::start(&app, "ann", AU_POLICY).await; // registers ann
    s.complete(&app).await;
    let who = Manual {
        by: "credential:3".into(),
        reason: "certified by the agency in 2025".into(),
    };
    let txn = app.db.writer().begin().await.unwrap();
    let award = awards::award_manually(&txn, &learner_key("ann"), "white", &who, now_us())
        .await
        .unwrap();
    let err = awards::award_manually(&txn, &learner_key("ann"), "white", &who, now_us()).await;
    assert!(matches!(err, Err(blackbelt::error::Error::Conflict(_))));
    let err = awards::award_manually(&txn, &learner_key("ann"), "black", &who, now_us()).await;
    assert!(matches!(err, Err(blackbelt::error::Error::NotFound(_))));
    let err = awards::award_manually(&txn, "account:nobody", "white", &who, now_us()).await;
    assert!(matches!(err, Err(blackbelt::error::Error::NotFound(_))));
    let until = now_us() + 400 * DAY_US;
    let extended = awards::extend(&txn, award.id, until, &who, now_us())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        (award.source.as_str(), award.awarded_by.as_deref()),
        ("manual", Some("credential:3"))
    );
    assert_eq!(extended.valid_until_us, Some(until));
    assert_eq!(extended.expires_us, Some(until + 30 * DAY_US));
    assert_eq!(audit_actions(&app, award.id).await, vec!["award", "extend"]);
    s.pass(&app, 0.9).await;
    assert_eq!(
        awards(&app, "ann").await.len(),
        1,
        "held: not awarded again by rules"
    );
}

#[tokio::test]
async fn a_program_change_leaves_earlier_awards_on_their_version_and_reevaluation_is_idempotent() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    let v1 = with_belts(&app, vec![belt("white", json!({"au": {"id": AU_POLICY}}))]).await;
    finish(&app, "ann", AU_POLICY, 0.7).await;
    let mut v2 = v1.clone();
    v2.belts[0] = serde_json::from_value(belt(
        "white",
        json!({"au": {"id": AU_POLICY, "min_score": 0.8}}),
    ))
    .unwrap();
    v2.belts
        .push(serde_json::from_value(belt("yellow", json!({"belt": "white"}))).unwrap());
    store_program(&app, 2, &v2).await;
    finish(&app, "bob", AU_POLICY, 0.9).await;
    let ann = awards(&app, "ann").await;
    let bob = awards(&app, "bob").await;
    assert_eq!(
        ann.iter().map(|a| a.program_version).collect::<Vec<_>>(),
        vec![1]
    );
    assert_eq!(
        bob.iter()
            .map(|a| (a.belt_id.as_str(), a.program_version))
            .collect::<Vec<_>>(),
        vec![("white", 2), ("yellow", 2)]
    );
    let calls = std::sync::Mutex::new(Vec::new());
    let progress = |done: u64, total: u64| calls.lock().unwrap().push((done, total));
    let changed = engine::reevaluate_all(&app.db, now_us(), &progress)
        .await
        .unwrap();
    assert_eq!(
        changed, 1,
        "ann's yellow: her white is held (under version 1)"
    );
    assert_eq!(calls.lock().unwrap().last(), Some(&(2, 2)));
    let again = engine::reevaluate_all(&app.db, now_us(), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(again, 0, "idempotent");
    let ann = awards(&app, "ann").await;
    assert_eq!(
        ann.iter()
            .map(|a| (a.belt_id.as_str(), a.program_version))
            .collect::<Vec<_>>(),
        vec![("white", 1), ("yellow", 2)]
    );
}
