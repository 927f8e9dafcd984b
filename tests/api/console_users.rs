//! Console users: the users page (admin only) creates users with a one-time link,
//! changes roles, disables and enables, resets passwords and signs out everywhere, each
//! audited; bad input is answered in place and changes nothing; the CLI
//! (`blackbelt users …`) does the same from a shell.

use std::io::Write;
use std::process::{Command, Stdio};

use blackbelt::console::role::Role;
use blackbelt::console::users;
use entities::{cert_audit, console_user};
use poem::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use crate::console_support::{anonymous_get, signed_in};
use crate::helpers::TestApp;

async fn audited(app: &TestApp, action: &str) -> Vec<cert_audit::Model> {
    cert_audit::Entity::find()
        .filter(cert_audit::Column::Action.eq(action))
        .all(&app.db.conn)
        .await
        .unwrap()
}

async fn user_count(app: &TestApp) -> u64 {
    console_user::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_users_page_is_for_admins_only() {
    let app = TestApp::spawn().await;
    for role in [Role::Program, Role::Reviewer, Role::Manager, Role::Viewer] {
        let browser = signed_in(&app, role, None).await;
        let page = browser.get(&app, "/console/admin/users").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
        let before = user_count(&app).await;
        let post = browser
            .post(
                &app,
                "/console/admin/users",
                &[("username", "mallory"), ("role", "admin")],
            )
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(user_count(&app).await, before);
    }
    let anonymous = anonymous_get(&app, "/console/admin/users").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console/admin/users").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1>Console users</h1>")
        .shows(&admin.username)
        .shows("<th scope=\"col\">Last sign-in</th>")
        .shows("<label for=\"username\">Username</label>");
}

#[tokio::test]
async fn an_admin_creates_a_user_and_sees_the_link_once() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .post(
            &app,
            "/console/admin/users",
            &[
                ("username", "Grace"),
                ("name", "Grace Hopper"),
                ("email", "grace@example.com"),
                ("role", "manager"),
                ("team", "emea, apac"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("/console/setup/").shows("data-copy=");
    let grace = users::find(&app.db.conn, "grace").await.unwrap().unwrap();
    assert_eq!(grace.role, "manager");
    assert_eq!(users::org_units(&grace), vec!["emea", "apac"]);
    assert!(grace.password_hash.is_none());
    let list = admin.get(&app, "/console/admin/users").await;
    list.shows("grace").shows("No password yet");
    assert!(!list.body.contains("/console/setup/"));
    let created = audited(&app, "console.user.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].actor, format!("console:{}", admin.username));
    assert_eq!(created[0].details["username"], "grace");
}

#[tokio::test]
async fn bad_input_on_create_is_answered_in_place_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let before = user_count(&app).await;
    let bad = admin
        .post(
            &app,
            "/console/admin/users",
            &[
                ("username", "not ok!"),
                ("name", "Kept Name"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.shows("is not a valid username")
        .shows("value=\"Kept Name\"")
        .shows("aria-invalid=\"true\"");
    let no_role = admin
        .post(
            &app,
            "/console/admin/users",
            &[("username", "ok"), ("role", "")],
        )
        .await;
    assert_eq!(no_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_role.shows("choose a role");
    let email = admin
        .post(
            &app,
            "/console/admin/users",
            &[("username", "ok"), ("role", "viewer"), ("email", "nope")],
        )
        .await;
    assert_eq!(email.status, StatusCode::UNPROCESSABLE_ENTITY);
    email.shows("is not an email address");
    let duplicate = admin
        .post(
            &app,
            "/console/admin/users",
            &[("username", &admin.username), ("role", "viewer")],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    duplicate.shows("exists already");
    assert_eq!(user_count(&app).await, before);
    assert!(audited(&app, "console.user.create").await.is_empty());
}

#[tokio::test]
async fn a_post_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let other = signed_in(&app, Role::Program, None).await;
    let before = user_count(&app).await;
    let page = admin
        .post_raw(
            &app,
            "/console/admin/users",
            &[("username", "eve"), ("role", "admin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(user_count(&app).await, before);
    let path = format!("/console/admin/users/{}/disable", other.username);
    let page = admin.post_raw(&app, &path, &[("csrf", "forged")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(other.get(&app, "/console").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_changes_role_disables_enables_resets_and_signs_out_a_user() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let ada = signed_in(&app, Role::Viewer, None).await;
    let base = format!("/console/admin/users/{}", ada.username);
    let page = admin.get(&app, &base).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("Change role").shows("Disable");

    let role = admin
        .post(
            &app,
            &format!("{base}/role"),
            &[("role", "manager"), ("team", "emea")],
        )
        .await;
    assert_eq!(role.status, StatusCode::SEE_OTHER);
    assert_eq!(role.location(), format!("{base}?done=role"));
    admin
        .get(&app, role.location())
        .await
        .shows("The role was changed.");
    let stored = users::find(&app.db.conn, &ada.username)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.role.as_str(), users::org_units(&stored)),
        ("manager", vec!["emea".to_owned()])
    );
    let bad = admin
        .post(&app, &format!("{base}/role"), &[("role", "owner")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.shows("Choose one of the roles listed.");

    let out = admin
        .post(&app, &format!("{base}/sign-out-everywhere"), &[])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ada.get(&app, "/console").await.status,
        StatusCode::SEE_OTHER
    );

    let disable = admin.post(&app, &format!("{base}/disable"), &[]).await;
    assert_eq!(disable.status, StatusCode::SEE_OTHER);
    admin
        .get(&app, &base)
        .await
        .shows("Disabled")
        .shows("Enable");
    let again = admin.post(&app, &format!("{base}/disable"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let enable = admin.post(&app, &format!("{base}/enable"), &[]).await;
    assert_eq!(enable.status, StatusCode::SEE_OTHER);

    let reset = admin.post(&app, &format!("{base}/reset"), &[]).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    reset.shows("/console/setup/");

    let actor = format!("console:{}", admin.username);
    for action in [
        "console.user.role",
        "console.sign_out.everywhere",
        "console.user.disable",
        "console.user.enable",
        "console.user.reset",
    ] {
        let rows = audited(&app, action).await;
        assert_eq!(rows.len(), 1, "{action}");
        assert_eq!(rows[0].actor, actor, "{action}");
    }
    let missing = admin.get(&app, "/console/admin/users/nobody").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_last_admin_cannot_be_disabled_or_demoted() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let base = format!("/console/admin/users/{}", admin.username);
    let page = admin.post(&app, &format!("{base}/disable"), &[]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("the only enabled admin");
    let page = admin
        .post(&app, &format!("{base}/role"), &[("role", "viewer")])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(admin.get(&app, "/console").await.status, StatusCode::OK);
}

/// Runs the CLI on `db`, with `stdin` on its standard input.
fn cli(db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blackbelt"))
        .args(["--database-url", db])
        .args(args)
        .env("RUST_LOG", "warn")
        .env("BLACKBELT_PUBLIC_URL", "https://bb.example.com")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_creates_lists_changes_and_resets_users() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let (ok, out, err) = cli(
        &db,
        &[
            "users",
            "create",
            "ada",
            "--role",
            "program",
            "--name",
            "Ada L",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("created console user ada (program)") && !out.contains("setup"),
        "{out}"
    );
    let (ok, out, err) = cli(
        &db,
        &[
            "users", "create", "grace", "--role", "manager", "--team", "emea",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("https://bb.example.com/console/setup/"),
        "{out}"
    );
    let (ok, out, _) = cli(&db, &["users", "list", "--json"], "");
    assert!(ok);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["username"], "ada");
    assert_eq!(list[0]["status"], "active");
    assert_eq!(list[1]["status"], "no password yet");
    assert_eq!(list[1]["team"][0], "emea");

    let (ok, out, err) = cli(&db, &["users", "role", "ada", "admin"], "");
    assert!(ok && out.contains("ada is now admin"), "{out}{err}");
    let (ok, out, err) = cli(&db, &["users", "disable", "grace"], "");
    assert!(ok && out.contains("disabled grace"), "{out}{err}");
    let (ok, _, err) = cli(&db, &["users", "enable", "grace"], "");
    assert!(ok, "{err}");
    let (ok, out, err) = cli(&db, &["users", "reset-password", "ada"], "");
    assert!(ok && out.contains("/console/setup/"), "{out}{err}");
    let (_, out, _) = cli(&db, &["users", "list"], "");
    assert!(out.contains("no password yet"), "{out}");

    // Errors a person can act on.
    let (ok, _, err) = cli(&db, &["users", "disable", "nobody"], "");
    assert!(
        !ok && err.contains("no console user named `nobody`"),
        "{err}"
    );
    let (ok, _, err) = cli(&db, &["users", "create", "bob", "--role", "boss"], "");
    assert!(
        !ok && err.contains("admin, program, reviewer, manager, viewer"),
        "{err}"
    );
    let (ok, _, err) = cli(
        &db,
        &[
            "users",
            "create",
            "bob",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "bob\n",
    );
    assert!(!ok && err.contains("at least 12 characters"), "{err}");
    let (ok, _, err) = cli(&db, &["users", "create", "ada", "--role", "viewer"], "");
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, out, _) = cli(&db, &["users", "create", "--help"], "");
    assert!(ok && out.contains("--password-stdin"), "{out}");

    let conn = sea_orm::Database::connect(&db).await.unwrap();
    let actions: Vec<(String, String)> = cert_audit::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.action, a.actor))
        .collect();
    for action in [
        "console.user.create",
        "console.user.role",
        "console.user.disable",
        "console.user.enable",
        "console.user.reset",
    ] {
        assert!(
            actions.contains(&(action.into(), "cli".into())),
            "{action}: {actions:?}"
        );
    }
}

/// Starts `serve` on `dir`'s default database and returns its stdout lines up to the
/// first that `last` accepts (or what came within 60 s), then stops it.
fn serve_until(dir: &std::path::Path, last: impl Fn(&str) -> bool) -> Vec<String> {
    use std::io::BufRead;
    let mut command = Command::new(env!("CARGO_BIN_EXE_blackbelt"));
    for (name, _) in std::env::vars() {
        if name.starts_with("BLACKBELT_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    let mut child = command
        .current_dir(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                return;
            }
        }
    });
    let mut seen: Vec<String> = Vec::new();
    while !seen.iter().any(|l| last(l)) {
        match received.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    // Whatever follows at once (a second start must print no link).
    while let Ok(line) = received.recv_timeout(std::time::Duration::from_millis(1500)) {
        seen.push(line);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    seen
}

#[test]
fn the_first_start_prints_a_setup_link_for_the_first_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve_until(dir.path(), |l| l.contains("setup link:"));
    let link = first
        .iter()
        .find_map(|l| l.trim().strip_prefix("setup link: "))
        .unwrap_or_else(|| panic!("no setup link in {first:?}"));
    assert!(
        link.starts_with("http://127.0.0.1:8420/console/setup/"),
        "{link}"
    );
    assert!(
        first
            .iter()
            .any(|l| l.contains("first console administrator, `admin`")),
        "{first:?}"
    );
    let second = serve_until(dir.path(), |l| l.contains("listening on"));
    assert!(
        second.iter().any(|l| l.contains("listening on")),
        "{second:?}"
    );
    assert!(
        !second.iter().any(|l| l.contains("setup link")),
        "{second:?}"
    );
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("data/blackbelt.db").display()
    );
    let (ok, out, err) = cli(&db, &["users", "list"], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("admin") && out.contains("no password yet"),
        "{out}"
    );
}
