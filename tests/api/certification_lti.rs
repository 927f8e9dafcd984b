//! Learner attributes from LTI launches: custom `audience`/`org_unit`/`role` and the
//! LTI roles are recorded on the learner, and belts that test them are re-evaluated.

use entities::cert_learner;
use poem::http::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;

use crate::certification_support::*;
use crate::content::POLICY_AU;
use crate::helpers::TestApp;
use crate::lti_platform::{ISSUER, TestPlatform, good_claims, login, post_launch};

#[tokio::test]
async fn an_lti_launch_records_the_learners_attributes_and_awards_a_belt_that_tests_them() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    with_belts(
        &app,
        vec![belt(
            "exec",
            json!({"attribute": {"name": "audience", "any_of": ["executives"]}}),
        )],
    )
    .await;
    let platform = TestPlatform::register(&app).await;
    let (state, nonce) = login(&app).await;
    let mut claims = good_claims(&nonce, POLICY_AU);
    claims["https://purl.imsglobal.org/spec/lti/claim/custom"] = json!({"au": POLICY_AU, "audience": "executives, middle-managers", "org_unit": "$Person.org"});
    let response = post_launch(&app, &platform.sign(&claims), &state).await;
    response.assert_status(StatusCode::FOUND);
    let key = format!("account:{ISSUER}|user-1");
    let learner = cert_learner::Entity::find_by_id(key.clone())
        .one(&app.db.conn)
        .await
        .unwrap()
        .expect("registered at launch");
    assert_eq!(
        learner.attributes,
        json!({"audience": ["executives", "middle-managers"], "role": ["Learner"]}),
        "an unexpanded substitution variable is no value"
    );
    assert_eq!(learner.email.as_deref(), Some("mailto:ada@example.com"));
    let awards = entities::cert_award::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(awards.len(), 1);
    assert_eq!(
        (awards[0].learner_key.as_str(), awards[0].belt_id.as_str()),
        (key.as_str(), "exec")
    );
}
