//! LTI 1.1 launches: OAuth 1.0a signatures over the exact URL and parameters,
//! timestamp window, nonce replay, and the launch itself.

use blackbelt::lti::oauth1::{base_string, sign};
use poem::http::StatusCode;

use crate::content::POLICY_AU;
use crate::helpers::{TestApp, json_of};

pub async fn consumer(app: &TestApp) -> (String, String) {
    let response = app
        .client
        .post("/api/lti/consumers")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(r#"{"name": "Test LMS 1.1"}"#)
        .send()
        .await;
    response.assert_status(StatusCode::CREATED);
    let body = json_of(response).await;
    (
        body["consumerKey"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

/// A signed launch body for `url` (as the consumer sees our launch URL); `extra`
/// parameters are added, replacing defaults of the same name.
pub fn signed(
    url: &str,
    key: &str,
    secret: &str,
    nonce: &str,
    timestamp: i64,
    extra: &[(&str, &str)],
) -> String {
    let mut params: Vec<(String, String)> = vec![
        ("lti_message_type", "basic-lti-launch-request"),
        ("lti_version", "LTI-1p0"),
        ("resource_link_id", "link-1"),
        ("user_id", "student-7"),
        ("roles", "Learner"),
        ("lis_person_name_full", "Zoë Ångström"),
        (
            "lis_outcome_service_url",
            "https://lms.example.com/outcomes?x=1",
        ),
        ("lis_result_sourcedid", "sourced-1"),
        ("custom_au", POLICY_AU),
        ("oauth_consumer_key", key),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", &timestamp.to_string()),
        ("oauth_version", "1.0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    // An extra parameter named like a default one replaces it.
    params.retain(|(k, _)| !extra.iter().any(|(name, _)| name == k));
    params.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    // The signature covers the launch URL's query parameters too.
    let mut signed_params = params.clone();
    signed_params.extend(
        url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned())),
    );
    let base = base_string("POST", url, &signed_params).unwrap();
    params.push(("oauth_signature".into(), sign(&base, secret, "")));
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &params {
        body.append_pair(k, v);
    }
    body.finish()
}

async fn post(app: &TestApp, path: &str, body: String) -> poem::test::TestResponse {
    app.client
        .post(path)
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
}

#[tokio::test]
async fn signed_launches_open_the_module_once() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let (key, secret) = consumer(&app).await;
    let now = jiff::Timestamp::now().as_second();
    // Duplicate parameter names and a query string are part of what is signed.
    let body = signed(
        "http://127.0.0.1:8420/lti/11/launch?tenant=a&x=1",
        &key,
        &secret,
        "nonce-1",
        now,
        &[("custom_x", "1"), ("custom_x", "2")],
    );
    let response = post(&app, "/lti/11/launch?tenant=a&x=1", body.clone()).await;
    if response.0.status() != StatusCode::FOUND {
        panic!("{}", response.0.into_body().into_string().await.unwrap());
    }
    let location = response.0.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.contains("/content/all-employees-v1-"),
        "{location}"
    );
    // The outcome fields became a passback target in the launch's transaction; a
    // never-attempted AU has no score to send in LTI 1.1, so nothing waits yet.
    {
        use sea_orm::EntityTrait;
        let targets = entities::passback_target::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap();
        assert_eq!(targets.len(), 1, "{targets:?}");
        assert_eq!(targets[0].protocol, "lti11");
        assert_eq!(targets[0].user_id, "student-7");
        assert_eq!(targets[0].source, format!("consumer:{key}"));
        assert_eq!(
            targets[0].outcome_url.as_deref(),
            Some("https://lms.example.com/outcomes?x=1")
        );
        assert_eq!(targets[0].sourcedid.as_deref(), Some("sourced-1"));
        let messages = entities::passback_message::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap();
        assert!(messages.is_empty(), "{messages:?}");
    }

    // The same nonce again is a replay.
    let replay = post(&app, "/lti/11/launch?tenant=a&x=1", body).await;
    replay.assert_status(StatusCode::UNAUTHORIZED);
    assert!(
        replay
            .0
            .into_body()
            .into_string()
            .await
            .unwrap()
            .contains("replayed_nonce")
    );
}

#[tokio::test]
async fn bad_signatures_old_timestamps_and_unknown_consumers_are_refused() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let (key, secret) = consumer(&app).await;
    let now = jiff::Timestamp::now().as_second();
    let url = "http://127.0.0.1:8420/lti/11/launch";
    let cases = [
        (
            "wrong secret",
            signed(url, &key, "not-the-secret", "n1", now, &[]),
            "bad_signature",
        ),
        (
            "signed for another URL",
            signed("http://127.0.0.1:8420/other", &key, &secret, "n2", now, &[]),
            "bad_signature",
        ),
        (
            "old timestamp",
            signed(url, &key, &secret, "n3", now - 3600, &[]),
            "stale_timestamp",
        ),
        (
            "unknown consumer",
            signed(url, "bb11_nobody", &secret, "n4", now, &[]),
            "unknown_consumer",
        ),
        (
            "tampered",
            signed(url, &key, &secret, "n5", now, &[]).replace("student-7", "student-8"),
            "bad_signature",
        ),
    ];
    for (name, body, code) in cases {
        let response = post(&app, "/lti/11/launch", body).await;
        response.assert_status(StatusCode::UNAUTHORIZED);
        let page = response.0.into_body().into_string().await.unwrap();
        assert!(page.contains(code), "{name}: {page}");
    }
}

/// An LTI 1.1-only LMS frames the modules once its consumer names the LMS origin: no
/// `frame_ancestors` to edit by hand.
#[tokio::test]
async fn a_consumer_origin_may_frame_the_modules() {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let response = app
        .client
        .post("/api/lti/consumers")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(r#"{"name": "LMS 1.1", "origin": "https://LMS11.example.com:8443/"}"#)
        .send()
        .await;
    response.assert_status(StatusCode::CREATED);
    let made = json_of(response).await;
    assert_eq!(made["origin"], "https://lms11.example.com:8443");
    let list = json_of(
        app.client
            .get("/api/lti/consumers")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    assert_eq!(list[0]["origin"], "https://lms11.example.com:8443");
    let catalog = json_of(
        app.client
            .get("/api/courses")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    let url = catalog[0]["aus"][0]["url"].as_str().unwrap().to_owned();
    let module = app.client.get(&url).send().await;
    module.assert_status_is_ok();
    let policy = module.0.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        policy,
        "frame-ancestors 'self' https://lms11.example.com:8443"
    );
}

/// A consumer origin is an origin: anything else is refused with the rule, and nothing
/// is created.
#[tokio::test]
async fn a_consumer_origin_that_is_not_an_origin_is_refused() {
    let app = TestApp::spawn().await;
    for origin in [
        "lms.example.com",
        "https://lms.example.com/moodle",
        "javascript:alert(1)",
        "",
    ] {
        let response = app
            .client
            .post("/api/lti/consumers")
            .header("Authorization", &app.auth)
            .content_type("application/json")
            .body(serde_json::json!({"name": "LMS", "origin": origin}).to_string())
            .send()
            .await;
        response.assert_status(StatusCode::BAD_REQUEST);
        let body = json_of(response).await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("origin must be an http(s) origin"),
            "{origin}: {body}"
        );
    }
    let list = json_of(
        app.client
            .get("/api/lti/consumers")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_consumer_without_an_origin_omits_the_field_instead_of_sending_null() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post("/api/lti/consumers")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(r#"{"name": "Cornerstone"}"#)
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::CREATED);
    let created = response.0.into_body().into_string().await.unwrap();
    assert!(!created.contains("null"), "{created}");
    let listed = app
        .client
        .get("/api/lti/consumers")
        .header("Authorization", &app.auth)
        .send()
        .await
        .0
        .into_body()
        .into_string()
        .await
        .unwrap();
    assert!(!listed.contains("null"), "{listed}");
}
