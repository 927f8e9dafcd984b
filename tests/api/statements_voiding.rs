//! Voiding and the StatementRef filter rule.

use serde_json::json;

use crate::helpers::{TestApp, json_of, statement, uuid};

fn voiding(target: &str) -> serde_json::Value {
    json!({"actor": {"mbox": "mailto:admin@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target}})
}

#[tokio::test]
async fn a_voided_statement_leaves_queries_but_stays_reachable_by_voided_statement_id() {
    let app = TestApp::spawn().await;
    let target = uuid();
    app.put(&target, &statement(1))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let voider = json_of(app.post(&voiding(&target)).await).await[0]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.ids("").await, vec![voider]);
    app.get(&format!("?statementId={target}"))
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
    let voided = json_of(app.get(&format!("?voidedStatementId={target}")).await).await;
    assert_eq!(voided["id"], target);
}

#[tokio::test]
async fn a_statement_arriving_after_its_voiding_statement_is_voided() {
    let app = TestApp::spawn().await;
    let target = uuid();
    app.post(&voiding(&target)).await.assert_status_is_ok();
    app.put(&target, &statement(1))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    app.get(&format!("?statementId={target}"))
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn statements_referencing_a_statement_match_its_filters() {
    let app = TestApp::spawn().await;
    let target = uuid();
    app.put(&target, &statement(1))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let referrer = json!({"actor": {"mbox": "mailto:coach@example.com"},
        "verb": {"id": "http://example.com/verbs/reviewed"},
        "object": {"objectType": "StatementRef", "id": target}});
    let referrer_id = json_of(app.post(&referrer).await).await[0]
        .as_str()
        .unwrap()
        .to_owned();
    let activity: String =
        url::form_urlencoded::byte_serialize(b"http://example.com/activities/1").collect();
    assert_eq!(
        app.ids(&format!("?activity={activity}")).await,
        vec![referrer_id, target]
    );
}

#[tokio::test]
async fn a_late_target_passes_its_keys_to_earlier_referrers() {
    let app = TestApp::spawn().await;
    let target = uuid();
    let referrer = json!({"actor": {"mbox": "mailto:coach@example.com"},
        "verb": {"id": "http://example.com/verbs/reviewed"},
        "object": {"objectType": "StatementRef", "id": target}});
    let referrer_id = json_of(app.post(&referrer).await).await[0]
        .as_str()
        .unwrap()
        .to_owned();
    app.put(&target, &statement(2))
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let activity: String =
        url::form_urlencoded::byte_serialize(b"http://example.com/activities/2").collect();
    let ids = app.ids(&format!("?activity={activity}")).await;
    assert!(
        ids.contains(&referrer_id) && ids.contains(&target),
        "{ids:?}"
    );
}
