//! `blackbelt launch` builds its URL on the base the server is reached at, and says which.

use std::process::Command;

fn blackbelt(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let url = format!("sqlite://{}?mode=rwc", dir.join("bb.db").display());
    Command::new(env!("CARGO_BIN_EXE_blackbelt"))
        .current_dir(dir)
        .args(["--database-url", &url])
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn launch_takes_the_public_url_and_names_the_base_it_used() {
    let dir = tempfile::tempdir().unwrap();
    let package = concat!(env!("CARGO_MANIFEST_DIR"), "/packages/all-employees");
    let imported = blackbelt(dir.path(), &["packages", "import", package]);
    assert!(imported.status.success(), "{imported:?}");
    let au = "https://blackbelt.example/courses/all-employees/au/policy-essentials";
    let common = [
        "launch",
        "--au",
        au,
        "--home-page",
        "https://lms.example.com",
        "--name",
        "u1",
    ];
    let elsewhere = blackbelt(
        dir.path(),
        &[&common[..], &["--public-url", "https://bb.example.com/"]].concat(),
    );
    assert!(elsewhere.status.success(), "{elsewhere:?}");
    let url = String::from_utf8(elsewhere.stdout).unwrap();
    assert!(url.starts_with("https://bb.example.com/content/"), "{url}");
    assert!(
        url.contains("endpoint=https%3A%2F%2Fbb.example.com%2Fxapi"),
        "{url}"
    );
    let said = String::from_utf8(elsewhere.stderr).unwrap();
    assert!(
        said.contains("built on https://bb.example.com (from --public-url)"),
        "{said}"
    );
    let default = blackbelt(dir.path(), &common);
    let said = String::from_utf8(default.stderr).unwrap();
    assert!(said.contains("pass --public-url"), "{said}");
}
