//! LTI 1.3 launches against a test platform: the happy path, every known-bad payload
//! (refused with a page and an error code, nothing created), the valid variants,
//! replays, and Deep Linking.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::content::POLICY_AU;
use crate::helpers::{TestApp, json_of};
use crate::lti_platform::{
    CLIENT_ID, DEPLOYMENT, ISSUER, TestPlatform, good_claims, login, post_launch, rsa_key,
};

const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";

async fn setup() -> (TestApp, TestPlatform) {
    let app = TestApp::spawn().await;
    app.import_course("all-employees").await;
    let platform = TestPlatform::register(&app).await;
    (app, platform)
}

async fn registrations_of(app: &TestApp, user: &str) -> usize {
    let response = app
        .client
        .get("/api/learners/progress")
        .query("homePage", &ISSUER)
        .query("name", &user)
        .header("Authorization", &app.auth)
        .send()
        .await;
    response.assert_status_is_ok();
    json_of(response).await.as_array().unwrap().len()
}

async fn body_text(response: poem::test::TestResponse) -> String {
    response.0.into_body().into_string().await.unwrap()
}

#[tokio::test]
async fn a_valid_launch_opens_the_module_with_a_working_token() {
    let (app, platform) = setup().await;
    let (state, nonce) = login(&app).await;
    let response = post_launch(
        &app,
        &platform.sign(&good_claims(&nonce, POLICY_AU)),
        &state,
    )
    .await;
    response.assert_status(StatusCode::FOUND);
    let location = response.0.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.contains("/content/all-employees-v1-"),
        "{location}"
    );
    let launch = json!({"launchUrl": location});
    let actor: Value = serde_json::from_str(&crate::content::param(&launch, "actor")).unwrap();
    assert_eq!(
        actor["account"],
        json!({"homePage": ISSUER, "name": "user-1"})
    );
    assert_eq!(actor["name"], "Ada Lovelace");
    let token = app.token(&launch).await;
    let registration = crate::content::param(&launch, "registration");
    let state_doc = app
        .client
        .get("/xapi/activities/state")
        // LaunchData lives under the LMS-generated activityId (cmi5 §8.1.5, §10).
        .query("activityId", &crate::content::param(&launch, "activityId"))
        .query("agent", &actor.to_string())
        .query("registration", &registration)
        .query("stateId", &"LMS.LaunchData")
        .header("Authorization", &token)
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await;
    state_doc.assert_status_is_ok();
    let data = json_of(state_doc).await;
    assert_eq!(data["returnURL"], "https://lms.example.com/course/1");
    assert_eq!(data["launchMode"], "Normal");
    assert_eq!(registrations_of(&app, "user-1").await, 1);

    // The state is single-use: the same launch again is refused.
    let again = post_launch(
        &app,
        &platform.sign(&good_claims(&nonce, POLICY_AU)),
        &state,
    )
    .await;
    again.assert_status(StatusCode::UNAUTHORIZED);
    assert!(body_text(again).await.contains("invalid_state"));
}

/// Applies a change to good claims.
type Change = fn(&mut Value);
/// Makes an id_token for a nonce.
type TokenMaker<'a> = Box<dyn Fn(&str) -> String + 'a>;

#[tokio::test]
async fn known_bad_payloads_are_refused_and_create_nothing() {
    let (app, platform) = setup().await;
    let (other_key, _) = rsa_key();
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "wrong LTI version",
            |c| c[format!("{LTI}version")] = json!("1.2.0"),
            "version",
        ),
        (
            "no LTI version",
            |c| remove(c, &format!("{LTI}version")),
            "version",
        ),
        (
            "no message_type",
            |c| remove(c, &format!("{LTI}message_type")),
            "message_type",
        ),
        (
            "no roles claim",
            |c| remove(c, &format!("{LTI}roles")),
            "roles",
        ),
        (
            "no deployment_id",
            |c| remove(c, &format!("{LTI}deployment_id")),
            "deployment",
        ),
        (
            "unknown deployment_id",
            |c| c[format!("{LTI}deployment_id")] = json!("other"),
            "deployment",
        ),
        (
            "no resource_link",
            |c| remove(c, &format!("{LTI}resource_link")),
            "resource_link",
        ),
        ("no sub", |c| remove(c, "sub"), "sub"),
        (
            "expired",
            |c| c["exp"] = json!(jiff::Timestamp::now().as_second() - 3600),
            "exp",
        ),
        (
            "issued in the future",
            |c| c["iat"] = json!(jiff::Timestamp::now().as_second() + 3600),
            "future",
        ),
        (
            "wrong issuer",
            |c| c["iss"] = json!("https://evil.example"),
            "iss",
        ),
        (
            "wrong audience",
            |c| c["aud"] = json!("someone-else"),
            "aud",
        ),
        (
            "wrong nonce",
            |c| c["nonce"] = json!("not-the-nonce"),
            "nonce",
        ),
    ];
    for (name, change, needle) in cases {
        let (state, nonce) = login(&app).await;
        let mut claims = good_claims(&nonce, POLICY_AU);
        change(&mut claims);
        let response = post_launch(&app, &platform.sign(&claims), &state).await;
        let status = response.0.status();
        let page = body_text(response).await;
        assert!(status.is_client_error(), "{name}: status {status}");
        assert!(page.contains("Error code"), "{name}: {page}");
        assert!(
            page.to_lowercase().contains(needle),
            "{name}: page lacks {needle:?}: {page}"
        );
    }
    // Signature problems: no kid, unknown kid, another key, not a JWT.
    let bad_tokens: Vec<(&str, TokenMaker)> = vec![
        (
            "no kid",
            Box::new(|n| platform.sign_with(&good_claims(n, POLICY_AU), &platform.key, None)),
        ),
        (
            "unknown kid",
            Box::new(|n| {
                platform.sign_with(&good_claims(n, POLICY_AU), &platform.key, Some("nope"))
            }),
        ),
        (
            "other key",
            Box::new(|n| {
                platform.sign_with(&good_claims(n, POLICY_AU), &other_key, Some(&platform.kid))
            }),
        ),
        ("not a JWT", Box::new(|_| "garbage.not.jwt".to_owned())),
    ];
    for (name, make) in bad_tokens {
        let (state, nonce) = login(&app).await;
        let response = post_launch(&app, &make(&nonce), &state).await;
        assert!(response.0.status().is_client_error(), "{name}");
    }
    assert_eq!(
        registrations_of(&app, "user-1").await,
        0,
        "nothing was created"
    );
}

fn remove(claims: &mut Value, key: &str) {
    claims.as_object_mut().unwrap().remove(key);
}

#[tokio::test]
async fn valid_variants_are_accepted() {
    let (app, platform) = setup().await;
    let variants: Vec<(&str, Change)> = vec![
        ("multiple roles", |c| {
            c[format!("{LTI}roles")] = json!([
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
                "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
            ])
        }),
        ("short role names", |c| {
            c[format!("{LTI}roles")] = json!(["Learner"])
        }),
        ("unknown role", |c| {
            c[format!("{LTI}roles")] = json!(["http://example.com/role#Wizard"])
        }),
        ("no role", |c| c[format!("{LTI}roles")] = json!([])),
        ("email only", |c| remove(c, "name")),
        ("names only", |c| {
            remove(c, "email");
            remove(c, "name");
            c["given_name"] = json!("Ada");
            c["family_name"] = json!("Lovelace");
        }),
        ("no PII", |c| {
            remove(c, "email");
            remove(c, "name");
        }),
        ("no context", |c| remove(c, &format!("{LTI}context"))),
        ("aud as array with azp", |c| {
            c["aud"] = json!([CLIENT_ID, "another"]);
            c["azp"] = json!(CLIENT_ID);
        }),
    ];
    for (i, (name, change)) in variants.into_iter().enumerate() {
        let (state, nonce) = login(&app).await;
        let mut claims = good_claims(&nonce, POLICY_AU);
        claims["sub"] = json!(format!("variant-{i}"));
        change(&mut claims);
        let response = post_launch(&app, &platform.sign(&claims), &state).await;
        assert_eq!(
            response.0.status(),
            StatusCode::FOUND,
            "{name}: {}",
            body_text(response).await
        );
    }
}

#[tokio::test]
async fn login_refuses_unknown_platforms_and_foreign_targets() {
    let (app, _platform) = setup().await;
    let response = app
        .client
        .get("/lti/login")
        .query("iss", &"https://unknown.example")
        .query("login_hint", &"u")
        .query("target_link_uri", &"http://127.0.0.1:8420/lti/launch")
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let response = app
        .client
        .get("/lti/login")
        .query("iss", &ISSUER)
        .query("login_hint", &"u")
        .query("target_link_uri", &"https://evil.example/phish")
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(body_text(response).await.contains("foreign_target"));
}

#[tokio::test]
async fn deep_linking_returns_a_signed_resource_link() {
    let (app, platform) = setup().await;
    let (state, nonce) = login(&app).await;
    let mut claims = good_claims(&nonce, POLICY_AU);
    claims[format!("{LTI}message_type")] = json!("LtiDeepLinkingRequest");
    claims[format!("{LTI}roles")] =
        json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]);
    remove(&mut claims, &format!("{LTI}resource_link"));
    claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = json!({
        "deep_link_return_url": "https://lms.example.com/deep_links?course=1",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "data": "opaque-123",
    });
    let response = post_launch(&app, &platform.sign(&claims), &state).await;
    response.assert_status_is_ok();
    let page = body_text(response).await;
    assert!(page.contains("Choose a module"), "{page}");
    let context = page
        .split("name=\"context\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("context", &context)
        .append_pair("au", POLICY_AU)
        .finish();
    let response = app
        .client
        .post("/lti/deep-linking")
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    response.assert_status_is_ok();
    let page = body_text(response).await;
    assert!(
        page.contains("action=\"https://lms.example.com/deep_links?course=1\""),
        "{page}"
    );
    let jwt = page
        .split("name=\"JWT\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let payload: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            jwt.split('.').nth(1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        payload[format!("{LTI}message_type")],
        "LtiDeepLinkingResponse"
    );
    assert_eq!(payload[format!("{LTI}deployment_id")], DEPLOYMENT);
    assert_eq!(payload["aud"], ISSUER);
    assert_eq!(payload["iss"], CLIENT_ID);
    assert_eq!(
        payload["https://purl.imsglobal.org/spec/lti-dl/claim/data"],
        "opaque-123"
    );
    let item = &payload["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0];
    assert_eq!(item["type"], "ltiResourceLink");
    assert_eq!(item["custom"]["au"], POLICY_AU);
    assert_eq!(item["lineItem"]["scoreMaximum"], 100);
    // Tagged so the passback's find-or-create finds the column the LMS made.
    assert_eq!(item["lineItem"]["tag"], "blackbelt");
    assert_eq!(item["lineItem"]["resourceId"], POLICY_AU);
    assert_eq!(item["lineItem"]["label"], item["title"]);

    // The response is signed with a key the tool publishes.
    let jwks = json_of(app.client.get("/lti/jwks").send().await).await;
    let kid = jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap();
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str())
    );

    // A forged context is refused.
    let body = "context=forged&au=x";
    let response = app
        .client
        .post("/lti/deep-linking")
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let _ = platform.jwks_url;
    let _ = platform.platform_id;
}

#[tokio::test]
async fn only_registered_platforms_may_frame_the_modules() {
    let (app, _platform) = setup().await;
    let catalog = json_of(
        app.client
            .get("/api/courses")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    let url = catalog[0]["aus"][0]["url"].as_str().unwrap().to_owned();
    let response = app.client.get(&url).send().await;
    response.assert_status_is_ok();
    let policy = response.0.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(policy, "frame-ancestors 'self' https://lms.example.com");
    // API answers are not pages: nothing may frame them.
    let api = app.client.get("/healthz").send().await;
    let policy = api.0.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
}

/// A captured id_token carries the nonce of the login it answered; posting it again
/// under a state from a fresh login must not open a second session.
#[tokio::test]
async fn an_id_token_replayed_under_a_fresh_state_is_refused() {
    let (app, platform) = setup().await;
    let (state, nonce) = login(&app).await;
    let id_token = platform.sign(&good_claims(&nonce, POLICY_AU));
    post_launch(&app, &id_token, &state)
        .await
        .assert_status(StatusCode::FOUND);

    let (fresh_state, _) = login(&app).await;
    let replay = post_launch(&app, &id_token, &fresh_state).await;
    replay.assert_status(StatusCode::UNAUTHORIZED);
    assert!(body_text(replay).await.contains("bad_nonce"));
}

#[tokio::test]
async fn launch_errors_name_the_flow_the_id_token_claims_or_use_neutral_words() {
    use crate::lti_platform::deep_linking_claims;
    let (app, platform) = setup().await;
    let (other_key, _) = rsa_key();
    let title = |page: &str| {
        page.split("<title>")
            .nth(1)
            .and_then(|t| t.split(" | ").next())
            .unwrap_or_default()
            .to_owned()
    };

    // Refused before anything is verified: the claimed message type names the flow.
    let (state, nonce) = login(&app).await;
    let forged = platform.sign_with(
        &deep_linking_claims(&nonce),
        &other_key,
        Some(&platform.kid),
    );
    let page = body_text(post_launch(&app, &forged, &state).await).await;
    assert_eq!(title(&page), "Deep Linking error", "{page}");
    assert!(
        page.contains("This Deep Linking selection could not be completed"),
        "{page}"
    );
    assert!(page.contains("bad_signature"), "{page}");

    let (state, nonce) = login(&app).await;
    let mut claims = deep_linking_claims(&nonce);
    claims["nonce"] = json!("not-the-nonce");
    let page = body_text(post_launch(&app, &platform.sign(&claims), &state).await).await;
    assert_eq!(title(&page), "Deep Linking error", "{page}");

    let (state, nonce) = login(&app).await;
    let forged = platform.sign_with(
        &good_claims(&nonce, POLICY_AU),
        &other_key,
        Some(&platform.kid),
    );
    let page = body_text(post_launch(&app, &forged, &state).await).await;
    assert_eq!(title(&page), "Launch error", "{page}");

    // Nothing readable, or a message type this tool does not take: neutral words.
    let (state, _) = login(&app).await;
    let page = body_text(post_launch(&app, "garbage.not.jwt", &state).await).await;
    assert_eq!(title(&page), "LTI sign-in error", "{page}");
    assert!(
        page.contains("LTI sign-in could not be completed"),
        "{page}"
    );
    assert!(!page.contains("This launch"), "{page}");

    let (state, nonce) = login(&app).await;
    let mut claims = good_claims(&nonce, POLICY_AU);
    claims[format!("{LTI}message_type")] = json!("LtiSubmissionReviewRequest");
    let page = body_text(post_launch(&app, &platform.sign(&claims), &state).await).await;
    assert_eq!(title(&page), "LTI sign-in error", "{page}");
    assert!(page.contains("wrong_message_type"), "{page}");

    let response = app
        .client
        .post("/lti/launch")
        .content_type("application/x-www-form-urlencoded")
        .body("state=x")
        .send()
        .await;
    let page = body_text(response).await;
    assert_eq!(title(&page), "LTI sign-in error", "{page}");
    assert!(page.contains("missing_id_token"), "{page}");
}
