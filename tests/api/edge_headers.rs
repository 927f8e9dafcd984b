//! Issue 12, items 13 and 14: response headers, CORS methods, 405 with `Allow`, and the
//! optional metrics token.

use poem::http::StatusCode;

use crate::helpers::{TestApp, json_of};

#[tokio::test]
async fn api_answers_say_nosniff_and_may_not_be_framed() {
    let app = TestApp::spawn().await;
    for path in ["/xapi/about", "/api/courses", "/healthz", "/openapi.json"] {
        let response = app.client.get(path).send().await;
        let headers = response.0.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.starts_with("default-src 'none'"), "{path}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
    }
    let docs = app.client.get("/docs").send().await;
    let policy = docs.0.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(policy.contains("script-src 'sha256-"), "{policy}");
    assert_eq!(docs.0.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn cors_preflight_allows_the_api_methods_and_never_trace_or_connect() {
    let app = TestApp::spawn().await;
    for method in ["TRACE", "CONNECT"] {
        let response = app
            .client
            .options("/xapi/statements")
            .header("Origin", "https://content.example.com")
            .header("Access-Control-Request-Method", method)
            .send()
            .await;
        let allowed = response
            .0
            .headers()
            .get("access-control-allow-methods")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(!allowed.contains(method), "{method}: {allowed}");
        assert_ne!(response.0.status(), StatusCode::OK, "{method}");
    }
    let response = app
        .client
        .options("/xapi/statements")
        .header("Origin", "https://content.example.com")
        .header("Access-Control-Request-Method", "PUT")
        .send()
        .await;
    response.assert_status_is_ok();
    response.assert_header("access-control-allow-origin", "https://content.example.com");
}

#[tokio::test]
async fn a_wrong_method_gets_405_naming_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .patch("/xapi/statements")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", "2.0.0")
        .send()
        .await;
    response.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    response.assert_header("allow", "GET, HEAD, OPTIONS, POST, PUT");
    let body = json_of(response).await;
    assert_eq!(body["error"], "method_not_allowed");
    let response = app.client.delete("/healthz").send().await;
    response.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    response.assert_header("allow", "GET, HEAD, OPTIONS");
}

#[tokio::test]
async fn metrics_need_the_bearer_token_once_one_is_configured() {
    let open = TestApp::spawn().await;
    open.client
        .get("/metrics")
        .send()
        .await
        .assert_status_is_ok();
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("m3trics-t0ken".into())).await;
    let response = app.client.get("/metrics").send().await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    let body = json_of(response).await;
    assert_eq!(body["error"], "unauthorized");
    let response = app
        .client
        .get("/metrics")
        .header("Authorization", "Bearer wrong")
        .send()
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    let response = app
        .client
        .get("/metrics")
        .header("Authorization", "Bearer m3trics-t0ken")
        .send()
        .await;
    response.assert_status_is_ok();
}
