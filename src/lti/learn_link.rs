//! The learning home link: a resource link whose custom parameter `blackbelt=learn`
//! opens the learner's home (`/learn`) instead of a module, like `blackbelt=console`
//! opens the console for staff.
//!
//! The launch is shown inside the LMS's frame, where browsers block third-party
//! cookies, so no session starts here: after the launch's full verification the
//! learner gets a single-use code (two minutes, `learn::access`) and a page whose link
//! opens `/learn/enter/<code>` in a window of its own. The learner's attributes from
//! the LMS (audience…) are recorded as a module launch records them, so their home
//! shows the catalog for their audience.

use serde_json::{Map, Value};

use super::claims::LaunchClaims;
use super::failure::Failure;
use super::page::{escape, page};
use crate::db::Db;
use crate::launch::learner::{Learner, LearnerAccount};
use crate::launch::settings::LaunchSettings;
use crate::learn::access::{self, LearnerRef};
use crate::xapi::statements::index::agent_key;

/// The custom parameter's value that marks the learning home link.
pub const CUSTOM_VALUE: &str = "learn";

/// Whether a resource link is the learning home link (`custom: {"blackbelt": "learn"}`).
pub fn is_learn_link(custom: &Map<String, Value>) -> bool {
    custom
        .get(super::console_link::CUSTOM_KEY)
        .and_then(Value::as_str)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(CUSTOM_VALUE))
}

/// The learning home link's launch, after `launch13::verify_launch`: the page with
/// the link that opens the home.
pub async fn hand_off(
    db: &Db,
    settings: &LaunchSettings,
    claims: &LaunchClaims,
) -> Result<String, Failure> {
    let learner = Learner {
        account: LearnerAccount {
            home_page: claims.issuer.clone(),
            name: claims.subject.clone(),
        },
        name: claims.name.clone(),
        mbox: claims.email.clone(),
    };
    let actor = learner.actor()?;
    let email = learner.email()?;
    let learner_key = agent_key(&actor).ok_or_else(|| {
        Failure::new(
            400,
            "no_learner",
            "the launch does not name the learner in a way Black Belt can use",
        )
    })?;
    let now = jiff::Timestamp::now().as_microsecond();
    if let Some(registry) =
        crate::certification::learners::Learner::from_actor(&actor, email.clone())
    {
        let attributes =
            crate::certification::learners::attributes::from_lti(&claims.custom, &claims.raw_roles);
        // The home opens without them (it then shows every course): logged, not shown.
        if let Err(e) =
            crate::certification::learners::attributes::record(db, registry, attributes, now).await
        {
            tracing::warn!(error = %e, "learning home: recording LTI learner attributes failed");
        }
    }
    let who = LearnerRef {
        learner_key,
        actor,
        email,
    };
    let code = {
        let _gate = db.write_gate().await;
        access::issue(db.writer(), &who, now).await?
    };
    Ok(handoff_page(&settings.public_url, &code))
}

fn handoff_page(public_url: &str, code: &str) -> String {
    let href = format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        access::enter_path(code)
    );
    let body = format!(
        "<main><h1>Your learning home</h1>\
         <p>Your belts, your progress toward the next one, and the modules to take next.</p>\
         <p><a href=\"{}\" target=\"_blank\" rel=\"noopener\" id=\"open-learn\">\
         Open your learning home in a new window</a></p>\
         <p>Why a new window: your LMS shows this page inside its own, where browsers do \
         not keep you signed in to another site. In a window of its own, your home keeps \
         you signed in for two hours, without a password.</p>\
         <p>The link works once, within two minutes. If it has stopped working, open this \
         link in your course again.</p></main>",
        escape(&href)
    );
    page("Your learning home", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_learn_custom_parameter_marks_the_home_link() {
        let custom = |v: Value| {
            let mut m = Map::new();
            m.insert("blackbelt".into(), v);
            m
        };
        assert!(is_learn_link(&custom(json!("learn"))));
        assert!(is_learn_link(&custom(json!(" Learn "))));
        assert!(!is_learn_link(&custom(json!("console"))));
        assert!(!is_learn_link(&Map::new()));
    }

    #[test]
    fn the_page_opens_the_code_in_a_new_window() {
        let html = handoff_page("https://bb.example/", "c0de");
        assert!(html.contains(
            "href=\"https://bb.example/learn/enter/c0de\" target=\"_blank\" rel=\"noopener\""
        ));
    }
}
