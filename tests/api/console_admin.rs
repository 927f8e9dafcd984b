//! The console's administration pages (`/console/admin/...`): the index, API
//! credentials, the passback queue, packages and LTI; admin only.

use blackbelt::console::role::Role;
use poem::http::StatusCode;
use serde_json::json;

use crate::console_support::{Page, signed_in};
use crate::helpers::{TestApp, statement};

const PAGES: [&str; 6] = [
    "/console/admin",
    "/console/admin/credentials",
    "/console/admin/passback",
    "/console/admin/packages",
    "/console/admin/lti",
    "/console/statements/void?id=00000000-0000-4000-8000-000000000000",
];

/// The text between `start` and the next `end` after it.
fn between<'a>(page: &'a Page, start: &str, end: &str) -> &'a str {
    let at = page
        .body
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` missing:\n{}", page.body))
        + start.len();
    let len = page.body[at..].find(end).expect("end");
    &page.body[at..at + len]
}

#[tokio::test]
async fn every_admin_page_is_refused_to_every_other_role() {
    let app = TestApp::spawn().await;
    for role in [Role::Program, Role::Reviewer, Role::Manager, Role::Viewer] {
        let who = signed_in(&app, role, Some(json!({"org_units": ["x"]}))).await;
        for path in PAGES {
            let page = who.get(&app, path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
        for path in [
            "/console/admin/credentials",
            "/console/admin/credentials/revoke",
            "/console/admin/passback/retry",
            "/console/admin/packages",
            "/console/admin/lti/platforms",
        ] {
            let page = who
                .post(&app, path, &[("label", "x"), ("scope", "all")])
                .await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role} POST {path}");
        }
    }
}

#[tokio::test]
async fn the_admin_index_leads_to_every_section() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console/admin").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1>Administration</h1>")
        .shows("href=\"/console/admin/credentials\"")
        .shows("href=\"/console/admin/packages\"")
        .shows("href=\"/console/admin/lti\"")
        .shows("href=\"/console/admin/passback\"")
        .shows("href=\"/console/admin/users\"");
}

#[tokio::test]
async fn a_credential_created_in_the_console_works_on_xapi_until_revoked() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console/admin/credentials").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("value=\"statements/write\"")
        .shows("value=\"admin\"");
    let made = admin
        .post(
            &app,
            "/console/admin/credentials",
            &[
                ("label", "Moodle client"),
                ("scope", "statements/write"),
                ("scope", "statements/read"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    made.shows("Copy the secret now").shows("Moodle client");
    let key = between(&made, "<code id=\"new-key\">", "<").to_owned();
    let secret = between(&made, "<code id=\"new-secret\">", "<").to_owned();
    let header = crate::helpers::basic(&key, &secret);
    app.post_as(&statement(1), &header, "1.0.3")
        .await
        .assert_status_is_ok();
    app.get_as("", &header).await.assert_status_is_ok();
    // The list shows it without its secret.
    let list = admin.get(&app, "/console/admin/credentials").await;
    list.shows(&key).shows("statements/read, statements/write");
    assert!(!list.body.contains(&secret));

    let revoked = admin
        .post(&app, "/console/admin/credentials/revoke", &[("key", &key)])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let list = admin.get(&app, revoked.location()).await;
    list.shows("The credential was revoked")
        .shows(">revoked</span>");
    app.post_as(&statement(2), &header, "1.0.3")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let again = admin
        .post(&app, "/console/admin/credentials/revoke", &[("key", &key)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    again.shows("No active credential has the key");
}

#[tokio::test]
async fn a_credential_form_with_bad_input_or_no_csrf_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let before = blackbelt::auth::store::list(&app.db.conn)
        .await
        .unwrap()
        .len();
    let page = admin
        .post(
            &app,
            "/console/admin/credentials",
            &[("label", ""), ("scope", "all")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Label: give the credential a name");
    let page = admin
        .post(
            &app,
            "/console/admin/credentials",
            &[("label", "no scopes")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Scopes: choose at least one scope")
        .shows("value=\"no scopes\"");
    let page = admin
        .post_raw(
            &app,
            "/console/admin/credentials",
            &[("label", "sneaky"), ("scope", "all")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let after = blackbelt::auth::store::list(&app.db.conn)
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
    // Revoking without the token is refused too, and the bootstrap credential still works.
    let key = blackbelt::auth::store::list(&app.db.conn).await.unwrap()[0]
        .key
        .clone();
    let page = admin
        .post_raw(&app, "/console/admin/credentials/revoke", &[("key", &key)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    app.get("").await.assert_status_is_ok();
}
