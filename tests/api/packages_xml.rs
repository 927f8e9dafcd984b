//! Course packages as cmi5 14.0 allows them beyond a plain zip: a course structure on
//! its own (HTTP `application/xml`/`text/xml`, CLI `.xml`), a zip64 archive, a thousand
//! AUs; and course structures refused for the rule they break, as the CATAPULT LMS
//! test suite sends them.

use std::io::Write;
use std::time::Instant;

use poem::http::StatusCode;
use serde_json::Value;

use crate::content::{launch_body, zip_of};
use crate::helpers::{TestApp, json_of};

const COURSE: &str = "https://w3id.org/xapi/cmi5/test/course/standalone";

/// A course structure with `aus` AUs at `url` (the AU index appended as a fragment-free
/// path segment when `url` ends with `/`).
fn course_structure(aus: usize, url: &str) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="{COURSE}">
    <title><langstring lang="en">Standalone</langstring></title>
    <description><langstring lang="en">AUs hosted elsewhere.</langstring></description>
  </course>
"#
    );
    for n in 0..aus {
        let at = if url.ends_with('/') {
            format!("{url}{n}.html")
        } else {
            url.to_owned()
        };
        xml.push_str(&format!(
            r#"  <au id="{COURSE}/au/{n}">
    <title><langstring lang="en">AU {n}</langstring></title>
    <description><langstring lang="en">AU number {n}</langstring></description>
    <url>{at}</url>
  </au>
"#
        ));
    }
    xml.push_str("</courseStructure>\n");
    xml
}

impl TestApp {
    async fn upload_as(&self, content_type: &str, body: Vec<u8>) -> poem::test::TestResponse {
        self.client
            .post("/api/packages")
            .header("Authorization", &self.auth)
            .content_type(content_type)
            .body(body)
            .send()
            .await
    }

    async fn course_catalog(&self) -> Value {
        let response = self
            .client
            .get("/api/courses")
            .header("Authorization", &self.auth)
            .send()
            .await;
        response.assert_status_is_ok();
        json_of(response).await
    }
}

#[tokio::test]
async fn a_bare_course_structure_is_imported_as_text_xml_or_application_xml() {
    let app = TestApp::spawn().await;
    let xml = course_structure(2, "https://au.example/content/");
    let response = app.upload_as("text/xml", xml.clone().into_bytes()).await;
    response.assert_status(StatusCode::CREATED);
    let imported = json_of(response).await;
    assert_eq!(imported["courseId"], COURSE);
    assert_eq!(imported["auCount"], 2);
    assert_eq!(imported["version"], 1);
    assert_eq!(imported["aus"][1]["auId"], format!("{COURSE}/au/1"));
    assert_eq!(imported["aus"][1]["title"], "AU 1");

    // The same structure again, as application/xml with a charset: nothing changes.
    let again = app
        .upload_as("application/xml; charset=utf-8", xml.clone().into_bytes())
        .await;
    again.assert_status_is_ok();
    assert_eq!(json_of(again).await["created"], false);

    let catalog = app.course_catalog().await;
    let aus = catalog[0]["aus"].as_array().unwrap();
    let ids: Vec<&str> = aus.iter().map(|a| a["auId"].as_str().unwrap()).collect();
    assert_eq!(ids, [format!("{COURSE}/au/0"), format!("{COURSE}/au/1")]);

    // An edited structure is the next version; the course can be retired like any other.
    let edited = xml.replace("AU number 1", "AU number one");
    let response = app.upload_as("text/xml", edited.into_bytes()).await;
    response.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(response).await["version"], 2);
    let retire = app
        .client
        .post(format!("/api/courses/{}/retire", urlencoding(COURSE)))
        .header("Authorization", &app.auth)
        .send()
        .await;
    retire.assert_status_is_ok();
    assert_eq!(app.course_catalog().await, serde_json::json!([]));
}

#[tokio::test]
async fn an_au_of_a_bare_course_structure_launches_at_its_absolute_url() {
    let app = TestApp::spawn().await;
    let xml = course_structure(1, "https://au.example/content/");
    let response = app.upload_as("text/xml", xml.into_bytes()).await;
    response.assert_status(StatusCode::CREATED);
    let launch = app
        .launch_raw(&launch_body("u1", &format!("{COURSE}/au/0")))
        .await;
    launch.assert_status(StatusCode::CREATED);
    let launch = json_of(launch).await;
    let url = launch["launchUrl"].as_str().unwrap();
    assert!(
        url.starts_with("https://au.example/content/0.html?"),
        "{url}"
    );
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Asserts a 400 whose message holds every one of `needles`, and an empty catalog.
async fn assert_refused(app: &TestApp, content_type: &str, body: String, needles: &[&str]) {
    let response = app.upload_as(content_type, body.into_bytes()).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let body = json_of(response).await;
    let message = body["message"].as_str().unwrap();
    for needle in needles {
        assert!(
            message.contains(needle),
            "{message:?} should mention {needle:?}"
        );
    }
    assert_eq!(
        app.course_catalog().await,
        serde_json::json!([]),
        "nothing stored"
    );
}

#[tokio::test]
async fn a_bare_course_structure_with_a_relative_url_is_refused_14_2_0_0_1() {
    let app = TestApp::spawn().await;
    let xml = course_structure(1, "index.html");
    assert_refused(
        &app,
        "text/xml",
        xml,
        &[
            "url \"index.html\" is relative",
            "not in a zip",
            "14.2.0.0-1",
        ],
    )
    .await;
}

#[tokio::test]
async fn invalid_course_structures_are_refused_naming_the_element_and_the_rule() {
    let app = TestApp::spawn().await;
    let valid = course_structure(1, "https://au.example/a.html");
    let objective = |id: &str| {
        format!(
            r#"<objective id="{id}"><title><langstring lang="en">O</langstring></title>
            <description><langstring lang="en">O</langstring></description></objective>"#
        )
    };
    let with_objectives = |objectives: String| {
        valid.replace(
            "  </course>\n",
            &format!("  </course>\n<objectives>{objectives}</objectives>\n"),
        )
    };
    let cases = [
        (
            with_objectives(format!(
                "{}{}",
                objective("https://x.example/o"),
                objective("https://x.example/o")
            )),
            vec!["courseStructure/objectives/objective[2]/@id", "13.1.3.0-1"],
        ),
        (
            with_objectives(objective("w3id.org/o")),
            vec![
                "courseStructure/objectives/objective[1]/@id",
                "absolute IRI",
            ],
        ),
        (
            valid.replace("https://au.example/a.html", "http://example.com index.html"),
            vec![
                "courseStructure/au[1]/url",
                "contains a space",
                "13.1.4.0-2",
            ],
        ),
        (
            valid.replace(
                "https://au.example/a.html",
                "https://au.example/a.html?fetch=abc",
            ),
            vec![
                "courseStructure/au[1]/url",
                "has fetch in its query string",
                "8.1.0.0-6",
            ],
        ),
        (
            valid
                .replace("    <url>https://au.example/a.html</url>\n", "")
                .replace(
                    &format!(r#"<au id="{COURSE}/au/0">"#),
                    &format!(r#"<au id="{COURSE}/au/0"><url>https://au.example/a.html</url>"#),
                ),
            vec![
                "courseStructure/au[1]/url",
                "url comes before title",
                "CourseStructure.xsd",
            ],
        ),
    ];
    for (xml, needles) in cases {
        assert_refused(&app, "application/xml", xml, &needles).await;
    }
}

#[tokio::test]
async fn other_content_types_get_415_naming_the_accepted_ones() {
    let app = TestApp::spawn().await;
    let response = app
        .upload_as("text/markdown; charset=UTF-8", b"# not a package".to_vec())
        .await;
    assert_eq!(response.0.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let message = json_of(response).await["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("application/xml"), "{message}");
    assert!(message.contains("text/markdown"), "{message}");
}

#[tokio::test]
async fn a_thousand_aus_import_and_keep_their_order() {
    let app = TestApp::spawn().await;
    let xml = course_structure(1000, "http://example.com/index.html");
    let started = Instant::now();
    let response = app.upload_as("text/xml", xml.into_bytes()).await;
    let took = started.elapsed();
    response.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(response).await["auCount"], 1000);
    eprintln!("1000-AU course structure imported in {took:?}");
    let catalog = app.course_catalog().await;
    let aus = catalog[0]["aus"].as_array().unwrap();
    assert_eq!(aus.len(), 1000);
    assert_eq!(aus[999]["auId"], format!("{COURSE}/au/999"));
}

/// A zip written in the zip64 format throughout (zip64 extra fields and end of
/// central directory), as the CATAPULT suite's `102-zip64.zip` is.
fn zip64_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    for (name, bytes) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.set_zip64_comment(Some("zip64"));
    writer.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_zip64_package_imports() {
    let app = TestApp::spawn().await;
    let xml = course_structure(1, "index.html");
    let zip = zip64_of(&[("cmi5.xml", xml.as_bytes()), ("index.html", b"<p>hi</p>")]);
    assert!(
        zip.windows(4).any(|w| w == [0x50, 0x4b, 0x06, 0x06]),
        "the zip has a zip64 end of central directory"
    );
    assert_ne!(zip, zip_of(&[("cmi5.xml", xml.as_bytes())]));
    let response = app.upload_as("application/zip", zip).await;
    response.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(response).await["fileCount"], 2);
}

#[test]
fn the_cli_imports_a_course_structure_xml_and_refuses_a_relative_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bb.db").display());
    let good = dir.path().join("standalone.xml");
    std::fs::write(&good, course_structure(3, "https://au.example/c/")).unwrap();
    let bad = dir.path().join("relative.xml");
    std::fs::write(&bad, course_structure(1, "index.html")).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_blackbelt"))
            .current_dir(dir.path())
            .args(["--database-url", &url])
            .args(args)
            .output()
            .expect("the binary runs")
    };
    let imported = run(&["packages", "import", good.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{imported:?}");
    assert!(
        stdout.contains(&format!("imported  {COURSE} v1 (3 AUs, 1 file)")),
        "{stdout}"
    );

    let refused = run(&["packages", "import", bad.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success());
    assert!(stdout.contains("REFUSED"), "{stdout}");
    assert!(stdout.contains("14.2.0.0-1"), "{stdout}");

    // A folder holding .xml course structures is a collection of packages.
    std::fs::remove_file(&bad).unwrap();
    let folder = run(&["packages", "import", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&folder.stdout);
    assert!(folder.status.success(), "{folder:?}");
    assert!(
        stdout.contains(&format!("unchanged {COURSE} v1")),
        "{stdout}"
    );
}
