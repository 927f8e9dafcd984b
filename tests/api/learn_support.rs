//! Fixtures of the learner-side tests (issue 20): a program whose belts name AUs of
//! the all-employees course, learners with launch tokens, the home's handoff.

use blackbelt::certification::program::model::{
    Belt, Evidence, EvidenceKind, Program, ProgramInfo, Requirement, Standing,
};
use poem::http::StatusCode;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;

use crate::cert_fixture::now;
use crate::console_support::{Page, page_of};
use crate::content::POLICY_AU;
use crate::helpers::TestApp;
use entities::cert_program;

pub const COURSE: &str = "https://blackbelt.example/courses/all-employees";
pub const TRIAGE_AU: &str = "https://blackbelt.example/courses/all-employees/au/complaint-triage";

fn au(id: &str) -> Requirement {
    Requirement::Au(Standing {
        id: id.into(),
        min_score: Some(0.8),
        within_months: None,
    })
}

/// White: two AUs of the all-employees course. Green: white held and a portfolio.
pub fn program() -> Program {
    let belt = |id: &str, name: &str, colour: &str, requires| Belt {
        id: id.into(),
        name: name.into(),
        colour: colour.into(),
        description: format!("The {name}"),
        audiences: vec!["employees".into()],
        requires,
        validity_months: Some(12),
        grace_days: 30,
        recertify: None,
    };
    Program {
        program: ProgramInfo {
            id: "smbb".into(),
            name: "Social Media Black Belt".into(),
            description: String::new(),
        },
        belts: vec![
            belt(
                "white",
                "White Belt",
                "#f5f5f5",
                Requirement::AllOf(vec![au(POLICY_AU), au(TRIAGE_AU)]),
            ),
            belt(
                "green",
                "Green Belt",
                "#2e7d32",
                Requirement::AllOf(vec![
                    Requirement::Belt("white".into()),
                    Requirement::Evidence(Evidence {
                        id: "portfolio".into(),
                        title: "Portfolio".into(),
                        description: "three posts".into(),
                        kinds: vec![EvidenceKind::Url],
                    }),
                ]),
            ),
        ],
    }
}

impl TestApp {
    /// Stores `program()` as version 1 of its program.
    pub async fn with_learn_program(&self) {
        let program = program();
        cert_program::ActiveModel {
            program_id: Set(program.program.id.clone()),
            version: Set(1),
            content_hash: Set("learn-fixture".into()),
            name: Set(program.program.name.clone()),
            definition: Set(serde_json::to_value(&program).unwrap()),
            imported_us: Set(now()),
            ..Default::default()
        }
        .insert(&self.db.conn)
        .await
        .unwrap();
    }

    /// An award of `belt` of the fixture program, as the engine stores it.
    pub async fn award_learn_belt(&self, learner: &str, belt: &str) {
        let now = now();
        entities::cert_award::ActiveModel {
            learner_key: Set(learner.into()),
            program_id: Set("smbb".into()),
            program_version: Set(1),
            belt_id: Set(belt.into()),
            status: Set("active".into()),
            active_key: Set(Some(format!("{learner} {belt}"))),
            earned_us: Set(now),
            valid_until_us: Set(None),
            expires_us: Set(None),
            evidence: Set(serde_json::json!([])),
            renewals: Set(serde_json::json!([])),
            source: Set("manual".into()),
            reason: Set(Some("test".into())),
            awarded_by: Set(Some("test".into())),
            updated_us: Set(now),
            ..Default::default()
        }
        .insert(self.db.writer())
        .await
        .unwrap();
    }

    /// `POST /api/learn/handoff` with `token`: the single-use URL's path.
    pub async fn home_handoff(&self, token: &str) -> String {
        let (status, body) = self.call("POST", "/api/learn/handoff", token, None).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let url = body["url"].as_str().unwrap();
        assert!(!body["expires_at"].as_str().unwrap().is_empty());
        let path = url
            .split_once("/learn/")
            .map(|(_, p)| format!("/learn/{p}"));
        path.unwrap()
    }

    /// Redeems a handoff path: the session cookie (`name=value`).
    pub async fn enter_home(&self, path: &str) -> String {
        let page = page_of(self.client.get(path).send().await).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), "/learn");
        let set = page.header("set-cookie").to_owned();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        set.split(';').next().unwrap().to_owned()
    }

    /// `GET /learn` with a session cookie.
    pub async fn home(&self, cookie: &str) -> Page {
        page_of(
            self.client
                .get("/learn")
                .header("cookie", cookie)
                .send()
                .await,
        )
        .await
    }
}

/// The value of the first `name="csrf"` field of a page.
pub fn csrf_of(page: &Page) -> String {
    let at = page
        .body
        .find("name=\"csrf\" value=\"")
        .expect("a csrf field");
    let rest = &page.body[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A JSON field as text, or "" when absent.
pub fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

impl TestApp {
    /// Makes the learner known to the registry (as their first stored statement would),
    /// unless they already are.
    pub async fn insert_learner_row(&self, key: &str) {
        use sea_orm::EntityTrait;
        let known = entities::cert_learner::Entity::find_by_id(key.to_owned())
            .one(&self.db.conn)
            .await
            .unwrap();
        if known.is_none() {
            self.insert_learner(key).await;
        }
    }
}
