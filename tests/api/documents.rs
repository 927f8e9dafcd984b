//! State, Activity Profile and Agent Profile documents: byte-exact storage, merges,
//! ETags and conditional writes, id listings, scope-wide deletes, and refusals.

use poem::http::Method;
use poem::test::TestResponse;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

const ACTIVITY: &str = "http://example.com/activities/doc";
const AGENT: &str = r#"{"mbox":"mailto:doc@example.com"}"#;

fn state_query(state_id: Option<&str>, registration: Option<&str>) -> Vec<(&'static str, String)> {
    let mut q = vec![
        ("activityId", ACTIVITY.to_owned()),
        ("agent", AGENT.to_owned()),
    ];
    if let Some(id) = state_id {
        q.push(("stateId", id.to_owned()));
    }
    if let Some(reg) = registration {
        q.push(("registration", reg.to_owned()));
    }
    q
}

struct Req<'a> {
    method: Method,
    path: &'a str,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    content_type: Option<&'a str>,
    body: Vec<u8>,
    version: &'a str,
}

impl<'a> Req<'a> {
    fn new(method: Method, path: &'a str, query: Vec<(&'static str, String)>) -> Self {
        Req {
            method,
            path,
            query,
            headers: vec![],
            content_type: None,
            body: vec![],
            version: "1.0.3",
        }
    }
    fn json(mut self, body: &Value) -> Self {
        self.content_type = Some("application/json");
        self.body = body.to_string().into_bytes();
        self
    }
    fn bytes(mut self, content_type: &'a str, body: &[u8]) -> Self {
        self.content_type = Some(content_type);
        self.body = body.to_vec();
        self
    }
    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
    fn version(mut self, version: &'a str) -> Self {
        self.version = version;
        self
    }
    async fn send_as(self, app: &TestApp, auth: &str) -> TestResponse {
        let mut request = match self.method {
            Method::GET => app.client.get(self.path),
            Method::PUT => app.client.put(self.path),
            Method::POST => app.client.post(self.path),
            Method::DELETE => app.client.delete(self.path),
            Method::HEAD => app.client.head(self.path),
            _ => unreachable!(),
        };
        for (name, value) in &self.query {
            request = request.query(*name, value);
        }
        request = request
            .header("Authorization", auth)
            .header("X-Experience-API-Version", self.version);
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        if let Some(ct) = self.content_type {
            request = request.content_type(ct);
        }
        request.body(self.body).send().await
    }
    async fn send(self, app: &TestApp) -> TestResponse {
        let auth = app.auth.clone();
        self.send_as(app, &auth).await
    }
}

async fn bytes_of(response: TestResponse) -> Vec<u8> {
    response.0.into_body().into_vec().await.unwrap()
}

fn etag(response: &TestResponse) -> String {
    response.0.headers()["etag"].to_str().unwrap().to_owned()
}

const STATE: &str = "/xapi/activities/state";
const ACTIVITY_PROFILE: &str = "/xapi/activities/profile";
const AGENT_PROFILE: &str = "/xapi/agents/profile";

#[tokio::test]
async fn binary_state_round_trips_byte_exact_with_its_content_type_and_etag() {
    let app = TestApp::spawn().await;
    let content: Vec<u8> = (0..=255u8).chain([0, 0xff, 0x0d, 0x0a]).collect();
    Req::new(Method::PUT, STATE, state_query(Some("bin"), None))
        .bytes("image/x-test", &content)
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let response = Req::new(Method::GET, STATE, state_query(Some("bin"), None))
        .send(&app)
        .await;
    response.assert_status_is_ok();
    response.assert_content_type("image/x-test");
    let tag = etag(&response);
    assert!(
        tag.starts_with('"') && tag.ends_with('"') && tag.len() > 2,
        "{tag}"
    );
    assert!(response.0.headers().contains_key("last-modified"));
    assert_eq!(bytes_of(response).await, content);
    let head = Req::new(Method::HEAD, STATE, state_query(Some("bin"), None))
        .send(&app)
        .await;
    head.assert_status_is_ok();
    assert_eq!(etag(&head), tag);
    assert!(bytes_of(head).await.is_empty());
}

#[tokio::test]
async fn missing_documents_are_404_and_deleting_them_is_harmless() {
    let app = TestApp::spawn().await;
    Req::new(Method::GET, STATE, state_query(Some("none"), None))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
    Req::new(Method::DELETE, STATE, state_query(Some("none"), None))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn post_merges_json_objects_and_refuses_non_json() {
    let app = TestApp::spawn().await;
    let q = || state_query(Some("merge"), None);
    Req::new(Method::POST, STATE, q())
        .json(&json!({"a": 1, "b": {"x": 1}}))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    Req::new(Method::POST, STATE, q())
        .json(&json!({"b": {"y": 2}, "c": 3}))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let merged = json_of(Req::new(Method::GET, STATE, q()).send(&app).await).await;
    assert_eq!(merged, json!({"a": 1, "b": {"y": 2}, "c": 3}));

    let refused = Req::new(Method::POST, STATE, q())
        .bytes("text/plain", b"hello")
        .send(&app)
        .await;
    refused.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let refused = Req::new(Method::POST, STATE, q())
        .bytes("application/json", b"[1, 2]")
        .send(&app)
        .await;
    refused.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let unchanged = json_of(Req::new(Method::GET, STATE, q()).send(&app).await).await;
    assert_eq!(unchanged, merged);
}

#[tokio::test]
async fn posting_json_onto_a_non_json_document_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let q = || state_query(Some("text"), None);
    Req::new(Method::PUT, STATE, q())
        .bytes("text/plain", b"plain")
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let refused = Req::new(Method::POST, STATE, q())
        .json(&json!({"a": 1}))
        .send(&app)
        .await;
    refused.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let body = json_of(refused).await;
    assert!(
        body["message"].as_str().unwrap().contains("text/plain"),
        "{body}"
    );
    let stored = Req::new(Method::GET, STATE, q()).send(&app).await;
    assert_eq!(bytes_of(stored).await, b"plain");
}

#[tokio::test]
async fn json_declared_bodies_must_be_json() {
    let app = TestApp::spawn().await;
    let response = Req::new(Method::PUT, STATE, state_query(Some("bad"), None))
        .bytes("application/json", b"{not json")
        .send(&app)
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn if_match_and_if_none_match_are_honoured() {
    let app = TestApp::spawn().await;
    let q = || {
        vec![
            ("activityId", ACTIVITY.to_owned()),
            ("profileId", "p".to_owned()),
        ]
    };
    Req::new(Method::PUT, ACTIVITY_PROFILE, q())
        .json(&json!({"v": 1}))
        .header("If-None-Match", "*")
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let first = etag(
        &Req::new(Method::GET, ACTIVITY_PROFILE, q())
            .send(&app)
            .await,
    );
    // Creating again with If-None-Match: * fails; so does a stale If-Match.
    Req::new(Method::PUT, ACTIVITY_PROFILE, q())
        .json(&json!({"v": 2}))
        .header("If-None-Match", "*")
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::PRECONDITION_FAILED);
    Req::new(Method::PUT, ACTIVITY_PROFILE, q())
        .json(&json!({"v": 2}))
        .header("If-Match", "\"0000\"")
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::PRECONDITION_FAILED);
    // The current ETag wins, and the ETag changes with the content.
    Req::new(Method::PUT, ACTIVITY_PROFILE, q())
        .json(&json!({"v": 2}))
        .header("If-Match", &first)
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let second = Req::new(Method::GET, ACTIVITY_PROFILE, q())
        .send(&app)
        .await;
    assert_ne!(etag(&second), first);
    assert_eq!(json_of(second).await, json!({"v": 2}));
    // A stale If-Match on DELETE leaves the document.
    Req::new(Method::DELETE, ACTIVITY_PROFILE, q())
        .header("If-Match", &first)
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::PRECONDITION_FAILED);
    Req::new(Method::GET, ACTIVITY_PROFILE, q())
        .send(&app)
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn unconditional_puts_follow_each_versions_rules() {
    let app = TestApp::spawn().await;
    let q = |id: &str| vec![("agent", AGENT.to_owned()), ("profileId", id.to_owned())];
    // 1.0.3: a profile PUT without either header is refused even for a new document.
    let refused = Req::new(Method::PUT, AGENT_PROFILE, q("new"))
        .json(&json!({}))
        .send(&app)
        .await;
    refused.assert_status(poem::http::StatusCode::BAD_REQUEST);
    // 2.0: creating is fine; overwriting an existing document without a header is 409.
    Req::new(Method::PUT, AGENT_PROFILE, q("new"))
        .json(&json!({"v": 1}))
        .version("2.0.0")
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let conflict = Req::new(Method::PUT, AGENT_PROFILE, q("new"))
        .json(&json!({"v": 2}))
        .version("2.0.0")
        .send(&app)
        .await;
    conflict.assert_status(poem::http::StatusCode::CONFLICT);
    let kept = Req::new(Method::GET, AGENT_PROFILE, q("new"))
        .send(&app)
        .await;
    assert_eq!(json_of(kept).await, json!({"v": 1}));
    // 1.0.3 State documents may be overwritten without a header.
    for v in [1, 2] {
        Req::new(Method::PUT, STATE, state_query(Some("s"), None))
            .json(&json!({ "v": v }))
            .send(&app)
            .await
            .assert_status(poem::http::StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn of_two_writers_with_the_same_etag_one_wins_and_one_gets_412() {
    let app = TestApp::spawn().await;
    let q = || state_query(Some("race"), None);
    Req::new(Method::PUT, STATE, q())
        .json(&json!({"n": 0}))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let tag = etag(&Req::new(Method::GET, STATE, q()).send(&app).await);
    for round in 0..5 {
        let tag = if round == 0 {
            tag.clone()
        } else {
            etag(&Req::new(Method::GET, STATE, q()).send(&app).await)
        };
        let (a, b) = tokio::join!(
            Req::new(Method::PUT, STATE, q())
                .json(&json!({"n": round, "writer": "a"}))
                .header("If-Match", &tag)
                .send(&app),
            Req::new(Method::PUT, STATE, q())
                .json(&json!({"n": round, "writer": "b"}))
                .header("If-Match", &tag)
                .send(&app),
        );
        let mut statuses = [a.0.status().as_u16(), b.0.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [204, 412], "round {round}");
    }
}

#[tokio::test]
async fn ids_are_listed_per_scope_with_since_and_deleted_per_scope() {
    let app = TestApp::spawn().await;
    let registration = "6fbd600f-d17c-4c74-801a-2ec2e53231c7";
    for id in ["a", "b"] {
        Req::new(Method::PUT, STATE, state_query(Some(id), None))
            .json(&json!({}))
            .send(&app)
            .await
            .assert_status(poem::http::StatusCode::NO_CONTENT);
    }
    Req::new(
        Method::PUT,
        STATE,
        state_query(Some("r"), Some(registration)),
    )
    .json(&json!({}))
    .send(&app)
    .await
    .assert_status(poem::http::StatusCode::NO_CONTENT);
    let listed = json_of(
        Req::new(Method::GET, STATE, state_query(None, None))
            .send(&app)
            .await,
    )
    .await;
    assert_eq!(listed, json!(["a", "b"]));
    let with_reg = json_of(
        Req::new(Method::GET, STATE, state_query(None, Some(registration)))
            .send(&app)
            .await,
    )
    .await;
    assert_eq!(with_reg, json!(["r"]));

    let since = jiff::Timestamp::now().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    Req::new(Method::POST, STATE, state_query(Some("b"), None))
        .json(&json!({"later": true}))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let mut q = state_query(None, None);
    q.push(("since", since));
    let recent = json_of(Req::new(Method::GET, STATE, q).send(&app).await).await;
    assert_eq!(recent, json!(["b"]));

    Req::new(Method::DELETE, STATE, state_query(None, None))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    let after = json_of(
        Req::new(Method::GET, STATE, state_query(None, None))
            .send(&app)
            .await,
    )
    .await;
    assert_eq!(after, json!([]));
    let kept = json_of(
        Req::new(Method::GET, STATE, state_query(None, Some(registration)))
            .send(&app)
            .await,
    )
    .await;
    assert_eq!(kept, json!(["r"]), "other registrations are untouched");
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
        (
            vec![("agent", AGENT.to_owned()), ("stateId", "s".into())],
            "activityId",
        ),
        (
            vec![
                ("activityId", "not an iri".into()),
                ("agent", AGENT.into()),
                ("stateId", "s".into()),
            ],
            "activityId",
        ),
        (
            vec![
                ("activityId", ACTIVITY.into()),
                ("agent", "{nope".into()),
                ("stateId", "s".into()),
            ],
            "agent",
        ),
        (
            vec![
                ("activityId", ACTIVITY.into()),
                (
                    "agent",
                    r#"{"mbox":"mailto:a@example.com","openid":"http://o.example"}"#.into(),
                ),
                ("stateId", "s".into()),
            ],
            "agent",
        ),
        (
            vec![
                ("activityId", ACTIVITY.into()),
                ("agent", AGENT.into()),
                ("stateId", "s".into()),
                ("registration", "nope".into()),
            ],
            "registration",
        ),
        (
            vec![
                ("activityId", ACTIVITY.into()),
                ("agent", AGENT.into()),
                ("colour", "red".into()),
            ],
            "colour",
        ),
    ];
    for (query, named) in cases {
        let response = Req::new(Method::PUT, STATE, query)
            .json(&json!({}))
            .send(&app)
            .await;
        response.assert_status(poem::http::StatusCode::BAD_REQUEST);
        let body = json_of(response).await;
        assert!(
            body["message"].as_str().unwrap().contains(named),
            "{named}: {body}"
        );
    }
    let listed = json_of(
        Req::new(Method::GET, STATE, state_query(None, None))
            .send(&app)
            .await,
    )
    .await;
    assert_eq!(listed, json!([]), "nothing was stored");
}

#[tokio::test]
async fn scopes_and_credentials_are_enforced() {
    let app = TestApp::spawn().await;
    let reader = app.credential("statements/read").await;
    Req::new(Method::GET, STATE, state_query(None, None))
        .send_as(&app, &reader)
        .await
        .assert_status(poem::http::StatusCode::FORBIDDEN);
    let state_only = app.credential("state").await;
    Req::new(Method::PUT, STATE, state_query(Some("s"), None))
        .json(&json!({}))
        .send_as(&app, &state_only)
        .await
        .assert_status(poem::http::StatusCode::NO_CONTENT);
    Req::new(
        Method::PUT,
        AGENT_PROFILE,
        vec![("agent", AGENT.into()), ("profileId", "p".into())],
    )
    .json(&json!({}))
    .header("If-None-Match", "*")
    .send_as(&app, &state_only)
    .await
    .assert_status(poem::http::StatusCode::FORBIDDEN);
    let all_read = app.credential("all/read").await;
    Req::new(Method::GET, STATE, state_query(Some("s"), None))
        .send_as(&app, &all_read)
        .await
        .assert_status_is_ok();
    Req::new(Method::DELETE, STATE, state_query(Some("s"), None))
        .send_as(&app, &all_read)
        .await
        .assert_status(poem::http::StatusCode::FORBIDDEN);
    let wrong = crate::helpers::basic("bb_nobody", "wrong");
    let response = Req::new(Method::GET, STATE, state_query(Some("s"), None))
        .send_as(&app, &wrong)
        .await;
    response.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    assert!(response.0.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn oversized_documents_get_413_and_are_not_stored() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 1024).await;
    let response = Req::new(Method::PUT, STATE, state_query(Some("big"), None))
        .bytes("application/octet-stream", &vec![7u8; 4096])
        .send(&app)
        .await;
    response.assert_status(poem::http::StatusCode::PAYLOAD_TOO_LARGE);
    Req::new(Method::GET, STATE, state_query(Some("big"), None))
        .send(&app)
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
}
