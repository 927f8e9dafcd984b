//! GET /xapi/activities (canonical definitions) and GET /xapi/agents (Person objects).

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

async fn get(app: &TestApp, path: &str, name: &str, value: &str) -> poem::test::TestResponse {
    app.client
        .get(path)
        .query(name, &value)
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "2.0.0")
        .send()
        .await
}

fn defining(name: Value, extra: Value) -> Value {
    let mut definition =
        json!({"name": name, "type": "http://adlnet.gov/expapi/activities/course"});
    for (k, v) in extra.as_object().unwrap() {
        definition[k] = v.clone();
    }
    json!({
        "actor": {"mbox": "mailto:def@example.com", "name": "Dee"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
        "object": {"id": "http://example.com/course/1", "definition": definition}
    })
}

#[tokio::test]
async fn the_canonical_definition_merges_language_maps_and_keeps_the_newest_values() {
    let app = TestApp::spawn().await;
    app.post(&defining(
        json!({"en-US": "Course", "fr": "Cours"}),
        json!({}),
    ))
    .await
    .assert_status_is_ok();
    app.post(&defining(
        json!({"en-US": "Course, revised"}),
        json!({"description": {"en-US": "About it"}}),
    ))
    .await
    .assert_status_is_ok();
    let response = get(
        &app,
        "/xapi/activities",
        "activityId",
        "http://example.com/course/1",
    )
    .await;
    response.assert_status_is_ok();
    let activity = json_of(response).await;
    assert_eq!(activity["objectType"], "Activity");
    assert_eq!(
        activity["definition"]["name"],
        json!({"en-US": "Course, revised", "fr": "Cours"})
    );
    assert_eq!(
        activity["definition"]["description"],
        json!({"en-US": "About it"})
    );
}

#[tokio::test]
async fn an_unknown_activity_is_returned_with_its_id_only() {
    let app = TestApp::spawn().await;
    let response = get(
        &app,
        "/xapi/activities",
        "activityId",
        "http://example.com/unknown",
    )
    .await;
    response.assert_status_is_ok();
    assert_eq!(
        json_of(response).await,
        json!({"objectType": "Activity", "id": "http://example.com/unknown"})
    );
    let bad = get(&app, "/xapi/activities", "activityId", "not an iri").await;
    bad.assert_status(poem::http::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_agent_is_returned_as_a_person_with_the_names_statements_used() {
    let app = TestApp::spawn().await;
    app.post(&defining(json!({"en-US": "Course"}), json!({})))
        .await
        .assert_status_is_ok();
    let response = get(
        &app,
        "/xapi/agents",
        "agent",
        r#"{"mbox":"mailto:def@example.com"}"#,
    )
    .await;
    response.assert_status_is_ok();
    assert_eq!(
        json_of(response).await,
        json!({"objectType": "Person", "name": ["Dee"], "mbox": ["mailto:def@example.com"]})
    );
    let bad = get(&app, "/xapi/agents", "agent", r#"{"name":"no ifi"}"#).await;
    bad.assert_status(poem::http::StatusCode::BAD_REQUEST);
}
