//! The set-up the console's review tests share (evidence, awards, audit): the fixture
//! program, known learners, a pending pledge, reviewers of a belt, audit counts.

use blackbelt::certification::api::manual;
use blackbelt::certification::evidence::review;
use blackbelt::certification::evidence::store::{NewEvidence, NewFile};
use blackbelt::certification::learners::{Learner, upsert};
use blackbelt::console::role::Role;
use entities::cert_audit;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::cert_fixture::now;
use crate::console_support::{Browser, signed_in};
use crate::helpers::TestApp;

pub const ADA: &str = "account:https://lms.example.com|ada";

/// The fixture program (white: a pledge; green: white and a portfolio link) and Ada, a
/// known learner with an email.
pub async fn program_and_ada(app: &TestApp) {
    app.with_program().await;
    learner(app, "ada", "Ada Lovelace", "ada@example.com").await;
}

/// A known learner `account:https://lms.example.com|<name>`, known also by `email`.
pub async fn learner(app: &TestApp, name: &str, full_name: &str, email: &str) {
    let actor = json!({"name": full_name, "account": {"homePage": "https://lms.example.com", "name": name}});
    let l = Learner::from_actor(&actor, Some(format!("mailto:{email}"))).unwrap();
    upsert(app.db.writer(), &[l], now()).await.unwrap();
}

/// Ada's pledge for white, pending; its id.
pub async fn pledge(app: &TestApp, file: Option<NewFile>) -> i64 {
    let kind = if file.is_some() { "file" } else { "text" };
    review::submit(
        &app.db,
        NewEvidence {
            learner_key: ADA.into(),
            belt_id: "white".into(),
            requirement_id: "pledge".into(),
            kind,
            text: file
                .is_none()
                .then(|| "I will speak for us with care.".into()),
            url: None,
            file,
            submitted_by: format!("learner:{ADA}"),
        },
        now(),
    )
    .await
    .unwrap()
    .id
}

/// A reviewer console user listed for `belt`.
pub async fn reviewer_of(app: &TestApp, belt: &str) -> Browser {
    let browser = signed_in(app, Role::Reviewer, None).await;
    let key = format!("console:{}", browser.username);
    manual::set_reviewer(&app.db, "test", belt, &key, true, now())
        .await
        .unwrap();
    browser
}

/// How many audit entries there are.
pub async fn audit_count(app: &TestApp) -> u64 {
    cert_audit::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap()
}
