//! The console link: a resource link whose custom parameter `blackbelt=console` (set by
//! Deep Linking, or by an LMS administrator by hand) opens the certification console
//! for the course's instructors and managers instead of a module.
//!
//! The launch is shown inside the LMS's frame, where browsers block third-party
//! cookies, so no console session is started here. After the launch's full
//! verification, a staff member gets a single-use handoff token (two minutes, see
//! `console::lti_handoff`) and a page whose button opens `/console/lti/enter/<token>`
//! in a window of its own, where the session cookie is first-party. The course's
//! context is recorded as a module launch records it, so its NRPS roster (who the
//! console shows) is fetched when due.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::{Map, Value, json};

use super::claims::{LaunchClaims, Role};
use super::failure::Failure;
use super::page::{escape, page};
use crate::console::lti_handoff::{self, Handoff};
use crate::db::Db;
use crate::launch::settings::LaunchSettings;
use entities::{lti_context, lti_platform};

/// The custom parameter that marks the console link, and its value.
pub const CUSTOM_KEY: &str = "blackbelt";
pub const CUSTOM_VALUE: &str = "console";
/// The link's title in the Deep Linking picker and in the course.
pub const TITLE: &str = "Certification console (instructors and managers)";

/// What the console link's launch answers.
pub enum Answer {
    /// A staff member: the page with the button that opens the console (200).
    Handoff(String),
    /// Anyone else: a page saying the link is for instructors and managers (403).
    NotForLearners(String),
}

/// Whether a resource link is the console link (`custom: {"blackbelt": "console"}`).
pub fn is_console_link(custom: &Map<String, Value>) -> bool {
    custom
        .get(CUSTOM_KEY)
        .and_then(Value::as_str)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(CUSTOM_VALUE))
}

/// The role that opens the console, if any: an administrator, an instructor (or
/// teaching assistant, content developer) or a manager of the course. A learner who is
/// also an instructor is an instructor here: the console only reads.
pub fn staff_role(roles: &[Role]) -> Option<&'static str> {
    [
        (Role::Administrator, "administrator"),
        (Role::Instructor, "instructor"),
        (Role::Manager, "manager"),
    ]
    .into_iter()
    .find(|(role, _)| roles.contains(role))
    .map(|(_, name)| name)
}

/// The console link's launch, after `launch13::verify_launch`.
pub async fn hand_off(
    db: &Db,
    settings: &LaunchSettings,
    claims: &LaunchClaims,
    platform: &lti_platform::Model,
) -> Result<Answer, Failure> {
    let Some(lti_role) = staff_role(&claims.roles) else {
        return Ok(Answer::NotForLearners(not_for_learners()));
    };
    let context_id = claims.context_id.as_deref().ok_or_else(|| {
        Failure::new(
            400,
            "no_context",
            "the certification console was opened outside a course (the launch has no \
             context claim), so there is no course whose members it could show; open the \
             console link from inside a course",
        )
    })?;
    let source = format!("platform:{}", platform.id);
    let now = jiff::Timestamp::now();
    let token = {
        let _gate = db.write_gate().await;
        let tx = db.writer().begin().await?;
        // The same record a module launch makes, so the roster sync is due as usual.
        let services = json!({
            "contextId": context_id,
            "contextTitle": claims.context_title,
            "nrps": claims.nrps,
        });
        crate::roster::launch::launched(
            &tx,
            "1.3",
            &source,
            &services,
            now,
            settings.nrps_refresh_min,
        )
        .await?;
        let context = lti_context::Entity::find()
            .filter(lti_context::Column::Source.eq(source.as_str()))
            .filter(lti_context::Column::ContextId.eq(context_id))
            .one(&tx)
            .await?
            .ok_or_else(no_roster)?;
        let who = Handoff {
            platform_id: platform.id,
            context_row_id: context.id,
            subject: claims.subject.clone(),
            name: claims.name.clone(),
            lti_role: lti_role.to_owned(),
        };
        let token = lti_handoff::issue(&tx, &who, now.as_microsecond()).await?;
        tx.commit().await?;
        token
    };
    tracing::info!(
        platform = platform.id,
        context_id,
        lti_role,
        "console handoff issued"
    );
    Ok(Answer::Handoff(handoff_page(
        &settings.public_url,
        &token,
        claims.context_title.as_deref(),
    )))
}

fn no_roster() -> Failure {
    Failure::new(
        400,
        "no_roster",
        "Black Belt does not know this course's members: its launches do not carry the \
         Names and Role Provisioning Services claim. An LMS administrator turns on the \
         sharing of names and roles (NRPS) for the Black Belt tool, then you open the \
         console link again",
    )
}

fn handoff_page(public_url: &str, token: &str, course: Option<&str>) -> String {
    let href = format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        lti_handoff::enter_path(token)
    );
    let whose = course.map_or_else(
        || "this course's members".to_owned(),
        |c| format!("the members of <strong>{}</strong>", escape(c)),
    );
    let body = format!(
        "<main><h1>Certification console</h1>\
         <p>The console shows the belts and progress of {whose}. It only reads: nothing \
         you do there changes a learner's record.</p>\
         <p><a href=\"{}\" target=\"_blank\" rel=\"noopener\" id=\"open-console\">\
         Open the console in a new window</a></p>\
         <p>Why a new window: your LMS shows this tool inside its own page, and browsers \
         do not keep you signed in to a site shown inside another site's page (they block \
         its cookies). In a window of its own, the console can keep you signed in, \
         without a separate password.</p>\
         <p>The button works once, within two minutes. If it has stopped working, open \
         the console link in your course again.</p></main>",
        escape(&href)
    );
    page("Certification console", &body)
}

fn not_for_learners() -> String {
    page(
        "For instructors and managers",
        "<main><h1>This link is for instructors and managers</h1>\
         <p>It opens the certification console, where the course's instructors and \
         managers follow their learners' belts. Your role in this course does not include \
         it, so nothing was opened and nothing was recorded.</p>\
         <p>Your modules are the other links of this course.</p></main>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_console_custom_parameter_marks_the_console_link() {
        let custom = |v: Value| {
            let mut m = Map::new();
            m.insert(CUSTOM_KEY.into(), v);
            m
        };
        assert!(is_console_link(&custom(json!("console"))));
        assert!(is_console_link(&custom(json!(" Console "))));
        assert!(!is_console_link(&custom(json!("module"))));
        assert!(!is_console_link(&custom(json!(true))));
        assert!(!is_console_link(&Map::new()));
    }

    #[test]
    fn staff_open_the_console_and_learners_do_not() {
        assert_eq!(staff_role(&[Role::Learner]), None);
        assert_eq!(staff_role(&[Role::Other]), None);
        assert_eq!(staff_role(&[Role::Manager]), Some("manager"));
        assert_eq!(
            staff_role(&[Role::Learner, Role::Instructor]),
            Some("instructor")
        );
        assert_eq!(
            staff_role(&[Role::Manager, Role::Administrator]),
            Some("administrator")
        );
    }

    #[test]
    fn the_handoff_page_opens_the_token_in_a_new_window_and_escapes_the_course() {
        let html = handoff_page("https://bb.example/", "tok", Some("<b>Safety</b>"));
        assert!(html.contains(
            "href=\"https://bb.example/console/lti/enter/tok\" target=\"_blank\" rel=\"noopener\""
        ));
        assert!(html.contains("&lt;b&gt;Safety&lt;/b&gt;"));
        assert!(html.contains("new window") && html.contains("cookies"));
    }
}
