//! The step every LTI version shares: a verified learner and an AU become a cmi5
//! launch, and what the platform sent for grade passback is kept with it.

use serde_json::Value;

use super::failure::Failure;
use crate::db::Db;
use crate::launch::grant::LaunchMode;
use crate::launch::learner::Learner;
use crate::launch::service::{LtiRecord, NewLaunch, launch};
use crate::launch::settings::LaunchSettings;
use crate::xapi::clock::WriteClock;

pub struct LtiLaunch {
    pub learner: Learner,
    pub au_id: String,
    pub return_url: Option<String>,
    pub mode: LaunchMode,
    /// `1.3` or `1.1`.
    pub version: &'static str,
    /// `platform:<id>` or `consumer:<key>`.
    pub source: String,
    /// AGS/NRPS claims (1.3) or outcome fields (1.1), for grade passback.
    pub services: Value,
    /// Learner attributes for certification (`audience`, `org_unit`, `role`).
    pub attributes: serde_json::Map<String, Value>,
}

/// Launches and returns the AU's launch URL.
pub async fn start(
    db: &Db,
    clock: &WriteClock,
    settings: &LaunchSettings,
    request: LtiLaunch,
) -> Result<String, Failure> {
    let return_url = request
        .return_url
        .filter(|u| url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")));
    // For the certification registry, recorded once the launch exists.
    let registry = match (request.learner.actor(), request.learner.email()) {
        (Ok(actor), Ok(email)) => {
            crate::certification::learners::Learner::from_actor(&actor, email)
        }
        _ => None,
    };
    let attributes = request.attributes;
    let launched = launch(
        db,
        clock,
        settings,
        NewLaunch {
            registration: None,
            learner: request.learner,
            au_id: request.au_id,
            course_id: None,
            return_url,
            launch_mode: request.mode,
            lti: Some(LtiRecord {
                version: request.version,
                source: request.source,
                services: request.services,
            }),
        },
    )
    .await
    .map_err(|e| match e {
        crate::error::Error::NotFound(m) => Failure::new(404, "unknown_module", m),
        other => Failure::from(other),
    })?;
    if let Some(learner) = registry {
        let now = jiff::Timestamp::now().as_microsecond();
        // The launch stands without them: a failure here is logged, not shown.
        if let Err(e) =
            crate::certification::learners::attributes::record(db, learner, attributes, now).await
        {
            tracing::warn!(error = %e, "certification: recording LTI learner attributes failed");
        }
    }
    Ok(launched.launch_url)
}
