//! Statements and documents come back as they were sent: `\u0000` in strings and every
//! number's exact text, on SQLite and PostgreSQL alike; JSON objects that repeat a
//! name are refused rather than silently losing one value.

use poem::http::StatusCode;
use poem::test::TestResponse;
use serde_json::Value;

use crate::helpers::{TestApp, json_of, uuid};

async fn text_of(response: TestResponse) -> String {
    let bytes = response.0.into_body().into_vec().await.expect("body");
    String::from_utf8(bytes).expect("UTF-8 body")
}

/// A statement as JSON text, with `\u0000` in the response, an extension value and
/// the actor's account name.
fn statement_with_nul(id: &str) -> String {
    format!(
        r#"{{"id":"{id}",
            "actor":{{"account":{{"homePage":"http://example.com","name":"nul\u0000name"}}}},
            "verb":{{"id":"http://adlnet.gov/expapi/verbs/answered"}},
            "object":{{"id":"http://example.com/activities/nul",
                "definition":{{"name":{{"en-US":"a\u0000b"}}}}}},
            "result":{{"response":"before\u0000after",
                "extensions":{{"http://example.com/ext":"x\u0000y"}}}}}}"#
    )
}

fn assert_nul_kept(statement: &Value) {
    assert_eq!(statement["result"]["response"], "before\0after");
    assert_eq!(
        statement["result"]["extensions"]["http://example.com/ext"],
        "x\0y"
    );
    assert_eq!(statement["actor"]["account"]["name"], "nul\0name");
}

#[tokio::test]
async fn statements_with_nul_characters_are_stored_and_returned_exactly() {
    let app = TestApp::spawn().await;
    let (single, first, second) = (uuid(), uuid(), uuid());
    app.post_raw("application/json", &statement_with_nul(&single))
        .await
        .assert_status_is_ok();
    let batch = format!(
        "[{},{}]",
        statement_with_nul(&first),
        statement_with_nul(&second)
    );
    app.post_raw("application/json", &batch)
        .await
        .assert_status_is_ok();

    for id in [&single, &first, &second] {
        let response = app.get(&format!("?statementId={id}")).await;
        response.assert_status_is_ok();
        assert_nul_kept(&json_of(response).await);
    }
    let agent = r#"{"account":{"homePage":"http://example.com","name":"nul\u0000name"}}"#;
    let response = app
        .client
        .get("/xapi/statements")
        .query("agent", &agent)
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    response.assert_status_is_ok();
    let page = json_of(response).await;
    let statements = page["statements"].as_array().expect("statements");
    assert_eq!(
        statements.len(),
        3,
        "the agent with NUL in its name finds all"
    );
    statements.iter().for_each(assert_nul_kept);

    let activity = app
        .client
        .get("/xapi/activities")
        .query("activityId", &"http://example.com/activities/nul")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    activity.assert_status_is_ok();
    assert_eq!(
        json_of(activity).await["definition"]["name"]["en-US"],
        "a\0b"
    );
}

const STATE: &str = "/xapi/activities/state";

async fn state(app: &TestApp, method: &str, body: &str) -> TestResponse {
    let request = match method {
        "PUT" => app.client.put(STATE),
        "POST" => app.client.post(STATE),
        _ => app.client.get(STATE),
    };
    request
        .query("activityId", &"http://example.com/activities/nul")
        .query("agent", &r#"{"mbox":"mailto:nul@example.com"}"#)
        .query("stateId", &"nul")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .content_type("application/json")
        .body(body.to_owned())
        .send()
        .await
}

#[tokio::test]
async fn state_documents_keep_nul_characters_and_numbers_through_put_and_merge() {
    let app = TestApp::spawn().await;
    let put = r#"{"a":"x\u0000y","n":18446744073709551616}"#;
    state(&app, "PUT", put)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(text_of(state(&app, "GET", "").await).await, put);

    state(&app, "POST", r#"{"b":"\u0000","m":-0,"d":1.50}"#)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let merged = text_of(state(&app, "GET", "").await).await;
    for part in [
        r#""a":"x\u0000y""#,
        r#""b":"\u0000""#,
        r#""n":18446744073709551616"#,
        r#""m":-0"#,
        r#""d":1.50"#,
    ] {
        assert!(merged.contains(part), "{part} in {merged}");
    }
}

#[tokio::test]
async fn a_document_id_with_a_nul_character_is_refused_on_every_database() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .put(STATE)
        .query("activityId", &"http://example.com/activities/nul")
        .query("agent", &r#"{"mbox":"mailto:nul@example.com"}"#)
        .query("stateId", &"a\0b")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .content_type("application/json")
        .body("{}")
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let message = json_of(response).await["message"].to_string();
    assert!(message.contains("`stateId` must not contain"), "{message}");
}

/// Numbers a float cannot hold, or whose text a float would change.
const NUMBERS: [&str; 6] = [
    "18446744073709551616",
    "123456789012345678901234567890",
    "0.1000000000000000055511151231257827",
    "-0",
    "1e400",
    "1.50E-7",
];

fn statement_with_numbers(id: &str) -> String {
    let extensions: Vec<String> = NUMBERS
        .iter()
        .enumerate()
        .map(|(i, n)| format!(r#""http://example.com/n{i}":{n}"#))
        .collect();
    format!(
        r#"{{"id":"{id}","actor":{{"mbox":"mailto:numbers@example.com"}},
            "verb":{{"id":"http://adlnet.gov/expapi/verbs/scored"}},
            "object":{{"id":"http://example.com/activities/numbers"}},
            "result":{{"score":{{"raw":10.0,"min":0,"max":1E2}},
                "extensions":{{{}}}}}}}"#,
        extensions.join(",")
    )
}

fn assert_numbers_kept(text: &str) {
    for (i, n) in NUMBERS.iter().enumerate() {
        let expected = format!(r#""http://example.com/n{i}":{n}"#);
        assert!(text.contains(&expected), "{expected} in {text}");
    }
    assert!(
        text.contains(r#""score":{"max":1E2,"min":0,"raw":10.0}"#),
        "{text}"
    );
}

#[tokio::test]
async fn numbers_come_back_with_exactly_the_text_they_were_sent_with() {
    let app = TestApp::spawn().await;
    let (single, batched) = (uuid(), uuid());
    app.post_raw("application/json", &statement_with_numbers(&single))
        .await
        .assert_status_is_ok();
    app.post_raw(
        "application/json",
        &format!("[{}]", statement_with_numbers(&batched)),
    )
    .await
    .assert_status_is_ok();

    for id in [&single, &batched] {
        let response = app.get(&format!("?statementId={id}")).await;
        response.assert_status_is_ok();
        assert_numbers_kept(&text_of(response).await);
    }
    let page = text_of(app.get("").await).await;
    assert_eq!(page.matches("http://example.com/n0").count(), 2);
    assert_numbers_kept(&page);

    // The same statement with its numbers written otherwise is the same statement.
    let resent = statement_with_numbers(&single)
        .replace("10.0", "1e1")
        .replace("1E2", "100");
    app.post_raw("application/json", &resent)
        .await
        .assert_status_is_ok();
}

async fn refused_message(app: &TestApp, body: &str) -> String {
    let response = app.post_raw("application/json", body).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let body = json_of(response).await;
    body["message"].as_str().expect("message").to_owned()
}

#[tokio::test]
async fn statements_naming_a_property_twice_are_refused_with_its_path() {
    let app = TestApp::spawn().await;
    let top = r#"{"actor":{"mbox":"mailto:a@example.com"},
        "verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},
        "verb":{"id":"http://adlnet.gov/expapi/verbs/failed"},
        "object":{"id":"http://example.com/activities/dup"}}"#;
    let message = refused_message(&app, top).await;
    assert!(
        message.contains("property `verb` appears twice in $"),
        "{message}"
    );

    let nested = format!(
        r#"[{},{{"actor":{{"mbox":"mailto:a@example.com"}},
            "verb":{{"id":"http://adlnet.gov/expapi/verbs/completed"}},
            "object":{{"id":"http://example.com/activities/dup"}},
            "result":{{"extensions":{{"http://example.com/e":{{"k":1,"k":2}}}}}}}}]"#,
        statement_with_numbers(&uuid())
    );
    let message = refused_message(&app, &nested).await;
    assert!(
        message
            .contains("property `k` appears twice in $[1].result.extensions.http://example.com/e"),
        "{message}"
    );
    assert!(app.ids("").await.is_empty(), "nothing was stored");
}

/// The JSON object that starts at `from` in `text` (brackets counted outside strings).
fn object_at(text: &str, from: usize) -> &str {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, c) in text[from..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return &text[from..=from + i];
                }
            }
            _ => {}
        }
    }
    panic!("no complete object at {from} in {text}")
}

#[tokio::test]
async fn pages_in_format_exact_hold_each_statement_byte_for_byte_as_fetched_by_id() {
    let app = TestApp::spawn().await;
    let (first, second) = (uuid(), uuid());
    app.post_raw(
        "application/json",
        &format!(
            "[{},{}]",
            statement_with_numbers(&first),
            statement_with_nul(&second)
        ),
    )
    .await
    .assert_status_is_ok();
    let mut by_id = Vec::new();
    for id in [&first, &second] {
        let response = app.get(&format!("?statementId={id}")).await;
        response.assert_status_is_ok();
        response.assert_content_type("application/json; charset=utf-8");
        by_id.push(text_of(response).await);
    }

    // One page: `{"statements":[<as stored>,...],"more":""}`, newest first.
    let response = app.get("?format=exact").await;
    response.assert_content_type("application/json; charset=utf-8");
    let page = text_of(response).await;
    assert_eq!(
        page,
        format!(r#"{{"statements":[{},{}],"more":""}}"#, by_id[1], by_id[0])
    );

    // Page by page through `more`: each page holds the same text.
    let response = app.get("?limit=1&ascending=true").await;
    let page = text_of(response).await;
    let start = page.find(r#"{"statements":["#).expect("a StatementResult") + 15;
    assert_eq!(object_at(&page, start), by_id[0]);
    let more: Value = serde_json::from_str::<Value>(&page).expect("JSON")["more"].clone();
    let more = more.as_str().expect("more").to_owned();
    assert!(more.starts_with("/xapi/statements?more="), "{more}");
    let next = app
        .client
        .get(&more)
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    next.assert_status_is_ok();
    let next = text_of(next).await;
    assert_eq!(
        next,
        format!(r#"{{"statements":[{}],"more":""}}"#, by_id[1])
    );

    // Other formats still cut statements down, keeping number texts.
    let ids = text_of(app.get(&format!("?statementId={first}&format=ids")).await).await;
    assert!(ids.contains(r#""http://example.com/n4":1e400"#), "{ids}");
    assert!(
        ids.contains(r#""actor":{"mbox":"mailto:numbers@example.com"}"#),
        "{ids}"
    );
}
