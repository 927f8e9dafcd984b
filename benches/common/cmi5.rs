//! cmi5 sessions for the ingest bench: the all-employees course imported through the
//! admin API, one `POST /api/launches` per learner, the AU's auth token fetched as an
//! AU does, and the statements a real AU sends (initialized … terminated).

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::process::ServerProcess;

pub const COURSE: &str = "all-employees";
pub const AU: &str = "https://blackbelt.example/courses/all-employees/au/policy-essentials";
const CMI5: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const MOVEON: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";
const SESSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
const MASTERY: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
const PROGRESS: &str = "https://w3id.org/xapi/cmi5/result/extensions/progress";

/// A launched session with its auth token.
pub struct Session {
    pub registration: String,
    pub session_id: String,
    pub actor: Value,
    pub activity_id: String,
    /// `Basic <auth-token>`.
    pub token: String,
}

/// Imports `packages/<COURSE>` through `POST /api/packages`.
pub async fn import_course(http: &reqwest::Client, server: &ServerProcess) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("packages")
        .join(COURSE);
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .expect("course folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for path in paths {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        writer
            .write_all(&std::fs::read(&path).expect("read"))
            .expect("zip write");
    }
    let zip = writer.finish().expect("zip").into_inner();
    let response = http
        .post(format!("{}/api/packages", server.base))
        .header("Authorization", &server.auth)
        .header("Content-Type", "application/zip")
        .body(zip)
        .send()
        .await
        .expect("import");
    assert!(
        response.status().is_success(),
        "import: {}",
        response.status()
    );
}

/// Launches learner `n` into [`AU`] and fetches the session's auth token.
pub async fn launch(http: &reqwest::Client, server: &ServerProcess, n: u64) -> Session {
    let body = json!({
        "learner": {"account": {"homePage": "https://lms.example.com", "name": format!("bench-{n}")},
                    "name": format!("Learner {n}")},
        "auId": AU,
        "returnUrl": "https://lms.example.com/back",
    });
    let response = http
        .post(format!("{}/api/launches", server.base))
        .header("Authorization", &server.auth)
        .json(&body)
        .send()
        .await
        .expect("launch");
    assert!(
        response.status().is_success(),
        "launch: {}",
        response.status()
    );
    let created: Value = response.json().await.expect("launch JSON");
    let url = url::Url::parse(created["launchUrl"].as_str().expect("launchUrl")).expect("URL");
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("launch URL has no {name}"))
    };
    // The fetch URL names the public URL; the server listens on the bench's port.
    let fetch = url::Url::parse(&param("fetch")).expect("fetch URL");
    let fetched: Value = http
        .post(format!(
            "{}{}?{}",
            server.base,
            fetch.path(),
            fetch.query().unwrap_or("")
        ))
        .send()
        .await
        .expect("fetch")
        .json()
        .await
        .expect("fetch JSON");
    let token = format!(
        "Basic {}",
        fetched["auth-token"].as_str().expect("auth-token")
    );
    // What an AU reads on startup (cmi5 §10, §11): its LaunchData and the learner's
    // preferences; statements before that are refused.
    let reads = [
        (
            "/xapi/activities/state",
            vec![
                ("activityId", param("activityId")),
                ("agent", param("actor")),
                ("registration", param("registration")),
                ("stateId", "LMS.LaunchData".to_owned()),
            ],
        ),
        (
            "/xapi/agents/profile",
            vec![
                ("agent", param("actor")),
                ("profileId", "cmi5LearnerPreferences".to_owned()),
            ],
        ),
    ];
    for (path, query) in reads {
        let mut url = url::Url::parse(&format!("{}{path}", server.base)).expect("URL");
        url.query_pairs_mut().extend_pairs(&query);
        let status = http
            .get(url)
            .header("Authorization", &token)
            .header("X-Experience-API-Version", "1.0.3")
            .send()
            .await
            .expect("AU startup read")
            .status();
        assert!(matches!(status.as_u16(), 200 | 404), "{path}: {status}");
    }
    Session {
        registration: created["registration"]
            .as_str()
            .expect("registration")
            .to_owned(),
        session_id: created["sessionId"].as_str().expect("sessionId").to_owned(),
        actor: serde_json::from_str(&param("actor")).expect("actor"),
        activity_id: param("activityId"),
        token,
    }
}

/// What a real AU sends in one session, in order: initialized, `progressed` steps,
/// completed, passed (9 of 10) and terminated. `2 + progress_steps + 3` statements.
pub fn statements(s: &Session, progress_steps: u64) -> Vec<Value> {
    let mut list = vec![statement(s, "initialized", None, &[CMI5])];
    for step in 1..=progress_steps {
        let progress = (step * 90 / progress_steps.max(1)).min(99);
        list.push(statement(
            s,
            "progressed",
            Some(json!({"extensions": {PROGRESS: progress}})),
            &[],
        ));
    }
    list.push(statement(
        s,
        "completed",
        Some(json!({"completion": true, "duration": "PT9M"})),
        &[CMI5, MOVEON],
    ));
    let mut passed = statement(
        s,
        "passed",
        Some(json!({"success": true, "duration": "PT1S",
                    "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}})),
        &[CMI5, MOVEON],
    );
    passed["context"]["extensions"][MASTERY] = json!(0.8);
    list.push(passed);
    list.push(statement(
        s,
        "terminated",
        Some(json!({"duration": "PT10M"})),
        &[CMI5],
    ));
    list
}

fn statement(s: &Session, verb: &str, result: Option<Value>, categories: &[&str]) -> Value {
    let mut context = json!({
        "registration": s.registration,
        "extensions": {SESSION: s.session_id},
    });
    if !categories.is_empty() {
        let list: Vec<Value> = categories.iter().map(|c| json!({"id": c})).collect();
        context["contextActivities"] = json!({"category": list});
    }
    let mut statement = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "timestamp": "2026-12-07T01:00:00.000Z",
        "actor": s.actor,
        "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}")},
        "object": {"id": s.activity_id},
        "context": context,
    });
    if let Some(result) = result {
        statement["result"] = result;
    }
    statement
}
