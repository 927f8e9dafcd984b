//! LTI Dynamic Registration against a fake platform: configuration read, registration
//! posted with the token and the tool configuration, platform stored pending until
//! approved, and the page closes with `org.imsglobal.lti.close`.

use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{EndpointExt, Request, Route, Server, get, handler, listener::TcpListener, post};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

/// (Authorization header, body) of each registration request the platform received.
type Requests = Vec<(Option<String>, Value)>;

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Requests>>);

#[handler]
fn configuration(port: Data<&u16>) -> Json<Value> {
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
    let response = app
        .client
        .get("/lti/register")
        .query(
            "openid_configuration",
            &format!("http://127.0.0.1:{port}/.well-known/openid-configuration"),
        )
        .query("registration_token", &"reg-token-1")
        .send()
        .await;
    response.assert_status_is_ok();
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains("org.imsglobal.lti.close"), "{page}");

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
    login.assert_status(StatusCode::BAD_REQUEST);
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
    let response = app
        .client
        .get("/lti/register")
        .query(
            "openid_configuration",
            &format!("http://localhost:{port}/.well-known/openid-configuration"),
        )
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains("issuer_mismatch"), "{page}");
    let missing = app.client.get("/lti/register").send().await;
    missing.assert_status(StatusCode::BAD_REQUEST);
}
