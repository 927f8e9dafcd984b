//! Console sign-in: the form (with its pre-session CSRF cookie), one answer for a wrong
//! password and an unknown user, lock-out per account and per address, idle and absolute
//! timeouts, signing out (here and everywhere), disabled users, one-time setup links,
//! the same-origin guard, `__Host-` cookies on https, and the audit log.

use blackbelt::console::role::Role;
use blackbelt::console::users::{self, NewUser};
use entities::{cert_audit, console_session, console_setup_link, console_sign_in_failure};
use poem::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::console_support::{Page, page_of, signed_in};
use crate::helpers::TestApp;

const PASSWORD: &str = "a long enough password";

/// A browser before sign-in: its pre-session cookie and the form's CSRF token.
struct Anonymous {
    cookie: String,
    csrf: String,
}

fn set_cookies(page: &Page) -> Vec<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// The `name=value` of the cookie `name` set by `page`.
fn cookie_named(page: &Page, name: &str) -> Option<String> {
    set_cookies(page)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")) && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    body[at..].split('"').next().unwrap().to_owned()
}

async fn open_form(app: &TestApp, path: &str) -> (Page, Anonymous) {
    let page = page_of(app.client.get(path).send().await).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let cookie = cookie_named(&page, "blackbelt_console_pre").expect("pre-session cookie");
    let csrf = csrf_of(&page.body);
    (page, Anonymous { cookie, csrf })
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Page {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let r = app
        .client
        .post(path)
        .header("cookie", cookie)
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    page_of(r).await
}

async fn sign_in(app: &TestApp, username: &str, password: &str, next: &str) -> Page {
    let (_, anon) = open_form(app, "/console/sign-in").await;
    post_form(
        app,
        "/console/sign-in",
        &anon.cookie,
        &[
            ("csrf", anon.csrf.as_str()),
            ("username", username),
            ("password", password),
            ("next", next),
        ],
    )
    .await
}

async fn user(app: &TestApp, username: &str, role: Role) -> i64 {
    let new = NewUser {
        username: username.into(),
        role: Some(role),
        ..Default::default()
    };
    users::create(
        &app.db,
        "test",
        new,
        Some(PASSWORD),
        blackbelt::console::now_us(),
    )
    .await
    .unwrap()
    .user
    .id
}

/// Signs in and returns the session cookie.
async fn session_of(app: &TestApp, username: &str) -> String {
    let page = sign_in(app, username, PASSWORD, "/console").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    cookie_named(&page, "blackbelt_console").expect("session cookie")
}

async fn get_with(app: &TestApp, path: &str, cookie: &str) -> Page {
    page_of(app.client.get(path).header("cookie", cookie).send().await).await
}

async fn actions(app: &TestApp) -> Vec<(String, String)> {
    cert_audit::Entity::find()
        .order_by_asc(cert_audit::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.action, a.actor))
        .collect()
}

fn error_of(page: &Page) -> String {
    let at = page
        .body
        .find("role=\"alert\"")
        .expect("an error on the page");
    page.body[at..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn signing_in_leads_to_next_with_a_new_session() {
    let app = TestApp::spawn().await;
    user(&app, "ada", Role::Program).await;
    let page = sign_in(&app, "Ada", PASSWORD, "/console/learners?q=x").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/console/learners?q=x");
    let cookies = set_cookies(&page).join("\n");
    assert!(
        cookies.contains("HttpOnly") && cookies.contains("SameSite=Lax"),
        "{cookies}"
    );
    let session = cookie_named(&page, "blackbelt_console").unwrap();
    let overview = get_with(&app, "/console", &session).await;
    assert_eq!(overview.status, StatusCode::OK);
    overview.shows("<h1>Overview</h1>");
    // An unsafe `next` leads to the console instead.
    let page = sign_in(&app, "ada", PASSWORD, "https://evil.example/console").await;
    assert_eq!(page.location(), "/console");
    let user = users::find(&app.db.conn, "ada").await.unwrap().unwrap();
    assert!(user.last_sign_in_us.is_some());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    user(&app, "ada", Role::Program).await;
    let wrong = sign_in(&app, "ada", "not the password", "/console").await;
    let unknown = sign_in(&app, "nobody", "not the password", "/console").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&wrong), error_of(&unknown));
    wrong
        .shows("Wrong username or password.")
        .shows("value=\"ada\"");
    assert!(cookie_named(&wrong, "blackbelt_console").is_none());
    let audit = actions(&app).await;
    assert!(audit.contains(&("console.sign_in.failed".into(), "console:ada".into())));
    assert!(audit.contains(&("console.sign_in.failed".into(), "console:nobody".into())));
}

#[tokio::test]
async fn an_account_is_locked_after_too_many_failures_and_success_clears_it() {
    let app = TestApp::spawn_with(|c| c.console_max_failures = 3).await;
    user(&app, "ada", Role::Program).await;
    user(&app, "bob", Role::Program).await;
    // Two failures, then success: the account's counter is cleared.
    for _ in 0..2 {
        sign_in(&app, "bob", "wrong password!", "/console").await;
    }
    assert_eq!(
        sign_in(&app, "bob", PASSWORD, "/console").await.status,
        StatusCode::SEE_OTHER
    );
    let bob = console_sign_in_failure::Entity::find_by_id("account:bob".to_owned())
        .one(&app.db.conn)
        .await
        .unwrap();
    assert!(bob.is_none());
    // Forget the address's failures so only the account's count.
    console_sign_in_failure::Entity::delete_many()
        .filter(console_sign_in_failure::Column::Key.starts_with("ip:"))
        .exec(app.db.writer())
        .await
        .unwrap();
    for _ in 0..3 {
        let page = sign_in(&app, "ada", "wrong password!", "/console").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    console_sign_in_failure::Entity::delete_many()
        .filter(console_sign_in_failure::Column::Key.starts_with("ip:"))
        .exec(app.db.writer())
        .await
        .unwrap();
    let locked = sign_in(&app, "ada", PASSWORD, "/console").await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    locked
        .shows("Wrong username or password.")
        .shows("try again in 15 minutes");
    assert!(cookie_named(&locked, "blackbelt_console").is_none());
    // An unknown account locks the same way, with the same words.
    for _ in 0..3 {
        sign_in(&app, "ghost", "wrong password!", "/console").await;
    }
    console_sign_in_failure::Entity::delete_many()
        .filter(console_sign_in_failure::Column::Key.starts_with("ip:"))
        .exec(app.db.writer())
        .await
        .unwrap();
    let ghost = sign_in(&app, "ghost", PASSWORD, "/console").await;
    assert_eq!(ghost.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_of(&ghost), error_of(&locked));
}

#[tokio::test]
async fn an_address_is_locked_after_too_many_failures_across_accounts() {
    let app = TestApp::spawn_with(|c| c.console_max_failures = 3).await;
    user(&app, "ada", Role::Program).await;
    for name in ["x1", "x2", "x3"] {
        sign_in(&app, name, "wrong password!", "/console").await;
    }
    let locked = sign_in(&app, "ada", PASSWORD, "/console").await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    locked.shows("try again in");
    let ada = console_sign_in_failure::Entity::find_by_id("account:ada".to_owned())
        .one(&app.db.conn)
        .await
        .unwrap();
    assert!(ada.is_none(), "the account itself had no failure");
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_a_session() {
    let app = TestApp::spawn().await;
    user(&app, "ada", Role::Program).await;
    let idle = session_of(&app, "ada").await;
    let over = session_of(&app, "ada").await;
    let hash =
        |cookie: &str| blackbelt::console::session::token_hash(cookie.split_once('=').unwrap().1);
    let long_ago = blackbelt::console::now_us() - 31 * 60_000_000;
    console_session::Entity::update_many()
        .col_expr(
            console_session::Column::LastSeenUs,
            sea_orm::sea_query::Expr::value(long_ago),
        )
        .filter(console_session::Column::TokenHash.eq(hash(&idle)))
        .exec(app.db.writer())
        .await
        .unwrap();
    console_session::Entity::update_many()
        .col_expr(
            console_session::Column::ExpiresUs,
            sea_orm::sea_query::Expr::value(blackbelt::console::now_us() - 1),
        )
        .filter(console_session::Column::TokenHash.eq(hash(&over)))
        .exec(app.db.writer())
        .await
        .unwrap();
    for cookie in [&idle, &over] {
        let page = get_with(&app, "/console?q=1", cookie).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(
            page.location(),
            "/console/sign-in?next=%2Fconsole%3Fq%3D1&ended=1"
        );
    }
    let form = page_of(app.client.get("/console/sign-in?ended=1").send().await).await;
    form.shows("Your session ended. Sign in again to continue.");
    // A dead cookie brought straight to the sign-in page says the same and is cleared.
    let form = get_with(&app, "/console/sign-in", &idle).await;
    form.shows("Your session ended.");
    assert!(
        set_cookies(&form)
            .iter()
            .any(|c| c.starts_with("blackbelt_console=;"))
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_and_everywhere_ends_them_all() {
    let app = TestApp::spawn().await;
    user(&app, "ada", Role::Program).await;
    let first = session_of(&app, "ada").await;
    let second = session_of(&app, "ada").await;
    let third = session_of(&app, "ada").await;
    let csrf =
        |cookie: &str| blackbelt::console::csrf::token_for(cookie.split_once('=').unwrap().1);
    let out = post_form(
        &app,
        "/console/sign-out",
        &first,
        &[("csrf", &csrf(&first))],
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/console/sign-in?signed_out=1");
    assert_eq!(
        get_with(&app, "/console", &first).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        get_with(&app, "/console", &second).await.status,
        StatusCode::OK
    );
    let all = post_form(
        &app,
        "/console/sign-out-everywhere",
        &second,
        &[("csrf", &csrf(&second))],
    )
    .await;
    assert_eq!(all.location(), "/console/sign-in?signed_out=all");
    for cookie in [&second, &third] {
        assert_eq!(
            get_with(&app, "/console", cookie).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let audit = actions(&app).await;
    assert!(audit.contains(&("console.sign_in".into(), "console:ada".into())));
    assert!(audit.contains(&("console.sign_out".into(), "console:ada".into())));
    assert!(audit.contains(&("console.sign_out.everywhere".into(), "console:ada".into())));
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    user(&app, "ada", Role::Program).await;
    user(&app, "root", Role::Admin).await;
    let session = session_of(&app, "ada").await;
    users::disable(&app.db, "test", "ada", blackbelt::console::now_us())
        .await
        .unwrap();
    assert_eq!(
        get_with(&app, "/console", &session).await.status,
        StatusCode::SEE_OTHER
    );
    let page = sign_in(&app, "ada", PASSWORD, "/console").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    page.shows("Wrong username or password.");
}

async fn setup_post(app: &TestApp, path: &str, anon: &Anonymous, p: &str, c: &str) -> Page {
    let fields = [
        ("csrf", anon.csrf.as_str()),
        ("password", p),
        ("confirm", c),
    ];
    post_form(app, path, &anon.cookie, &fields).await
}

#[tokio::test]
async fn a_setup_link_sets_the_password_once_and_expires() {
    let app = TestApp::spawn().await;
    let new = NewUser {
        username: "grace".into(),
        role: Some(Role::Reviewer),
        ..Default::default()
    };
    let now = blackbelt::console::now_us();
    let token = users::create(&app.db, "test", new, None, now)
        .await
        .unwrap()
        .setup_token
        .unwrap();
    let path = format!("/console/setup/{token}");
    let (form, anon) = open_form(&app, &path).await;
    form.shows("grace").shows("New password");
    let short = setup_post(&app, &path, &anon, "short", "short").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.shows("at least 12 characters");
    let differ = setup_post(
        &app,
        &path,
        &anon,
        "a long enough password",
        "another long password",
    )
    .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    differ.shows("The two passwords differ.");
    let done = setup_post(
        &app,
        &path,
        &anon,
        "graces new password",
        "graces new password",
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/console");
    let session = cookie_named(&done, "blackbelt_console").unwrap();
    assert_eq!(
        get_with(&app, "/console", &session).await.status,
        StatusCode::OK
    );
    // Used: it does not work again.
    let again = page_of(app.client.get(&path).send().await).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    again.shows("does not work any more");
    assert_eq!(
        sign_in(&app, "grace", "graces new password", "/console")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A new link that is past its 24 hours does not work either.
    let token = users::reset(&app.db, "test", "grace", now).await.unwrap();
    console_setup_link::Entity::update_many()
        .col_expr(
            console_setup_link::Column::ExpiresUs,
            sea_orm::sea_query::Expr::value(now - 1),
        )
        .exec(app.db.writer())
        .await
        .unwrap();
    let expired = page_of(
        app.client
            .get(format!("/console/setup/{token}"))
            .send()
            .await,
    )
    .await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND);
    let audit = actions(&app).await;
    assert!(audit.contains(&("console.password.set".into(), "console:grace".into())));
    assert!(audit.contains(&("console.user.reset".into(), "test".into())));
}

#[tokio::test]
async fn a_sign_in_without_the_pre_session_token_is_refused() {
    let app = TestApp::spawn().await;
    user(&app, "ada", Role::Program).await;
    let (_, anon) = open_form(&app, "/console/sign-in").await;
    let fields = [("username", "ada"), ("password", PASSWORD)];
    // No cookie at all (a form posted from another site).
    let mut with_csrf = vec![("csrf", anon.csrf.as_str())];
    with_csrf.extend_from_slice(&fields);
    let page = post_form(&app, "/console/sign-in", "", &with_csrf).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.shows("too old, or it did not come from this site");
    assert!(cookie_named(&page, "blackbelt_console").is_none());
    // The cookie but a wrong token.
    let mut wrong = vec![("csrf", "forged")];
    wrong.extend_from_slice(&fields);
    let page = post_form(&app, "/console/sign-in", &anon.cookie, &wrong).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(cookie_named(&page, "blackbelt_console").is_none());
    let sessions = console_session::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert!(sessions.is_empty());
}

#[tokio::test]
async fn a_form_from_another_site_is_refused_and_changes_nothing() {
    let app = TestApp::spawn_with(|c| c.public_url = "http://bb.example.com".into()).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let body = format!("csrf={}", admin.csrf);
        let r = app
            .client
            .post("/console/sign-out")
            .header("cookie", &admin.cookie)
            .header(name, value)
            .content_type("application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        let page = page_of(r).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{name}");
        page.shows("Nothing was changed");
        assert_eq!(admin.get(&app, "/console").await.status, StatusCode::OK);
    }
    // From the server's own origin it goes through.
    let r = app
        .client
        .post("/console/sign-out")
        .header("cookie", &admin.cookie)
        .header("origin", "http://bb.example.com")
        .header("sec-fetch-site", "same-origin")
        .content_type("application/x-www-form-urlencoded")
        .body(format!("csrf={}", admin.csrf))
        .send()
        .await;
    assert_eq!(r.0.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn on_https_the_cookies_are_secure_with_the_host_prefix() {
    let app = TestApp::spawn_with(|c| c.public_url = "https://bb.example.com".into()).await;
    user(&app, "ada", Role::Program).await;
    let page = page_of(app.client.get("/console/sign-in").send().await).await;
    let pre = set_cookies(&page).join("\n");
    assert!(pre.starts_with("__Host-blackbelt_console_pre="), "{pre}");
    assert!(
        pre.contains("; Secure") && pre.contains("SameSite=Strict"),
        "{pre}"
    );
    let cookie = pre.split(';').next().unwrap().to_owned();
    let page = post_form(
        &app,
        "/console/sign-in",
        &cookie,
        &[
            ("csrf", &csrf_of(&page.body)),
            ("username", "ada"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let session = set_cookies(&page)
        .into_iter()
        .find(|c| c.starts_with("__Host-blackbelt_console="))
        .expect("a __Host- session cookie");
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly") && session.contains("Path=/"),
        "{session}"
    );
}

#[tokio::test]
async fn changing_ones_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::spawn().await;
    user(&app, "ada", Role::Program).await;
    let here = session_of(&app, "ada").await;
    let elsewhere = session_of(&app, "ada").await;
    let csrf = blackbelt::console::csrf::token_for(here.split_once('=').unwrap().1);
    let form = get_with(&app, "/console/password", &here).await;
    assert_eq!(form.status, StatusCode::OK);
    form.shows("<label for=\"current\">Current password</label>");
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let fields = [
            ("csrf", csrf.clone()),
            ("current", current.to_owned()),
            ("password", new.to_owned()),
            ("confirm", confirm.to_owned()),
        ];
        let here = here.clone();
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, "/console/password", &here, &fields).await
        }
    };
    let wrong = change(
        "not my password",
        "a brand new password",
        "a brand new password",
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.shows("The current password is wrong.");
    let differ = change(PASSWORD, "a brand new password", "another new password").await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let short = change(PASSWORD, "short", "short").await;
    short.shows("at least 12 characters");
    assert_eq!(
        get_with(&app, "/console", &elsewhere).await.status,
        StatusCode::OK
    );
    let done = change(PASSWORD, "a brand new password", "a brand new password").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    get_with(&app, done.location(), &here)
        .await
        .shows("Your password was changed");
    assert_eq!(
        get_with(&app, "/console", &elsewhere).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&app, "ada", PASSWORD, "/console").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&app, "ada", "a brand new password", "/console")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let audit = actions(&app).await;
    assert!(audit.contains(&("console.password.set".into(), "console:ada".into())));
}
