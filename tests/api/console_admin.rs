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
            "/console/admin/packages/upload",
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

/// A passback channel with one message in `state`; returns the message id.
pub(crate) async fn passback_message(app: &TestApp, state: &str, error: Option<&str>) -> i64 {
    use entities::{passback_message, passback_target};
    use sea_orm::{ActiveModelTrait, Set};
    let now = blackbelt::console::now_us();
    let target = passback_target::ActiveModel {
        target_key: Set(crate::helpers::uuid()),
        registration: Set(crate::helpers::uuid()),
        object_id: Set("au-1".into()),
        protocol: Set("ags".into()),
        source: Set("platform:1".into()),
        user_id: Set("lms-user-7".into()),
        label: Set("Safety basics".into()),
        lineitem_url: Set(Some("https://lms.example/lineitems/1".into())),
        scopes: Set(String::new()),
        consecutive_failures: Set(0),
        lease_epoch: Set(0),
        created_us: Set(now),
        updated_us: Set(now),
        ..Default::default()
    }
    .insert(app.db.writer())
    .await
    .expect("target");
    let message = passback_message::ActiveModel {
        target_id: Set(target.id),
        state: Set(state.into()),
        payload: Set(json!({"scoreGiven": 1.0, "scoreMaximum": 1.0})),
        event_us: Set(now),
        due_us: Set(now),
        expires_us: Set(now + 1_000_000),
        attempts: Set(3),
        last_status: Set(error.map(|_| 400)),
        last_error: Set(error.map(str::to_owned)),
        created_us: Set(now),
        failed_us: Set((state == "failed").then_some(now)),
        ..Default::default()
    }
    .insert(app.db.writer())
    .await
    .expect("message");
    message.id
}

async fn message_state(app: &TestApp, id: i64) -> String {
    use sea_orm::EntityTrait;
    entities::passback_message::Entity::find_by_id(id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .expect("message")
        .state
}

#[tokio::test]
async fn the_passback_queue_lists_by_state_and_retries_a_failed_message() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    let failed = passback_message(&app, "failed", Some("the platform refused <the score>")).await;
    let delivered = passback_message(&app, "delivered", None).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .get(&app, "/console/admin/passback?state=failed")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1>Passback queue</h1>")
        .shows("HTTP 400: the platform refused &#60;the score&#62;")
        .shows("https://lms.example/lineitems/1")
        .shows("Safety basics")
        .shows(">failed</span>");
    assert!(!page.body.contains(">delivered</span>"));
    let all = admin.get(&app, "/console/admin/passback").await;
    all.shows(">delivered</span>").shows("failed: 1");

    let done = admin
        .post(
            &app,
            "/console/admin/passback/retry",
            &[("id", &failed.to_string()), ("state", "failed")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(message_state(&app, failed).await, "pending");
    admin
        .get(&app, done.location())
        .await
        .shows("pending again and is being sent now");

    let page = admin
        .post(
            &app,
            "/console/admin/passback/retry",
            &[("id", &delivered.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("only a failed message can be retried");
    let page = admin
        .post(&app, "/console/admin/passback/retry", &[("id", "999999")])
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.shows("There is no message 999999");
    assert_eq!(message_state(&app, delivered).await, "delivered");
}

#[tokio::test]
async fn a_passback_retry_without_csrf_changes_nothing() {
    let app = TestApp::spawn_with(|c| c.passback_enabled = false).await;
    let failed = passback_message(&app, "failed", Some("refused")).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .post_raw(
            &app,
            "/console/admin/passback/retry",
            &[("id", &failed.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(message_state(&app, failed).await, "failed");
}

pub(crate) async fn upload(
    app: &TestApp,
    who: &crate::console_support::Browser,
    csrf: Option<&str>,
    name: &str,
    zip: Vec<u8>,
) -> Page {
    use poem::test::{TestForm, TestFormField};
    let mut form = TestForm::new();
    if let Some(csrf) = csrf {
        form = form.text("csrf", csrf);
    }
    let form = form.field(
        TestFormField::bytes(zip)
            .name("package")
            .filename(name)
            .content_type("application/zip"),
    );
    let r = app
        .client
        .post("/console/admin/packages/upload")
        .header("cookie", &who.cookie)
        .multipart(form)
        .send()
        .await;
    crate::console_support::page_of(r).await
}

async fn package_count(app: &TestApp) -> usize {
    use sea_orm::EntityTrait;
    entities::package::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_package_uploaded_in_the_console_is_imported_and_listed() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console/admin/packages").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("enctype=\"multipart/form-data\"")
        .shows("data-upload")
        .shows("No packages imported yet.");
    let zip = crate::content::course_zip("all-employees", |_, b| b);
    let done = upload(
        &app,
        &admin,
        Some(&admin.csrf),
        "all-employees.zip",
        zip.clone(),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let listed = admin.get(&app, done.location()).await;
    listed
        .shows("Imported ")
        .shows(", version 1")
        .shows(">offered</span>");
    // The catalog the API and launches read has it.
    let courses = crate::helpers::json_of(
        app.client
            .get("/api/courses")
            .header("Authorization", &app.auth)
            .send()
            .await,
    )
    .await;
    assert_eq!(courses.as_array().map(Vec::len), Some(1), "{courses}");
    // The same zip again changes nothing, and says so.
    let again = upload(&app, &admin, Some(&admin.csrf), "all-employees.zip", zip).await;
    admin
        .get(&app, again.location())
        .await
        .shows("has exactly this content already");
    assert_eq!(package_count(&app).await, 1);
}

#[tokio::test]
async fn a_broken_package_is_explained_in_place_and_nothing_is_imported() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = upload(
        &app,
        &admin,
        Some(&admin.csrf),
        "notes.zip",
        b"not a zip".to_vec(),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    page.shows("role=\"alert\"")
        .shows("is not a package this server can read")
        .shows("Nothing was imported.");
    let no_manifest = crate::content::zip_of(&[("index.html", b"<p>hi</p>")]);
    let page = upload(&app, &admin, Some(&admin.csrf), "site.zip", no_manifest).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("no cmi5.xml or tincan.xml at the package root");
    let page = upload(&app, &admin, Some(&admin.csrf), "", Vec::new()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("choose a package zip");
    assert_eq!(package_count(&app).await, 0);
}

#[tokio::test]
async fn a_package_upload_without_csrf_is_refused() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let zip = crate::content::course_zip("all-employees", |_, b| b);
    let page = upload(&app, &admin, None, "a.zip", zip.clone()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = upload(&app, &admin, Some("forged"), "a.zip", zip).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(package_count(&app).await, 0);
}

#[tokio::test]
async fn only_the_upload_route_of_the_console_takes_a_large_body() {
    let app = TestApp::spawn_with(|c| c.max_small_body_bytes = 4096).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let zip = crate::content::course_zip("all-employees", |_, b| b);
    assert!(zip.len() > 4096);
    let done = upload(&app, &admin, Some(&admin.csrf), "a.zip", zip).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let big = "x".repeat(8192);
    let page = admin
        .post(
            &app,
            "/console/admin/credentials",
            &[("label", &big), ("scope", "all")],
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn an_lti_platform_registered_in_the_console_is_listed_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console/admin/lti").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("data-copy=\"http://")
        .shows("/lti/jwks")
        .shows("/lti/login")
        .shows("No platforms registered.");
    let fields = [
        ("name", "Moodle <prod>"),
        ("issuer", "https://moodle.example.com"),
        ("client_id", "client-1"),
        ("deployment_ids", "1, 2"),
        ("auth_login_url", "https://moodle.example.com/auth"),
        ("token_url", "https://moodle.example.com/token"),
        ("jwks_url", "https://moodle.example.com/jwks"),
    ];
    let done = admin
        .post(&app, "/console/admin/lti/platforms", &fields)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let listed = admin.get(&app, done.location()).await;
    listed
        .shows("The platform is registered and active.")
        .shows("Moodle &#60;prod&#62;")
        .shows("1, 2")
        .shows(">active</span>");
    let platforms = blackbelt::lti::platforms::list(&app.db.conn).await.unwrap();
    assert_eq!(platforms.len(), 1);

    let mut bad = fields;
    bad[1] = ("issuer", "");
    bad[2] = ("client_id", "client-2");
    let page = admin.post(&app, "/console/admin/lti/platforms", &bad).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    page.shows("role=\"alert\"").shows("value=\"client-2\"");
    let again = admin
        .post(&app, "/console/admin/lti/platforms", &fields)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let no_csrf = admin
        .post_raw(&app, "/console/admin/lti/platforms", &bad)
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert_eq!(
        blackbelt::lti::platforms::list(&app.db.conn)
            .await
            .unwrap()
            .len(),
        1
    );

    let id = platforms[0].id.to_string();
    let removed = admin
        .post(&app, "/console/admin/lti/platforms/remove", &[("id", &id)])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(
        blackbelt::lti::platforms::list(&app.db.conn)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_dynamic_registration_is_approved_keys_rotate_and_consumers_are_added_in_the_console() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let pending = blackbelt::lti::platforms::add(
        app.db.writer(),
        &blackbelt::lti::platforms::NewPlatform {
            name: "Canvas".into(),
            issuer: "https://canvas.example.com".into(),
            client_id: "c-9".into(),
            deployment_ids: vec!["d".into()],
            auth_login_url: "https://canvas.example.com/auth".into(),
            token_url: "https://canvas.example.com/token".into(),
            jwks_url: "https://canvas.example.com/jwks".into(),
        },
        "pending",
    )
    .await
    .unwrap();
    let page = admin.get(&app, "/console/admin/lti").await;
    page.shows("waiting for approval");
    let done = admin
        .post(
            &app,
            "/console/admin/lti/platforms/approve",
            &[("id", &pending.id.to_string())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let list = blackbelt::lti::platforms::list(&app.db.conn).await.unwrap();
    assert_eq!(list[0].status, "active");

    let rotated = admin
        .post(&app, "/console/admin/lti/keys/rotate", &[])
        .await;
    assert_eq!(rotated.status, StatusCode::SEE_OTHER);
    let rotated = admin
        .post(&app, "/console/admin/lti/keys/rotate", &[])
        .await;
    assert_eq!(rotated.status, StatusCode::SEE_OTHER);
    let page = admin.get(&app, rotated.location()).await;
    page.shows(">signing</span>").shows(">retired</span>");

    let made = admin
        .post(
            &app,
            "/console/admin/lti/consumers",
            &[("name", "Old Blackboard"), ("origin", "")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    made.shows("Copy the secret now")
        .shows("bb11_")
        .shows("/lti/11/launch");
    let bad = admin
        .post(
            &app,
            "/console/admin/lti/consumers",
            &[("name", "x"), ("origin", "not a url")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.shows("origin must be an http(s) origin");
    assert_eq!(
        blackbelt::lti::consumers::list(&app.db.conn)
            .await
            .unwrap()
            .len(),
        1
    );

    let link = admin
        .post(
            &app,
            "/console/admin/lti/registration-links",
            &[("label", "Moodle"), ("valid_days", "3")],
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    link.shows("/lti/register?link=");
}
