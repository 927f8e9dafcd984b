//! The `blackbelt` binary as an operator runs it: from a folder, with its environment,
//! reading what it prints.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary, run in `dir` with none of the caller's `BLACKBELT_*` or `RUST_LOG`.
fn blackbelt(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_blackbelt"));
    command.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("BLACKBELT_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
}

fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn read_only_commands_in_an_empty_folder_create_no_database_and_say_where_they_looked() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["credentials", "list"][..],
        &["packages", "list"],
        &["lti", "platforms", "list"],
        &["lti", "consumers", "list"],
    ] {
        let (output, _, stderr) = run(blackbelt(dir.path()).args(args));
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains("no database at") && stderr.contains("data/blackbelt.db"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("--database-url"), "{stderr}");
        assert!(stderr.contains("BLACKBELT_DATABASE_URL"), "{stderr}");
        assert!(files_in(dir.path()).is_empty(), "{args:?} created files");
    }
}

#[test]
fn an_empty_list_says_it_is_empty_and_which_database_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let (output, _, stderr) = run(blackbelt(dir.path()).arg("migrate"));
    assert!(output.status.success(), "{stderr}");
    let (output, stdout, _) = run(blackbelt(dir.path()).args(["credentials", "list"]));
    assert!(output.status.success());
    assert!(
        stdout.contains("no credentials in sqlite://data/blackbelt.db"),
        "{stdout}"
    );
    let (_, stdout, _) = run(blackbelt(dir.path()).args(["packages", "list"]));
    assert!(stdout.contains("no packages in"), "{stdout}");
}

#[test]
fn blackbelt_config_names_the_configuration_file_and_is_not_read_as_a_setting() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bb.toml"),
        "database_url = \"sqlite://from-file.db?mode=rwc\"\n",
    )
    .unwrap();
    let (output, _, stderr) = run(blackbelt(dir.path())
        .env("BLACKBELT_CONFIG", "bb.toml")
        .arg("migrate"));
    assert!(output.status.success(), "{stderr}");
    assert!(dir.path().join("from-file.db").exists());
}

#[test]
fn serve_on_a_taken_port_fails_with_one_clear_error_and_keeps_the_bootstrap_credential() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let (output, stdout, stderr) =
        run(blackbelt(dir.path()).args(["serve", "--bind", address.as_str()]));
    assert!(!output.status.success());
    assert!(!stdout.contains("listening") && !stderr.contains("listening"));
    assert!(
        stderr.contains(&format!("cannot listen on {address}")) && stderr.contains("--bind"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a pipe: {stderr:?}"
    );
    // The start failed, so no secret was shown: the next start must still make one.
    assert!(!stdout.contains("secret"), "{stdout}");
    let (_, stdout, _) = run(blackbelt(dir.path()).args(["credentials", "list"]));
    assert!(stdout.contains("no credentials"), "{stdout}");
}

#[test]
fn serve_import_packages_without_the_folder_fails_before_making_the_bootstrap_credential() {
    let dir = tempfile::tempdir().unwrap();
    let (output, stdout, stderr) =
        run(blackbelt(dir.path()).args(["serve", "--bind", "127.0.0.1:0", "--import-packages"]));
    assert!(!output.status.success());
    assert!(stderr.contains("--import-packages"), "{stderr}");
    assert!(!stdout.contains("secret"), "{stdout}");
    let (_, stdout, _) = run(blackbelt(dir.path()).args(["credentials", "list"]));
    assert!(stdout.contains("no credentials"), "{stdout}");
}

#[test]
fn serve_prints_the_bootstrap_credential_last_after_it_is_listening() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = blackbelt(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.starts_with("Make narrower")) {
        match received.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    child.kill().unwrap();
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    child.wait().unwrap();
    let listening = seen
        .iter()
        .position(|l| l.contains("listening on http://127.0.0.1:"));
    let secret = seen.iter().position(|l| l.contains("secret: "));
    assert!(
        matches!((listening, secret), (Some(l), Some(s)) if l < s),
        "{seen:?}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    // One line about migrations, not one per migration.
    assert_eq!(stderr.matches("migration").count(), 1, "{stderr}");
}

#[test]
fn a_postgres_url_whose_port_is_closed_fails_at_once_with_connection_refused() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://bb:hunter2@127.0.0.1:{port}/bb");
    let started = Instant::now();
    let (output, _, stderr) = run(blackbelt(dir.path()).args(["--database-url", &url, "migrate"]));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!(
            "could not connect to the database at 127.0.0.1:{port} (connection refused)"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn a_missing_postgres_database_says_how_to_create_it() {
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        return;
    };
    if !base.starts_with("postgres") {
        return;
    }
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path("blackbelt_no_such_database");
    let dir = tempfile::tempdir().unwrap();
    let (output, _, stderr) =
        run(blackbelt(dir.path()).args(["--database-url", url.as_str(), "credentials", "list"]));
    assert!(!output.status.success());
    assert!(
        stderr.contains("\"blackbelt_no_such_database\" does not exist")
            && stderr.contains("createdb blackbelt_no_such_database"),
        "{stderr}"
    );
}
