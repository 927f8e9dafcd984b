//! Test helpers for the certification engine: programs stored as the import would store
//! them, learners who finish AUs through their launch tokens, and award look-ups.

use blackbelt::certification::program::model::Program;
use entities::{cert_award, cert_program};
use poem::http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

use crate::cmi5_runtime::defined;
use crate::content::{course_zip, param};
use crate::helpers::{TestApp, json_of};

pub const MASTERY: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
pub const AU_POLICY: &str = "https://blackbelt.example/courses/all-employees/au/policy-essentials";
pub const AU_TRIAGE: &str = "https://blackbelt.example/courses/all-employees/au/complaint-triage";
pub const SHARED: &str = "http://adlnet.gov/expapi/verbs/shared";
pub const EARNED: &str = "http://id.tincanapi.com/verb/earned";

/// A program from its JSON form (as the program file parses), checked by the model.
pub fn program(value: Value) -> Program {
    serde_json::from_value(value).expect("a program the model accepts")
}

/// A belt with defaults for what a test does not care about.
pub fn belt(id: &str, requires: Value) -> Value {
    json!({
        "id": id, "name": format!("{id} belt"), "colour": "#ffffff",
        "description": format!("The {id} belt."), "requires": requires,
    })
}

/// Stores `program` as version `version` (what the import does).
pub async fn store_program(app: &TestApp, version: i32, program: &Program) {
    cert_program::ActiveModel {
        program_id: Set(program.program.id.clone()),
        version: Set(version),
        content_hash: Set(format!(
            "{}-{version}-{}",
            program.program.id,
            uuid::Uuid::new_v4()
        )),
        name: Set(program.program.name.clone()),
        definition: Set(serde_json::to_value(program).unwrap()),
        imported_us: Set(jiff::Timestamp::now().as_microsecond()),
        ..Default::default()
    }
    .insert(&app.db.conn)
    .await
    .unwrap();
}

/// One program `test` with these belts, version 1.
pub async fn with_belts(app: &TestApp, belts: Vec<Value>) -> Program {
    let p = program(json!({"program": {"id": "test", "name": "Test program"}, "belt": belts}));
    store_program(app, 1, &p).await;
    p
}

/// Imports the all-employees course with its mastery scores lowered to 0.5, so scores
/// just under 0.8 still pass.
pub async fn import_all_employees(app: &TestApp) {
    let zip = course_zip("all-employees", |name, bytes| {
        if name == "cmi5.xml" {
            String::from_utf8(bytes)
                .unwrap()
                .replace("masteryScore=\"0.8\"", "masteryScore=\"0.5\"")
                .into_bytes()
        } else {
            bytes
        }
    });
    app.upload(zip).await.assert_status(StatusCode::CREATED);
}

/// A learner's launch body: their own account and email.
pub fn learner_body(learner: &str, au: &str) -> Value {
    json!({
        "learner": {"account": {"homePage": "https://lms.example.com", "name": learner},
                    "name": format!("Learner {learner}"),
                    "mbox": format!("mailto:{learner}@example.com")},
        "auId": au,
        "returnUrl": "https://lms.example.com/back",
    })
}

/// The learner key of a test learner (their LMS account).
pub fn learner_key(learner: &str) -> String {
    format!("account:https://lms.example.com|{learner}")
}

/// A launched AU session: its launch answer and token.
pub struct Session {
    pub launch: Value,
    pub token: String,
}

impl Session {
    pub async fn start(app: &TestApp, learner: &str, au: &str) -> Session {
        let response = app.launch_raw(&learner_body(learner, au)).await;
        response.assert_status(StatusCode::CREATED);
        let launch = json_of(response).await;
        let token = app.token(&launch).await;
        let s = Session { launch, token };
        s.send(app, defined(&s.launch, "initialized", None)).await;
        s
    }

    pub async fn send(&self, app: &TestApp, statement: Value) {
        let r = app.post_as(&statement, &self.token, "1.0.3").await;
        assert_eq!(r.0.status().as_u16(), 200, "{}", json_of(r).await);
    }

    pub async fn complete(&self, app: &TestApp) {
        let s = defined(
            &self.launch,
            "completed",
            Some(json!({"completion": true, "duration": "PT9M"})),
        );
        self.send(app, s).await;
    }

    pub fn passed_statement(&self, scaled: f64) -> Value {
        let mut s = defined(
            &self.launch,
            "passed",
            Some(json!({"success": true, "duration": "PT1S",
                        "score": {"scaled": scaled}})),
        );
        s["context"]["extensions"][MASTERY] = json!(0.5);
        s
    }

    pub async fn pass(&self, app: &TestApp, scaled: f64) {
        self.send(app, self.passed_statement(scaled)).await;
    }

    pub fn actor(&self) -> Value {
        serde_json::from_str(&param(&self.launch, "actor")).unwrap()
    }
}

/// Launches, completes and passes `au` with `scaled`.
pub async fn finish(app: &TestApp, learner: &str, au: &str, scaled: f64) -> Session {
    let s = Session::start(app, learner, au).await;
    s.complete(app).await;
    s.pass(app, scaled).await;
    s
}

/// Every award of a learner, oldest first.
pub async fn awards(app: &TestApp, learner: &str) -> Vec<cert_award::Model> {
    cert_award::Entity::find()
        .filter(cert_award::Column::LearnerKey.eq(learner_key(learner)))
        .order_by_asc(cert_award::Column::Id)
        .all(&app.db.conn)
        .await
        .unwrap()
}

/// The belt ids a learner holds now.
pub async fn held(app: &TestApp, learner: &str) -> Vec<String> {
    awards(app, learner)
        .await
        .into_iter()
        .filter(|a| a.status == "active")
        .map(|a| a.belt_id)
        .collect()
}

/// A statement about `mbox` from a tool outside the modules (another credential).
pub fn tool_statement(
    mbox: &str,
    verb: &str,
    activity: &str,
    activity_type: Option<&str>,
) -> Value {
    let mut object = json!({"objectType": "Activity", "id": activity});
    if let Some(t) = activity_type {
        object["definition"] = json!({"type": t});
    }
    json!({
        "actor": {"mbox": mbox, "name": "Someone"},
        "verb": {"id": verb, "display": {"en-US": "shared"}},
        "object": object,
    })
}

pub fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

pub const DAY_US: i64 = 86_400_000_000;
