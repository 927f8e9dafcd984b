//! The verification page `/verify/{id}`: live status, Open Graph tags, links to verify,
//! its own Content-Security-Policy, the revoked state, and an escaped 404 page.

use poem::http::StatusCode;
use serde_json::json;

use crate::badges_support::{ADA, awarded, get, path_of};
use crate::helpers::TestApp;

#[tokio::test]
async fn the_verification_page_shows_the_live_status_and_how_to_verify() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (award, summary) = awarded(&app, ADA, "white").await;
    let page_path = path_of(summary["links"]["verify_page"].as_str().unwrap());
    let page = get(&app, &page_path, None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    let policy = page.header("content-security-policy");
    assert!(
        policy.contains("style-src 'sha256-") && !policy.contains("script-src"),
        "{policy}"
    );
    for needle in [
        "<meta property=\"og:title\"",
        "<meta property=\"og:image\" content=\"http",
        "image.svg\">",
        "class=\"status valid\"",
        "White Belt",
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME",
        "/ob/jwks.json",
        "/ob/status/",
    ] {
        assert!(
            page.body.contains(needle),
            "{needle} missing:\n{}",
            page.body
        );
    }
    assert!(!page.body.contains("<script"));
    app.call(
        "POST",
        &format!("/api/certification/awards/{award}/revoke"),
        &app.auth,
        Some(json!({"reason": "private reason"})),
    )
    .await;
    let revoked = get(&app, &page_path, None, None).await;
    assert!(revoked.body.contains("class=\"status revoked\""));
    assert!(!revoked.body.contains("private reason"));
    assert!(!revoked.body.contains("linkedin.com"));
    let unknown = get(
        &app,
        "/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        None,
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.header("content-type").starts_with("text/html"));
    assert!(unknown.body.contains("&lt;script&gt;") && !unknown.body.contains("<script>"));
}
