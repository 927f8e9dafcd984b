//! GET /xapi/statements: filters, ordering, formats, paging with `more`.

use serde_json::json;

use crate::helpers::{TestApp, json_of, statement, uuid};

/// Stores statements one request at a time so each has its own `stored`.
async fn store_each(app: &TestApp, bodies: Vec<serde_json::Value>) -> Vec<String> {
    let mut ids = Vec::new();
    for body in bodies {
        let response = app.post(&body).await;
        response.assert_status_is_ok();
        ids.push(json_of(response).await[0].as_str().unwrap().to_owned());
    }
    ids
}

fn agent_param(n: u32) -> String {
    let agent = json!({"mbox": format!("mailto:learner{n}@example.com")}).to_string();
    format!("agent={}", urlencode(&agent))
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn statements_come_newest_first_and_oldest_first_with_ascending() {
    let app = TestApp::spawn().await;
    let ids = store_each(&app, vec![statement(1), statement(2), statement(3)]).await;
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(app.ids("").await, newest_first);
    assert_eq!(app.ids("?ascending=true").await, ids);
}

#[tokio::test]
async fn agent_verb_and_activity_filters_select_matching_statements() {
    let app = TestApp::spawn().await;
    let mut other_verb = statement(1);
    other_verb["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/attempted");
    let ids = store_each(&app, vec![statement(1), statement(2), other_verb]).await;
    assert_eq!(
        app.ids(&format!("?{}", agent_param(1))).await,
        vec![ids[2].clone(), ids[0].clone()]
    );
    let verb = urlencode("http://adlnet.gov/expapi/verbs/attempted");
    assert_eq!(
        app.ids(&format!("?verb={verb}")).await,
        vec![ids[2].clone()]
    );
    let both = format!(
        "?{}&verb={}",
        agent_param(1),
        urlencode("http://adlnet.gov/expapi/verbs/completed")
    );
    assert_eq!(app.ids(&both).await, vec![ids[0].clone()]);
    let activity = urlencode("http://example.com/activities/2");
    assert_eq!(
        app.ids(&format!("?activity={activity}")).await,
        vec![ids[1].clone()]
    );
}

#[tokio::test]
async fn registration_filter_matches_context_registration() {
    let app = TestApp::spawn().await;
    let registration = uuid();
    let mut registered = statement(1);
    registered["context"] = json!({"registration": registration});
    let ids = store_each(&app, vec![registered, statement(1)]).await;
    assert_eq!(
        app.ids(&format!("?registration={registration}")).await,
        vec![ids[0].clone()]
    );
}

#[tokio::test]
async fn related_activities_and_agents_widen_the_match() {
    let app = TestApp::spawn().await;
    let mut with_parent = statement(1);
    with_parent["context"] = json!({
        "contextActivities": {"parent": {"id": "http://example.com/course"}},
        "instructor": {"mbox": "mailto:coach@example.com"}
    });
    let ids = store_each(&app, vec![with_parent]).await;
    let course = urlencode("http://example.com/course");
    assert!(app.ids(&format!("?activity={course}")).await.is_empty());
    assert_eq!(
        app.ids(&format!("?activity={course}&related_activities=true"))
            .await,
        ids
    );
    let coach = urlencode(&json!({"mbox": "mailto:coach@example.com"}).to_string());
    assert!(app.ids(&format!("?agent={coach}")).await.is_empty());
    assert_eq!(
        app.ids(&format!("?agent={coach}&related_agents=true"))
            .await,
        ids
    );
}

#[tokio::test]
async fn since_is_exclusive_and_until_inclusive() {
    let app = TestApp::spawn().await;
    let ids = store_each(&app, vec![statement(1)]).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let later = store_each(&app, vec![statement(2)]).await;
    let first = json_of(app.get(&format!("?statementId={}", ids[0])).await).await;
    let stored = urlencode(first["stored"].as_str().unwrap());
    assert_eq!(app.ids(&format!("?since={stored}")).await, later);
    assert_eq!(app.ids(&format!("?until={stored}")).await, ids);
}

#[tokio::test]
async fn more_links_page_through_everything_once_even_while_new_statements_arrive() {
    let app = TestApp::spawn().await;
    let batch: Vec<_> = (0..7).map(statement).collect();
    app.post(&json!(batch)).await.assert_status_is_ok();
    let mut seen = Vec::new();
    let mut page = json_of(app.get("?limit=3").await).await;
    loop {
        for s in page["statements"].as_array().unwrap() {
            seen.push(s["id"].as_str().unwrap().to_owned());
        }
        let more = page["more"].as_str().unwrap().to_owned();
        if more.is_empty() {
            break;
        }
        // A newer statement must not shift the pages already being read.
        app.post(&statement(99)).await.assert_status_is_ok();
        let query = more
            .strip_prefix("/xapi/statements")
            .expect("more is a path on this LRS");
        page = json_of(app.get(query).await).await;
    }
    assert_eq!(seen.len(), 7);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);
}

#[tokio::test]
async fn ids_format_returns_only_identifiers() {
    let app = TestApp::spawn().await;
    let ids = store_each(&app, vec![statement(1)]).await;
    let body = json_of(
        app.get(&format!("?statementId={}&format=ids", ids[0]))
            .await,
    )
    .await;
    assert_eq!(
        body["actor"],
        json!({"objectType": "Agent", "mbox": "mailto:learner1@example.com"})
    );
    assert_eq!(
        body["object"],
        json!({"id": "http://example.com/activities/1"})
    );
}

#[tokio::test]
async fn statement_id_combined_with_a_filter_is_a_400() {
    let app = TestApp::spawn().await;
    let response = app
        .get(&format!(
            "?statementId={}&verb={}",
            uuid(),
            urlencode("http://v.com/x")
        ))
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_parameters_and_bad_values_are_400s() {
    let app = TestApp::spawn().await;
    app.get("?colour=red")
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
    app.get("?limit=lots")
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
    app.get("?since=yesterday")
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
    app.get("?agent=bob")
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
    app.get("?more=garbage")
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_statement_id_is_a_404() {
    let app = TestApp::spawn().await;
    app.get(&format!("?statementId={}", uuid()))
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rejected_queries_still_carry_consistent_through() {
    let app = TestApp::spawn().await;
    let response = app.get("?LIMIT=1").await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(
        response
            .0
            .headers()
            .contains_key("X-Experience-API-Consistent-Through")
    );
}

#[tokio::test]
async fn attachments_true_answers_multipart_with_the_json_first() {
    let app = TestApp::spawn().await;
    store_each(&app, vec![statement(1)]).await;
    let response = app.get("?attachments=true").await;
    response.assert_status_is_ok();
    let content_type = response.0.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("multipart/mixed; boundary="),
        "{content_type}"
    );
    let boundary = content_type.split("boundary=").nth(1).unwrap().to_owned();
    let body = response.0.into_body().into_string().await.unwrap();
    assert!(body.starts_with(&format!(
        "--{boundary}\r\nContent-Type: application/json\r\n\r\n{{"
    )));
    assert!(body.trim_end().ends_with(&format!("--{boundary}--")));
}

#[tokio::test]
async fn get_with_a_method_parameter_is_a_400() {
    let app = TestApp::spawn().await;
    app.get("?method=GET")
        .await
        .assert_status(poem::http::StatusCode::BAD_REQUEST);
}
