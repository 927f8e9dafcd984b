//! `blackbelt lti contexts|members|sync` as an operator runs them, against a SQLite
//! file and a real local platform (the binary reads files, so this runs on SQLite).

use std::process::Command;
use std::time::Duration;

use blackbelt::app::App;
use blackbelt::config::Config;
use blackbelt::lti::platforms::{self, NewPlatform};
use blackbelt::roster::membership::RosterService;
use blackbelt::roster::store::{self, SeenContext};

use crate::nrps_platform::serve_platform;

/// Runs the binary against `database` with outbound calls to loopback allowed.
async fn blackbelt(database: &str, args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_blackbelt"));
    for (name, _) in std::env::vars() {
        if name.starts_with("BLACKBELT_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("BLACKBELT_OUTBOUND_ALLOW_PRIVATE", "true")
        .args(["--database-url", database])
        .args(args);
    // The platform answers from this test's runtime: do not block it.
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_syncs_a_context_and_lists_contexts_and_members() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/bb.db?mode=rwc", dir.path().display());
    let (state, base) = serve_platform().await;
    let app = App::build(Config {
        database_url: database.clone(),
        passback_enabled: false,
        ..Config::default()
    })
    .await
    .unwrap();
    let platform = platforms::add(
        app.db.writer(),
        &NewPlatform {
            name: "Local LMS".into(),
            issuer: "https://lms.example.com".into(),
            client_id: "bb-client-1".into(),
            deployment_ids: vec!["deployment-1".into()],
            auth_login_url: "https://lms.example.com/auth".into(),
            token_url: format!("{base}/token"),
            jwks_url: "https://lms.example.com/jwks".into(),
        },
        "active",
    )
    .await
    .unwrap();
    let context = SeenContext {
        source: format!("platform:{}", platform.id),
        context_id: "course-7".into(),
        title: None,
        service: RosterService {
            memberships_url: format!("{base}/memberships?c=7"),
            service_versions: vec!["2.0".into()],
        },
    };
    let now = jiff::Timestamp::now().as_microsecond();
    store::seen(app.db.writer(), &context, now, Duration::from_secs(600))
        .await
        .unwrap();
    let id = store::list(&app.db.conn).await.unwrap()[0].id.to_string();
    drop(app);

    let (ok, out, err) = blackbelt(&database, &["lti", "sync", &id]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("context {id}: 7 members")), "{out}");
    assert_eq!(state.lock().unwrap().pages.len(), 3);

    let (ok, out, err) = blackbelt(&database, &["lti", "contexts"]).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("course-7") && out.contains("7 members"),
        "{out}"
    );
    assert!(
        out.contains("Social media safety"),
        "the roster's title: {out}"
    );

    let (ok, out, err) = blackbelt(&database, &["lti", "members", &id]).await;
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert!(
        lines[0].starts_with("u1\tActive\tGiven1 Family1\tu1@example.com\tInstructor"),
        "{out}"
    );

    let (ok, _, err) = blackbelt(&database, &["lti", "members", "999"]).await;
    assert!(!ok);
    assert!(err.contains("no LTI context 999"), "{err}");

    state.lock().unwrap().looping = true;
    let (ok, _, err) = blackbelt(&database, &["lti", "sync", &id]).await;
    assert!(!ok, "a looping roster fails the command");
    assert!(err.contains("loop"), "{err}");
}
