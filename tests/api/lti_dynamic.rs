//! LTI Dynamic Registration against a fake platform: configuration read, registration
//! posted with the token and the tool configuration, platform stored pending until
//! approved, and the outcome page sends `org.imsglobal.lti.close` when Close is clicked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{EndpointExt, Request, Route, Server, get, handler, listener::TcpListener, post};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

/// (Authorization header, body) of each registration request the platform received.
type Requests = Vec<(Option<String>, Value)>;

/// The registration requests, and how many requests of any kind, the platform saw.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Requests>>, Arc<AtomicUsize>);

#[handler]
fn configuration(port: Data<&u16>, seen: Data<&Seen>) -> Json<Value> {
    seen.0.1.fetch_add(1, Ordering::SeqCst);
    let base = format!("http://127.0.0.1:{}", port.0);
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/auth"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "registration_endpoint": format!("{base}/register"),
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": "moodle", "version": "4.5",
            "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]
        }
    }))
}

#[handler]
fn register(req: &Request, body: Json<Value>, seen: Data<&Seen>) -> Json<Value> {
    seen.0.1.fetch_add(1, Ordering::SeqCst);
    let auth = req.header("Authorization").map(str::to_owned);
    seen.0.0.lock().unwrap().push((auth, body.0));
    Json(json!({
        "client_id": "dyn-client-9",
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": "dep-9"}
    }))
}

async fn fake_platform() -> (u16, Seen) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let seen = Seen::default();
    let app = Route::new()
        .at("/.well-known/openid-configuration", get(configuration))
        .at("/register", post(register))
        .data(port)
        .data(seen.clone());
    tokio::spawn(Server::new(TcpListener::bind(format!("127.0.0.1:{port}"))).run(app));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    (port, seen)
}

#[tokio::test]
async fn dynamic_registration_registers_pending_then_approved() {
    let app = TestApp::spawn().await;
    let (port, seen) = fake_platform().await;
    let link = app.registration_link().await;
    let response = app
        .client
        .get("/lti/register")
        .query("link", &link)
        .query(
            "openid_configuration",
            &format!("http://127.0.0.1:{port}/.well-known/openid-configuration"),
        )
        .query("registration_token", &"reg-token-1")
        .send()
        .await;
    response.assert_status_is_ok();
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains("data-lti-close"), "{page}");

    let (auth, request) = seen.0.lock().unwrap().remove(0);
    assert_eq!(auth.as_deref(), Some("Bearer reg-token-1"));
    let tool = &request["https://purl.imsglobal.org/spec/lti-tool-configuration"];
    assert_eq!(
        tool["domain"], "127.0.0.1:8420",
        "the domain keeps the port"
    );
    assert_eq!(
        request["initiate_login_uri"],
        "http://127.0.0.1:8420/lti/login"
    );
    assert_eq!(
        request["redirect_uris"][0],
        "http://127.0.0.1:8420/lti/launch"
    );
    assert!(
        request["scope"]
            .as_str()
            .unwrap()
            .contains("lti-ags/scope/score")
    );
    let types: Vec<&str> = tool["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]);

    let list = json_of(
        app.client
            .get("/api/lti/platforms")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    let platform = &list[0];
    assert_eq!(platform["status"], "pending");
    assert_eq!(platform["clientId"], "dyn-client-9");
    assert_eq!(platform["deploymentIds"][0], "dep-9");
    // Pending registrations cannot launch yet.
    let login = app
        .client
        .get("/lti/login")
        .query("iss", &format!("http://127.0.0.1:{port}"))
        .query("login_hint", &"u")
        .query("target_link_uri", &"http://127.0.0.1:8420/lti/launch")
        .send()
        .await;
    login.assert_status(StatusCode::FORBIDDEN);
    let id = platform["id"].as_i64().unwrap();
    app.client
        .post(format!("/api/lti/platforms/{id}/approve"))
        .header("Authorization", &app.auth)
        .send()
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let login = app
        .client
        .get("/lti/login")
        .query("iss", &format!("http://127.0.0.1:{port}"))
        .query("login_hint", &"u")
        .query("target_link_uri", &"http://127.0.0.1:8420/lti/launch")
        .send()
        .await;
    login.assert_status(StatusCode::FOUND);
}

#[tokio::test]
async fn registration_from_a_host_other_than_the_issuer_is_refused() {
    let app = TestApp::spawn().await;
    let (port, _seen) = fake_platform().await;
    // Served from "localhost" while the issuer says 127.0.0.1.
    let link = app.registration_link().await;
    let response = app
        .client
        .get("/lti/register")
        .query("link", &link)
        .query(
            "openid_configuration",
            &format!("http://localhost:{port}/.well-known/openid-configuration"),
        )
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains("issuer_mismatch"), "{page}");
    let missing = app
        .client
        .get("/lti/register")
        .query("link", &link)
        .send()
        .await;
    missing.assert_status(StatusCode::BAD_REQUEST);
}

async fn register_with(app: &TestApp, port: u16, link: Option<&str>) -> (StatusCode, String) {
    let mut request = app.client.get("/lti/register");
    if let Some(link) = link {
        request = request.query("link", &link);
    }
    let response = request
        .query(
            "openid_configuration",
            &format!("http://127.0.0.1:{port}/.well-known/openid-configuration"),
        )
        .query("registration_token", &"reg-token-1")
        .send()
        .await;
    let status = response.0.status();
    (status, response.0.into_body().into_string().await.unwrap())
}

async fn platform_count(app: &TestApp) -> usize {
    let list = json_of(
        app.client
            .get("/api/lti/platforms")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    list.as_array().unwrap().len()
}

#[tokio::test]
async fn registration_without_a_valid_link_fetches_nothing_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let (port, seen) = fake_platform().await;
    let real = app.registration_link().await;
    let (key, _) = real.split_once('.').unwrap();
    let forged = format!("{key}.not-the-secret");
    for link in [
        None,
        Some(""),
        Some("nonsense"),
        Some("abc.def"),
        Some(forged.as_str()),
    ] {
        let (status, page) = register_with(&app, port, link).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{link:?}: {page}");
        assert!(page.contains("registration_link_"), "{page}");
    }
    for _ in 0..20 {
        register_with(&app, port, None).await;
    }
    assert_eq!(
        seen.1.load(Ordering::SeqCst),
        0,
        "the platform was never called"
    );
    assert_eq!(platform_count(&app).await, 0);
}

#[tokio::test]
async fn a_registration_link_works_once() {
    let app = TestApp::spawn().await;
    let (port, seen) = fake_platform().await;
    let link = app.registration_link().await;
    let (status, page) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let calls = seen.1.load(Ordering::SeqCst);
    assert_eq!(calls, 2, "configuration and registration");
    let (status, page) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("registration_link_used"), "{page}");
    assert_eq!(
        seen.1.load(Ordering::SeqCst),
        calls,
        "no call for a used link"
    );
    assert_eq!(platform_count(&app).await, 1);
}

#[tokio::test]
async fn a_failed_registration_leaves_the_link_usable() {
    let app = TestApp::spawn().await;
    let (port, _seen) = fake_platform().await;
    let link = app.registration_link().await;
    let response = app
        .client
        .get("/lti/register")
        .query("link", &link)
        .query(
            "openid_configuration",
            &format!("http://127.0.0.1:{port}/no-such-configuration"),
        )
        .send()
        .await;
    response.assert_status(StatusCode::BAD_GATEWAY);
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(
        page.contains("the platform&#39;s configuration could not be fetched: it answered 404"),
        "{page}"
    );
    let (status, page) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
}

#[tokio::test]
async fn an_expired_registration_link_is_refused() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let (port, seen) = fake_platform().await;
    let link = app.registration_link().await;
    app.db
        .conn
        .execute_unprepared("UPDATE lti_registration_links SET expires_us = 1")
        .await
        .unwrap();
    let (status, page) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("registration_link_expired"), "{page}");
    assert_eq!(seen.1.load(Ordering::SeqCst), 0);
    assert_eq!(platform_count(&app).await, 0);
}

#[tokio::test]
async fn registration_links_are_for_administrators_and_bounded() {
    let app = TestApp::spawn().await;
    let reader = app.credential("statements/read").await;
    app.client
        .post("/api/lti/registration-links")
        .header("Authorization", &reader)
        .content_type("application/json")
        .body("{}")
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let response = app
        .client
        .post("/api/lti/registration-links")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(r#"{"validDays": 365}"#)
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let body = response.0.into_body().into_string().await.unwrap();
    assert!(body.contains("validDays"), "{body}");
    let response = app
        .client
        .post("/api/lti/registration-links")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(r#"{"validDays": 1, "label": "Moodle"}"#)
        .send()
        .await;
    response.assert_status(StatusCode::CREATED);
    let link = json_of(response).await;
    assert_eq!(link["label"], "Moodle");
    assert!(
        link["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:8420/lti/register?link=")
    );
    // The secret is not stored in clear.
    use sea_orm::ConnectionTrait;
    let url = url::Url::parse(link["url"].as_str().unwrap()).unwrap();
    let token = url.query_pairs().next().unwrap().1.into_owned();
    let secret = token.split_once('.').unwrap().1.to_owned();
    let rows = app
        .db
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            "SELECT secret_hash, salt FROM lti_registration_links",
        ))
        .await
        .unwrap();
    for row in rows {
        let hash: String = row.try_get("", "secret_hash").unwrap();
        assert!(!hash.contains(&secret));
    }
}

#[tokio::test]
async fn with_auto_approval_a_linked_registration_is_active_at_once() {
    let app = TestApp::spawn_with(|config| config.lti_auto_approve = true).await;
    let (port, _seen) = fake_platform().await;
    let (status, _) = register_with(&app, port, None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "auto-approval still needs a link"
    );
    let link = app.registration_link().await;
    let (status, page) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let list = json_of(
        app.client
            .get("/api/lti/platforms")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    assert_eq!(list[0]["status"], "active");
}

#[tokio::test]
async fn registration_from_a_loopback_platform_is_refused_unless_private_networks_are_allowed() {
    let app = TestApp::spawn_with(|config| config.outbound_allow_private = false).await;
    let (port, seen) = fake_platform().await;
    let link = app.registration_link().await;
    let (status, page) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("address_refused"), "{page}");
    assert!(page.contains("outbound_allow_private"), "{page}");
    assert_eq!(seen.1.load(Ordering::SeqCst), 0, "nothing was called");
    assert_eq!(platform_count(&app).await, 0);
}

#[tokio::test]
async fn two_registrations_racing_on_one_link_store_one_platform() {
    let app = TestApp::spawn().await;
    let (port, _seen) = fake_platform().await;
    let link = app.registration_link().await;
    let (a, b) = tokio::join!(
        register_with(&app, port, Some(&link)),
        register_with(&app, port, Some(&link))
    );
    let ok = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{a:?} {b:?}");
    assert_eq!(platform_count(&app).await, 1);
}

/// Moodle closes the registration window on `org.imsglobal.lti.close`: the outcome
/// (pending, and how to approve) stays on screen until the person clicks Close, and the
/// message is sent by a script served from the binary, not inline.
#[tokio::test]
async fn the_registration_outcome_stays_until_close_is_clicked() {
    let app = TestApp::spawn().await;
    let (port, _seen) = fake_platform().await;
    let link = app.registration_link().await;
    let (status, page) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let list = json_of(
        app.client
            .get("/api/lti/platforms")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    let id = list[0]["id"].as_i64().unwrap();
    assert!(page.contains("pending approval"), "{page}");
    assert!(
        page.contains(&format!("blackbelt lti platforms approve {id}")),
        "{page}"
    );
    assert!(
        page.contains(&format!("POST /api/lti/platforms/{id}/approve")),
        "{page}"
    );
    assert!(
        page.contains("<button type=\"button\" data-lti-close>Close</button>"),
        "{page}"
    );
    assert!(!page.contains("org.imsglobal.lti.close"), "{page}");
    assert!(
        page.contains("<script src=\"close.js\"></script>"),
        "{page}"
    );
    let script = app.client.get("/lti/close.js").send().await;
    script.assert_status_is_ok();
    script.assert_content_type("text/javascript; charset=utf-8");
    let script = script.0.into_body().into_string().await.unwrap();
    let click = script.find("addEventListener('click'").unwrap();
    assert!(
        script[click..].contains("org.imsglobal.lti.close"),
        "{script}"
    );
}

/// A launch or Deep Linking from a platform registered but not approved says so, with
/// the approve command, instead of "register it".
#[tokio::test]
async fn a_login_from_a_pending_platform_names_the_approve_command() {
    let app = TestApp::spawn().await;
    let (port, _seen) = fake_platform().await;
    let link = app.registration_link().await;
    let (status, _) = register_with(&app, port, Some(&link)).await;
    assert_eq!(status, StatusCode::OK);
    let login = app
        .client
        .get("/lti/login")
        .query("iss", &format!("http://127.0.0.1:{port}"))
        .query("login_hint", &"u")
        .query("target_link_uri", &"http://127.0.0.1:8420/lti/launch")
        .send()
        .await;
    login.assert_status(StatusCode::FORBIDDEN);
    let page = login.0.into_body().into_string().await.unwrap();
    assert!(page.contains("pending_approval"), "{page}");
    assert!(page.contains("pending approval"), "{page}");
    assert!(page.contains("blackbelt lti platforms approve 1"), "{page}");
    assert!(!page.contains("platforms add"), "{page}");
    assert!(
        page.contains("This LTI login could not be completed"),
        "{page}"
    );
}

/// Registration errors are titled as registration errors, not launch errors.
#[tokio::test]
async fn registration_errors_name_the_registration_flow() {
    let app = TestApp::spawn().await;
    let (port, _seen) = fake_platform().await;
    let (status, page) = register_with(&app, port, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("<title>Registration error | Black Belt</title>"),
        "{page}"
    );
    assert!(
        page.contains("This registration could not be completed"),
        "{page}"
    );
    assert!(!page.contains("launch"), "{page}");
}
