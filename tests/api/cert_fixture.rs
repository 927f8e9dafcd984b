//! Certification fixtures: a program inserted as stored rows (until the program import
//! lands), awards and learners inserted directly, launch tokens, and request helpers.

use blackbelt::certification::program::model::{
    Belt, Evidence, EvidenceKind, Program, ProgramInfo, Requirement,
};
use poem::http::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::{Value, json};

use crate::content::{POLICY_AU, param};
use crate::helpers::{TestApp, json_of};
use entities::{cert_audit, cert_award, cert_evidence, cert_learner, cert_program};

/// White: a pledge as text, a link or a file. Green: white held and a portfolio link.
pub fn program() -> Program {
    let belt = |id: &str, name: &str, requires| Belt {
        id: id.into(),
        name: name.into(),
        colour: "#ffffff".into(),
        description: format!("The {name}"),
        audiences: vec!["all-employees".into()],
        requires,
        validity_months: Some(12),
        grace_days: 30,
        recertify: None,
    };
    let evidence = |id: &str, kinds| {
        Requirement::Evidence(Evidence {
            id: id.into(),
            title: id.into(),
            description: format!("submit a {id}"),
            kinds,
        })
    };
    Program {
        program: ProgramInfo {
            id: "smac".into(),
            name: "Social Media Certification".into(),
            description: String::new(),
        },
        belts: vec![
            belt(
                "white",
                "White Belt",
                evidence(
                    "pledge",
                    vec![EvidenceKind::Text, EvidenceKind::Url, EvidenceKind::File],
                ),
            ),
            belt(
                "green",
                "Green Belt",
                Requirement::AllOf(vec![
                    Requirement::Belt("white".into()),
                    evidence("portfolio", vec![EvidenceKind::Url]),
                ]),
            ),
        ],
    }
}

impl TestApp {
    /// Stores the fixture program as version 1.
    pub async fn with_program(&self) {
        let program = program();
        cert_program::ActiveModel {
            program_id: Set(program.program.id.clone()),
            version: Set(1),
            content_hash: Set("fixture".into()),
            name: Set(program.program.name.clone()),
            definition: Set(serde_json::to_value(&program).unwrap()),
            imported_us: Set(now()),
            ..Default::default()
        }
        .insert(&self.db.conn)
        .await
        .unwrap();
    }

    /// An active award of `belt` to `learner`, as the engine would store it.
    pub async fn insert_award(&self, learner: &str, belt: &str) -> i64 {
        let now = now();
        cert_award::ActiveModel {
            learner_key: Set(learner.into()),
            program_id: Set("smac".into()),
            program_version: Set(1),
            belt_id: Set(belt.into()),
            status: Set("active".into()),
            active_key: Set(Some(format!("{learner} {belt}"))),
            earned_us: Set(now),
            valid_until_us: Set(Some(now + 365 * 86_400_000_000)),
            expires_us: Set(Some(now + 395 * 86_400_000_000)),
            evidence: Set(json!({})),
            renewals: Set(json!([])),
            source: Set("rules".into()),
            updated_us: Set(now),
            ..Default::default()
        }
        .insert(&self.db.conn)
        .await
        .unwrap()
        .id
    }

    /// A known learner with no attributes.
    pub async fn insert_learner(&self, learner: &str) {
        cert_learner::ActiveModel {
            learner_key: Set(learner.into()),
            actor: Set(json!({"account": {"homePage": "https://lms.example.com", "name": "x"}})),
            name: Set(None),
            email: Set(None),
            attributes: Set(json!({})),
            created_us: Set(now()),
            updated_us: Set(now()),
        }
        .insert(&self.db.conn)
        .await
        .unwrap();
    }

    /// A launched learner: their launch token and learner key. The course is imported
    /// on the first call.
    pub async fn learner(&self, name: &str) -> (String, String) {
        let courses = self
            .client
            .get("/api/courses")
            .header("Authorization", &self.auth)
            .send()
            .await;
        let list = json_of(courses).await;
        if list.as_array().is_none_or(Vec::is_empty) {
            self.import_course("all-employees").await;
        }
        let launch = self.launch(name, POLICY_AU).await;
        let actor: Value = serde_json::from_str(&param(&launch, "actor")).unwrap();
        let key = blackbelt::xapi::statements::index::agent_key(&actor).unwrap();
        (self.token(&launch).await, key)
    }

    /// Sends `method path` with `auth` and an optional JSON body: status and JSON answer
    /// (Null when the answer has no body).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        auth: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let request = match method {
            "GET" => self.client.get(path),
            "POST" => self.client.post(path),
            "PUT" => self.client.put(path),
            "DELETE" => self.client.delete(path),
            other => panic!("{other}"),
        }
        .header("Authorization", auth);
        let request = match body {
            Some(body) => request
                .content_type("application/json")
                .body(body.to_string()),
            None => request,
        };
        let response = request.send().await;
        let status = response.0.status();
        let bytes = response.0.into_body().into_vec().await.unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    /// Rows in each certification table that requests may write.
    pub async fn cert_rows(&self) -> (u64, u64, u64) {
        let c = &self.db.conn;
        (
            cert_evidence::Entity::find().count(c).await.unwrap(),
            cert_audit::Entity::find().count(c).await.unwrap(),
            cert_award::Entity::find().count(c).await.unwrap(),
        )
    }

    /// Audit entries with this action.
    pub async fn audit_actions(&self) -> Vec<String> {
        cert_audit::Entity::find()
            .all(&self.db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect()
    }
}

pub fn now() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// A path segment, percent-encoded.
pub fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The id of the credential behind an Authorization header value.
pub async fn credential_id(app: &TestApp, header: &str) -> i64 {
    use base64::Engine;
    let encoded = header.strip_prefix("Basic ").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let text = String::from_utf8(decoded).unwrap();
    let key = text.split_once(':').unwrap().0;
    blackbelt::auth::store::find_active(&app.db.conn, key)
        .await
        .unwrap()
        .unwrap()
        .id
}
