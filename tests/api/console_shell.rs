//! The console's shell: `/` leads to it, a request without a session goes to sign-in
//! and remembers where it was going, pages carry the console's CSP, assets are served.

use blackbelt::console::role::Role;
use poem::http::StatusCode;

use crate::console_support::{anonymous_get, signed_in};
use crate::helpers::TestApp;

#[tokio::test]
async fn the_root_leads_to_the_console() {
    let app = TestApp::spawn().await;
    let page = anonymous_get(&app, "/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/console");
}

#[tokio::test]
async fn a_page_without_a_session_leads_to_sign_in_and_back() {
    let app = TestApp::spawn().await;
    let page = anonymous_get(&app, "/console?q=ada").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/console/sign-in?next=%2Fconsole%3Fq%3Dada"
    );
}

#[tokio::test]
async fn assets_are_served_with_their_type_and_a_long_cache() {
    let app = TestApp::spawn().await;
    let css = anonymous_get(&app, "/console/assets/console.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), "text/css");
    assert!(css.header("cache-control").contains("immutable"));
    let missing = anonymous_get(&app, "/console/assets/nope.css").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_signed_in_session_is_recognised() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1>Overview</h1>").shows("Test admin");
    let policy = page.header("content-security-policy");
    assert!(
        policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    assert_eq!(page.header("cache-control"), "no-store");
}

#[tokio::test]
async fn a_dead_session_cookie_is_cleared_on_the_way_to_sign_in() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get("/console")
        .header("cookie", "blackbelt_console=not-a-session")
        .send()
        .await;
    let page = crate::console_support::page_of(page).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.header("set-cookie").contains("Max-Age=0"),
        "{:?}",
        page.headers
    );
}
