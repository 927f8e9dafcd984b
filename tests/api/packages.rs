//! Package import through the admin API, the catalog, and asset serving.

use poem::http::StatusCode;

use crate::content::{course_zip, zip_of};
use crate::helpers::{TestApp, json_of};

#[tokio::test]
async fn import_is_idempotent_and_changes_make_versions() {
    let app = TestApp::spawn().await;
    let first = app.import_course("all-employees").await;
    assert_eq!(first["version"], 1);
    assert_eq!(first["auCount"], 3);
    assert_eq!(first["created"], true);

    let again = app.upload(course_zip("all-employees", |_, b| b)).await;
    again.assert_status_is_ok();
    let again = json_of(again).await;
    assert_eq!(again["created"], false);
    assert_eq!(again["slug"], first["slug"]);

    let changed = app
        .upload(course_zip("all-employees", |name, bytes| {
            if name == "your-voice.html" {
                [bytes, b"<!-- edited -->".to_vec()].concat()
            } else {
                bytes
            }
        }))
        .await;
    changed.assert_status(StatusCode::CREATED);
    let changed = json_of(changed).await;
    assert_eq!(changed["version"], 2);
    assert_ne!(changed["slug"], first["slug"]);

    let catalog = app
        .client
        .get("/api/courses")
        .header("Authorization", &app.auth)
        .send()
        .await;
    catalog.assert_status_is_ok();
    let catalog = json_of(catalog).await;
    let courses = catalog.as_array().unwrap();
    assert_eq!(courses.len(), 1, "only the newest version is listed");
    assert_eq!(courses[0]["version"], 2);
    assert_eq!(courses[0]["aus"].as_array().unwrap().len(), 3);
    assert_eq!(courses[0]["aus"][0]["moveOn"], "CompletedAndPassed");
    assert_eq!(courses[0]["aus"][0]["masteryScore"], 0.8);
}

async fn assert_refused(app: &TestApp, zip: Vec<u8>, needle: &str) {
    let response = app.upload(zip).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let body = json_of(response).await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "{message:?} should mention {needle:?}"
    );
    let catalog = app
        .client
        .get("/api/courses")
        .header("Authorization", &app.auth)
        .send()
        .await;
    assert_eq!(
        json_of(catalog).await,
        serde_json::json!([]),
        "nothing stored"
    );
}

#[tokio::test]
async fn bad_packages_are_refused_whole() {
    let app = TestApp::spawn().await;
    let manifest = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packages/readiness-survey/cmi5.xml"),
    )
    .unwrap();
    // The AU's page is missing.
    assert_refused(
        &app,
        zip_of(&[("cmi5.xml", &manifest)]),
        "readiness-survey.html",
    )
    .await;
    // Zip slip.
    assert_refused(
        &app,
        zip_of(&[("cmi5.xml", &manifest), ("../evil.html", b"x")]),
        "../evil.html",
    )
    .await;
    // Malformed XML names the file.
    assert_refused(
        &app,
        zip_of(&[("cmi5.xml", b"<courseStructure")]),
        "cmi5.xml",
    )
    .await;
    // No manifest at all.
    assert_refused(&app, zip_of(&[("index.html", b"hi")]), "cmi5.xml").await;
    // Not a zip.
    assert_refused(&app, b"not a zip".to_vec(), "zip").await;
}

#[tokio::test]
async fn import_needs_admin_and_a_zip() {
    let app = TestApp::spawn().await;
    let writer = app.credential("all").await;
    let response = app
        .client
        .post("/api/packages")
        .header("Authorization", &writer)
        .content_type("application/zip")
        .body(course_zip("executives", |_, b| b))
        .send()
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    let response = app
        .client
        .post("/api/packages")
        .header("Authorization", &app.auth)
        .content_type("text/plain")
        .body("hello")
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn assets_are_served_immutable_with_etags() {
    let app = TestApp::spawn().await;
    let imported = app.import_course("executives").await;
    let slug = imported["slug"].as_str().unwrap();
    let response = app
        .client
        .get(format!("/content/{slug}/executive-routine.html"))
        .send()
        .await;
    response.assert_status_is_ok();
    response.assert_content_type("text/html; charset=utf-8");
    let headers = response.0.headers().clone();
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let body = response.0.into_body().into_vec().await.unwrap();
    let on_disk = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("packages/executives/executive-routine.html"),
    )
    .unwrap();
    assert_eq!(body, on_disk, "served byte-exact");

    let cached = app
        .client
        .get(format!("/content/{slug}/executive-routine.html"))
        .header("If-None-Match", &etag)
        .send()
        .await;
    cached.assert_status(StatusCode::NOT_MODIFIED);

    for path in ["missing.html", "../executives/cmi5.xml", "%2e%2e/cmi5.xml"] {
        let response = app
            .client
            .get(format!("/content/{slug}/{path}"))
            .send()
            .await;
        response.assert_status(StatusCode::NOT_FOUND);
    }
    let response = app
        .client
        .get("/content/no-such-slug/cmi5.xml")
        .send()
        .await;
    response.assert_status(StatusCode::NOT_FOUND);

    let runtime = app.client.get("/runtime/blackbelt-au.js").send().await;
    runtime.assert_status_is_ok();
    runtime.assert_content_type("text/javascript; charset=utf-8");
}
