//! Health, readiness, metrics, CORS and the OpenAPI document.

use crate::helpers::{TestApp, json_of, statement};

#[tokio::test]
async fn health_and_readiness_answer_ok() {
    let app = TestApp::spawn().await;
    app.client
        .get("/healthz")
        .send()
        .await
        .assert_status_is_ok();
    let response = app.client.get("/readyz").send().await;
    response.assert_status_is_ok();
    assert_eq!(json_of(response).await["status"], "ok");
}

#[tokio::test]
async fn metrics_count_requests_and_stored_statements() {
    let app = TestApp::spawn().await;
    app.post(&statement(1)).await.assert_status_is_ok();
    let response = app.client.get("/metrics").send().await;
    response.assert_status_is_ok();
    let text = response.0.into_body().into_string().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("xapi_statements_stored_total"), "{text}");
}

#[tokio::test]
async fn cors_preflight_allows_xapi_headers_from_any_origin() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .options("/xapi/statements")
        .header("Origin", "https://lms.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,x-experience-api-version,content-type",
        )
        .send()
        .await;
    response.assert_status_is_ok();
    let allowed = response
        .0
        .headers()
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("x-experience-api-version"), "{allowed}");
}

#[tokio::test]
async fn committed_openapi_document_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json exists");
    let generated = blackbelt::app::openapi_json();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is out of date: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn metrics_label_routes_by_template_and_export_histograms() {
    let app = TestApp::spawn().await;
    for probe in ["/wp-admin/1234.php", "/wp-admin/5678.php"] {
        app.client
            .get(probe)
            .send()
            .await
            .assert_status(poem::http::StatusCode::NOT_FOUND);
    }
    app.client
        .get("/healthz")
        .send()
        .await
        .assert_status_is_ok();
    let text = app
        .client
        .get("/metrics")
        .send()
        .await
        .0
        .into_body()
        .into_string()
        .await
        .unwrap();
    assert!(!text.contains("wp-admin"), "probes became labels");
    assert!(text.contains("route=\"unmatched\""), "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "no histogram buckets"
    );
    assert!(text.contains("route=\"/healthz\""), "{text}");
}
