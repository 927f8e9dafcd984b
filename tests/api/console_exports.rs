//! The administration lists' CSV exports (credentials, passback queue, packages) and the
//! keyset paging of the LTI lists (platforms, pending registrations, consumers).

use blackbelt::console::role::Role;
use blackbelt::lti::platforms::{self, NewPlatform};
use poem::http::StatusCode;

use crate::console_admin::{passback_message, upload};
use crate::console_support::signed_in;
use crate::helpers::TestApp;

/// The CSV lines of a download, after checking it is one.
fn csv_lines(page: &crate::console_support::Page, file: &str) -> Vec<String> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.header("content-type").starts_with("text/csv"));
    assert!(page.header("content-disposition").contains(file));
    page.body
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_credentials_export_lists_every_credential_with_formulas_defused() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let made = admin
        .post(
            &app,
            "/console/admin/credentials",
            &[("label", "=HYPERLINK(\"x\")"), ("scope", "statements/read")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let page = admin.get(&app, "/console/admin/credentials").await;
    page.shows("href=\"/console/admin/credentials/export\"");
    let lines = csv_lines(
        &admin.get(&app, "/console/admin/credentials/export").await,
        "credentials.csv",
    );
    assert_eq!(lines[0], "id,key,label,scopes,created,revoked");
    // The test app's own credential, then the one made here.
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[2].contains(",\"'=HYPERLINK(\"\"x\"\")\",statements/read,"),
        "{}",
        lines[2]
    );
    assert!(lines[2].ends_with(','), "not revoked: {}", lines[2]);
    let refused = signed_in(&app, Role::Reviewer, None)
        .await
        .get(&app, "/console/admin/credentials/export")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_passback_export_follows_the_state_filter_newest_first() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    let failed = passback_message(&app, "failed", Some("-refused by the LMS")).await;
    let delivered = passback_message(&app, "delivered", None).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    admin
        .get(&app, "/console/admin/passback?state=failed")
        .await
        .shows("href=\"/console/admin/passback/export?state=failed\"");
    let all = csv_lines(
        &admin.get(&app, "/console/admin/passback/export").await,
        "passback.csv",
    );
    assert!(all[0].starts_with("id,state,protocol,"), "{}", all[0]);
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[1].starts_with(&format!("{delivered},delivered,ags,")));
    assert!(all[2].starts_with(&format!("{failed},failed,ags,platform:1,lms-user-7,")));
    assert!(all[2].contains("https://lms.example/lineitems/1"));
    assert!(all[2].ends_with(",400,'-refused by the LMS"), "{}", all[2]);
    let failed_only = csv_lines(
        &admin
            .get(&app, "/console/admin/passback/export?state=failed")
            .await,
        "passback.csv",
    );
    assert_eq!(failed_only.len(), 2, "{failed_only:?}");
    assert!(failed_only[1].starts_with(&format!("{failed},failed,")));
}

#[tokio::test]
async fn the_packages_export_lists_each_imported_version() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let empty = csv_lines(
        &admin.get(&app, "/console/admin/packages/export").await,
        "packages.csv",
    );
    assert_eq!(empty.len(), 1, "only the header: {empty:?}");
    let zip = crate::content::course_zip("all-employees", |_, b| b);
    let done = upload(&app, &admin, Some(&admin.csrf), "a.zip", zip).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    admin
        .get(&app, "/console/admin/packages")
        .await
        .shows("href=\"/console/admin/packages/export\"");
    let lines = csv_lines(
        &admin.get(&app, "/console/admin/packages/export").await,
        "packages.csv",
    );
    assert_eq!(
        lines[0],
        "seq,course_id,version,slug,title,format,aus,files,bytes,imported,retired"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    let cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(cells[2], "1", "version: {}", lines[1]);
    assert!(cells[6].parse::<usize>().unwrap() >= 1, "AUs: {}", lines[1]);
    assert!(lines[1].ends_with(','), "not retired: {}", lines[1]);
}

async fn platform(app: &TestApp, n: usize, status: &str) -> i64 {
    let host = format!("https://lms{n}.example.com");
    platforms::add(
        app.db.writer(),
        &NewPlatform {
            name: format!("LMS {n:03}"),
            issuer: host.clone(),
            client_id: format!("c-{n}"),
            deployment_ids: vec!["d".into()],
            auth_login_url: format!("{host}/auth"),
            token_url: format!("{host}/token"),
            jwks_url: format!("{host}/jwks"),
        },
        status,
    )
    .await
    .unwrap()
    .id
}

/// The `href` of the pager link `rel="next"` after `section` (None: no next page).
fn next_after(body: &str, label: &str) -> Option<String> {
    let at = body.find(&format!("aria-label=\"{label}\""))?;
    let rest = &body[at..];
    let end = rest.find("</nav>")?;
    let nav = &rest[..end];
    let href = nav.rfind("href=\"")? + 6;
    let len = nav[href..].find('"')?;
    Some(nav[href..href + len].replace("&#38;", "&"))
}

#[tokio::test]
async fn the_lti_lists_page_by_key_and_a_removed_row_does_not_shift_the_next_page() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let mut active = Vec::new();
    for n in 0..52 {
        active.push(platform(&app, n, "active").await);
    }
    for n in 100..151 {
        platform(&app, n, "pending").await;
    }
    for n in 0..51 {
        blackbelt::lti::consumers::create(
            &app.db,
            &format!("Consumer {n:03}"),
            None,
            "https://bb.example",
        )
        .await
        .unwrap();
    }
    let first = admin.get(&app, "/console/admin/lti").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    first
        .shows("LMS 000")
        .shows("LMS 049")
        .shows("LMS 100")
        .shows("LMS 149")
        .shows("Consumer 049");
    assert!(
        !first.body.contains("LMS 050<"),
        "page one stops at 50 active platforms"
    );
    assert!(!first.body.contains("LMS 150<"));
    assert!(!first.body.contains("Consumer 050<"));
    let platforms_next = next_after(&first.body, "Platform pages").expect("a next page");
    let pending_next = next_after(&first.body, "Pending registrations pages").expect("next");
    let consumers_next = next_after(&first.body, "Consumer pages").expect("next");

    // A row of page one goes away: page two still starts where page one ended.
    platforms::remove(app.db.writer(), active[0]).await.unwrap();
    let second = admin.get(&app, &platforms_next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    second.shows("LMS 050<").shows("LMS 051<");
    assert!(
        !second.body.contains("LMS 049<"),
        "no row of page one again"
    );
    assert!(next_after(&second.body, "Platform pages").is_none());

    let pending = admin.get(&app, &pending_next).await;
    pending.shows("LMS 150<");
    assert!(!pending.body.contains("LMS 149<"));
    let consumers = admin.get(&app, &consumers_next).await;
    consumers.shows("Consumer 050<");
    assert!(!consumers.body.contains("Consumer 049<"));
    assert!(next_after(&consumers.body, "Consumer pages").is_none());

    // A cursor that is not ours starts the list over rather than failing.
    let garbage = admin
        .get(&app, "/console/admin/lti?platforms_after=%21%21")
        .await;
    assert_eq!(garbage.status, StatusCode::OK);
    garbage.shows("LMS 001<");
}
