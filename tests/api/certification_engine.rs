//! The certification engine, end to end through statements: belts appear at the
//! statement that meets their last requirement and not before.

use blackbelt::certification::engine;
use sea_orm::TransactionTrait;
use serde_json::json;

use crate::certification_support::*;
use crate::helpers::{TestApp, json_of};

#[tokio::test]
async fn a_belt_is_awarded_by_the_statement_that_satisfies_its_last_au_and_not_before() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    with_belts(
        &app,
        vec![belt(
            "white",
            json!({"all_of": [{"au": {"id": AU_POLICY}}, {"au": {"id": AU_TRIAGE}}]}),
        )],
    )
    .await;
    finish(&app, "ann", AU_POLICY, 0.9).await;
    assert!(held(&app, "ann").await.is_empty(), "one AU of two");
    let s = Session::start(&app, "ann", AU_TRIAGE).await;
    s.complete(&app).await;
    assert!(
        held(&app, "ann").await.is_empty(),
        "completed but not yet passed"
    );
    s.pass(&app, 0.9).await;
    let list = awards(&app, "ann").await;
    assert_eq!(list.len(), 1);
    let award = &list[0];
    assert_eq!(
        (
            award.belt_id.as_str(),
            award.status.as_str(),
            award.source.as_str()
        ),
        ("white", "active", "rules")
    );
    assert_eq!(award.program_version, 1);
    let evidence = award.evidence.as_array().unwrap();
    let objects: Vec<&str> = evidence
        .iter()
        .map(|e| e["object_id"].as_str().unwrap())
        .collect();
    assert_eq!(objects, vec![AU_POLICY, AU_TRIAGE]);
    assert_eq!(evidence[0]["score"], json!(0.9));
}

#[tokio::test]
async fn min_score_is_met_at_its_value_and_not_just_under_it() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    with_belts(
        &app,
        vec![belt(
            "white",
            json!({"au": {"id": AU_POLICY, "min_score": 0.8}}),
        )],
    )
    .await;
    finish(&app, "under", AU_POLICY, 0.79999).await;
    finish(&app, "at", AU_POLICY, 0.8).await;
    assert!(held(&app, "under").await.is_empty());
    assert_eq!(held(&app, "at").await, vec!["white"]);
}

#[tokio::test]
async fn within_months_counts_a_standing_only_inside_its_window() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    with_belts(
        &app,
        vec![belt(
            "white",
            json!({"all_of": [
                {"au": {"id": AU_POLICY, "within_months": 6}},
                {"evidence": {"id": "story", "title": "A story", "description": "Tell it."}}
            ]}),
        )],
    )
    .await;
    finish(&app, "ann", AU_POLICY, 0.9).await;
    assert!(held(&app, "ann").await.is_empty(), "no evidence yet");
    approve_evidence(&app, "ann", "white", "story").await;
    let key = learner_key("ann");
    let later = now_us() + 190 * DAY_US; // past six months
    let txn = app.db.writer().begin().await.unwrap();
    let out = engine::reevaluate_learner(&txn, &key, later).await.unwrap();
    txn.commit().await.unwrap();
    assert!(
        out.is_empty(),
        "the standing is older than six months by then"
    );
    let soon = now_us() + 150 * DAY_US;
    let txn = app.db.writer().begin().await.unwrap();
    let out = engine::reevaluate_learner(&txn, &key, soon).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(held(&app, "ann").await, vec!["white"]);
}

/// Stores approved evidence directly (the review API is another part's).
pub async fn approve_evidence(app: &TestApp, learner: &str, belt: &str, requirement: &str) -> i64 {
    use sea_orm::{ActiveModelTrait, Set};
    let now = now_us();
    entities::cert_evidence::ActiveModel {
        learner_key: Set(learner_key(learner)),
        belt_id: Set(belt.into()),
        requirement_id: Set(requirement.into()),
        kind: Set("text".into()),
        text: Set(Some("done".into())),
        status: Set("approved".into()),
        submitted_us: Set(now),
        submitted_by: Set(format!("learner:{}", learner_key(learner))),
        decided_us: Set(Some(now)),
        decided_by: Set(Some("credential:1".into())),
        ..Default::default()
    }
    .insert(&app.db.conn)
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn a_statement_pattern_from_another_tool_counts_up_to_its_minimum_within_its_window() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    let post = "https://social.example.com/type/post";
    with_belts(
        &app,
        vec![
            belt(
                "advocate",
                json!({"all_of": [
                    {"au": {"id": AU_POLICY}},
                    {"statements": {"label": "3 posts shared", "verb": SHARED,
                                    "activity_type": post, "min_count": 3, "within_days": 30}}
                ]}),
            ),
            belt(
                "ambassador",
                json!({"all_of": [
                    {"statements": {"label": "3 posts shared", "verb": SHARED,
                                    "activity_type": post, "min_count": 3, "within_days": 30}},
                    {"evidence": {"id": "story", "title": "A story", "description": "Tell it."}}
                ]}),
            ),
        ],
    )
    .await;
    finish(&app, "ann", AU_POLICY, 0.9).await;
    let tool = app.credential("statements/write").await;
    let mbox = "mailto:ann@example.com";
    let mut ids = Vec::new();
    for n in 0..3 {
        // Another type, and another verb, do not count.
        let other = tool_statement(
            mbox,
            SHARED,
            "https://social.example.com/x",
            Some("https://t/other"),
        );
        app.post_as(&other, &tool, "1.0.3")
            .await
            .assert_status_is_ok();
        let liked = tool_statement(
            mbox,
            "http://activitystrea.ms/like",
            "https://social.example.com/y",
            Some(post),
        );
        app.post_as(&liked, &tool, "1.0.3")
            .await
            .assert_status_is_ok();
        assert!(
            held(&app, "ann").await.is_empty(),
            "after {n} matching statements"
        );
        let s = tool_statement(
            mbox,
            SHARED,
            &format!("https://social.example.com/p/{n}"),
            Some(post),
        );
        let r = app.post_as(&s, &tool, "1.0.3").await;
        r.assert_status_is_ok();
        ids.push(json_of(r).await[0].as_str().unwrap().to_owned());
    }
    let list = awards(&app, "ann").await;
    assert_eq!(list.len(), 1, "awarded by the third post");
    let counted = list[0].evidence.as_array().unwrap()[1]["statement_ids"].clone();
    let mut counted: Vec<String> = serde_json::from_value(counted).unwrap();
    counted.sort();
    ids.sort();
    assert_eq!(counted, ids);
    // A belt that also needs evidence, decided by re-evaluation at a later time: the
    // same posts count 29 days on and not 31.
    let key = learner_key("ann");
    approve_evidence(&app, "ann", "ambassador", "story").await;
    let txn = app.db.writer().begin().await.unwrap();
    let out = engine::reevaluate_learner(&txn, &key, now_us() + 31 * DAY_US)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert!(out.is_empty(), "the posts are older than 30 days by then");
    let txn = app.db.writer().begin().await.unwrap();
    let out = engine::reevaluate_learner(&txn, &key, now_us() + 29 * DAY_US)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(held(&app, "ann").await, vec!["advocate", "ambassador"]);
}

#[tokio::test]
async fn a_belt_that_needs_another_is_awarded_with_it_in_the_same_transaction() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    with_belts(
        &app,
        vec![
            belt("white", json!({"au": {"id": AU_POLICY}})),
            belt("yellow", json!({"all_of": [{"belt": "white"}, {"au": {"id": AU_POLICY, "min_score": 0.85}}]})),
        ],
    )
    .await;
    let s = Session::start(&app, "ann", AU_POLICY).await;
    s.complete(&app).await;
    assert!(held(&app, "ann").await.is_empty());
    s.pass(&app, 0.9).await;
    let list = awards(&app, "ann").await;
    let belts: Vec<&str> = list.iter().map(|a| a.belt_id.as_str()).collect();
    assert_eq!(belts, vec!["white", "yellow"]);
    assert_eq!(list[0].earned_us, list[1].earned_us, "one transaction");
    assert_eq!(list[1].evidence[0]["award_id"], json!(list[0].id));
}

#[tokio::test]
async fn award_statements_are_visible_through_the_statements_api() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    with_belts(&app, vec![belt("white", json!({"au": {"id": AU_POLICY}}))]).await;
    let s = finish(&app, "ann", AU_POLICY, 0.9).await;
    let award = awards(&app, "ann").await.remove(0);
    let agent = serde_json::to_string(&s.actor()).unwrap();
    let body = json_of(
        app.get(&format!(
            "?verb={}&agent={}",
            urlencoding(EARNED),
            urlencoding(&agent)
        ))
        .await,
    )
    .await;
    let list = body["statements"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{body}");
    let st = &list[0];
    assert_eq!(st["id"].as_str(), award.statement_id.as_deref());
    assert_eq!(st["object"]["definition"]["name"]["en-US"], "white belt");
    assert_eq!(
        st["object"]["definition"]["type"],
        "http://id.tincanapi.com/activitytype/badge"
    );
    assert_eq!(
        st["result"]["extensions"]["https://blackbelt.dev/xapi/extensions/award-id"],
        json!(award.id)
    );
    assert_eq!(
        st["context"]["extensions"]["https://blackbelt.dev/xapi/extensions/program-version"],
        json!(1)
    );
    assert_eq!(st["authority"]["account"]["name"], "blackbelt-lms");
}

pub fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
