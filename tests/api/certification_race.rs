//! Awards under racing writes (several statement writers on PostgreSQL): batches that
//! each complete a last requirement, committed at the same moment, award exactly once.

use serde_json::json;

use crate::certification_support::*;
use crate::cmi5_runtime::defined;
use crate::helpers::TestApp;

const AU_EXEC: &str = "https://blackbelt.example/courses/executives/au/social-and-business-goals";
const POSTED: &str = "https://w3id.org/xapi/dod-isd/verbs/posted";

#[tokio::test]
async fn two_racing_statements_that_each_complete_one_of_the_last_two_requirements_award_once() {
    let app = TestApp::spawn().await;
    with_belts(
        &app,
        vec![belt(
            "voice",
            json!({"all_of": [
                {"statements": {"label": "a share", "verb": SHARED}},
                {"statements": {"label": "a post", "verb": POSTED}}
            ]}),
        )],
    )
    .await;
    let (one, two) = (
        app.credential("statements/write").await,
        app.credential("statements/write").await,
    );
    for round in 0..8 {
        let mbox = format!("mailto:racer{round}@example.com");
        let a = tool_statement(&mbox, SHARED, "https://social.example.com/a", None);
        let b = tool_statement(&mbox, POSTED, "https://social.example.com/b", None);
        let (ra, rb) = tokio::join!(
            app.post_as(&a, &one, "1.0.3"),
            app.post_as(&b, &two, "1.0.3")
        );
        ra.assert_status_is_ok();
        rb.assert_status_is_ok();
        let key = format!("mbox:{mbox}");
        assert_eq!(active_of(&app, &key).await, 1, "round {round}");
    }
}

#[tokio::test]
async fn two_racing_statements_that_each_meet_the_whole_requirement_award_once() {
    let app = TestApp::spawn().await;
    with_belts(
        &app,
        vec![belt(
            "voice",
            json!({"statements": {"label": "a share", "verb": SHARED}}),
        )],
    )
    .await;
    let (one, two) = (
        app.credential("statements/write").await,
        app.credential("statements/write").await,
    );
    for round in 0..8 {
        let mbox = format!("mailto:twin{round}@example.com");
        let a = tool_statement(&mbox, SHARED, "https://social.example.com/a", None);
        let b = tool_statement(&mbox, SHARED, "https://social.example.com/b", None);
        let (ra, rb) = tokio::join!(
            app.post_as(&a, &one, "1.0.3"),
            app.post_as(&b, &two, "1.0.3")
        );
        ra.assert_status_is_ok();
        rb.assert_status_is_ok();
        assert_eq!(
            active_of(&app, &format!("mbox:{mbox}")).await,
            1,
            "round {round}"
        );
    }
}

#[tokio::test]
async fn two_launched_aus_passed_at_once_award_a_belt_needing_both_once() {
    let app = TestApp::spawn().await;
    import_all_employees(&app).await;
    app.import_course("executives").await;
    with_belts(
        &app,
        vec![belt(
            "leader",
            json!({"all_of": [{"au": {"id": AU_POLICY}}, {"au": {"id": AU_EXEC}}]}),
        )],
    )
    .await;
    for round in 0..4 {
        let learner = format!("racer{round}");
        let a = Session::start(&app, &learner, AU_POLICY).await;
        let b = Session::start(&app, &learner, AU_EXEC).await;
        a.complete(&app).await;
        b.complete(&app).await;
        let pa = a.passed_statement(0.9);
        let mut pb = defined(
            &b.launch,
            "passed",
            Some(json!({"success": true, "duration": "PT1S", "score": {"scaled": 0.9}})),
        );
        pb["context"]["extensions"][MASTERY] = json!(0.8);
        tokio::join!(a.send(&app, pa), b.send(&app, pb));
        assert_eq!(held(&app, &learner).await, vec!["leader"], "round {round}");
    }
}

async fn active_of(app: &TestApp, key: &str) -> usize {
    use entities::cert_award;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    cert_award::Entity::find()
        .filter(cert_award::Column::LearnerKey.eq(key))
        .filter(cert_award::Column::Status.eq("active"))
        .all(&app.db.conn)
        .await
        .unwrap()
        .len()
}
