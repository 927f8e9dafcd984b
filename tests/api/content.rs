//! Test helpers for content: zips of the curriculum's course folders, imported through
//! the admin API, and launches.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

/// A zip of `packages/<course>`, with `change` applied to (path, bytes) pairs first.
pub fn course_zip(course: &str, change: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("packages")
        .join(course);
    let mut entries: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let files = entries
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = change(&name, std::fs::read(&p).unwrap());
            (name, bytes)
        })
        .collect::<Vec<_>>();
    zip_of(
        &files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect::<Vec<_>>(),
    )
}

pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

impl TestApp {
    pub async fn upload(&self, zip: Vec<u8>) -> poem::test::TestResponse {
        self.client
            .post("/api/packages")
            .header("Authorization", &self.auth)
            .content_type("application/zip")
            .body(zip)
            .send()
            .await
    }

    /// Imports `packages/<course>` unchanged and returns the import outcome.
    pub async fn import_course(&self, course: &str) -> Value {
        let response = self.upload(course_zip(course, |_, b| b)).await;
        response.assert_status(poem::http::StatusCode::CREATED);
        json_of(response).await
    }

    pub async fn launch(&self, learner: &str, au: &str) -> Value {
        let response = self.launch_raw(&launch_body(learner, au)).await;
        response.assert_status(poem::http::StatusCode::CREATED);
        json_of(response).await
    }

    pub async fn launch_raw(&self, body: &Value) -> poem::test::TestResponse {
        self.client
            .post("/api/launches")
            .header("Authorization", &self.auth)
            .content_type("application/json")
            .body(body.to_string())
            .send()
            .await
    }

    /// POSTs to a launch's fetch URL and returns the JSON answer.
    pub async fn fetch(&self, launch: &Value) -> Value {
        let url = param(launch, "fetch");
        let path = url
            .split_once("/api/")
            .map(|(_, p)| format!("/api/{p}"))
            .unwrap();
        let response = self.client.post(path).send().await;
        response.assert_status_is_ok();
        json_of(response).await
    }

    /// A launch's auth token as an Authorization header value, after the AU's startup
    /// reads (cmi5 §11: the learner preferences come before any statement).
    pub async fn token(&self, launch: &Value) -> String {
        let token = self.token_only(launch).await;
        let prefs = self
            .client
            .get("/xapi/agents/profile")
            .query("agent", &param(launch, "actor"))
            .query("profileId", &"cmi5LearnerPreferences")
            .header("Authorization", &token)
            .header("X-Experience-API-Version", "1.0.3")
            .send()
            .await;
        assert!(
            matches!(prefs.0.status().as_u16(), 200 | 404),
            "{}",
            prefs.0.status()
        );
        token
    }

    /// A launch's auth token, with nothing read yet.
    pub async fn token_only(&self, launch: &Value) -> String {
        let answer = self.fetch(launch).await;
        format!(
            "Basic {}",
            answer["auth-token"].as_str().expect("auth-token")
        )
    }

    pub async fn progress(&self, registration: &str) -> Value {
        let response = self
            .client
            .get(format!("/api/registrations/{registration}/progress"))
            .header("Authorization", &self.auth)
            .send()
            .await;
        response.assert_status_is_ok();
        json_of(response).await
    }
}

pub fn launch_body(learner: &str, au: &str) -> Value {
    json!({
        "learner": {"account": {"homePage": "https://lms.example.com", "name": learner},
                    "name": "Test Learner", "mbox": "mailto:learner@example.com"},
        "auId": au,
        "returnUrl": "https://lms.example.com/back",
    })
}

/// A launch URL's query parameter.
pub fn param(launch: &Value, name: &str) -> String {
    let url = url::Url::parse(launch["launchUrl"].as_str().unwrap()).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("launch URL has no {name}"))
}

pub const POLICY_AU: &str = "https://blackbelt.example/courses/all-employees/au/policy-essentials";
pub const SURVEY_AU: &str =
    "https://blackbelt.example/courses/readiness-survey/au/readiness-survey";
