//! At an LTI 1.3 launch carrying the NRPS claim: the context is recorded, and its sync
//! made due, in the launch's transaction (a rolled-back launch records nothing).

use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::membership::roster_service;
use super::store::{self, SeenContext};
use crate::error::Error;

/// The context a launch's stored `services` describe, if its roster can be fetched.
pub fn context_of(version: &str, source: &str, services: &Value) -> Option<SeenContext> {
    if version != "1.3" || !source.starts_with("platform:") {
        return None;
    }
    let claim = services.get("nrps").filter(|c| c.is_object())?;
    let text = |name: &str| {
        services
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let Some(context_id) = text("contextId") else {
        tracing::info!(
            source,
            "an NRPS claim without a context claim: no roster is kept"
        );
        return None;
    };
    match roster_service(claim) {
        Ok(service) => Some(SeenContext {
            source: source.to_owned(),
            context_id,
            title: text("contextTitle"),
            service,
        }),
        Err(why) => {
            tracing::info!(source, %context_id, %why, "no roster is kept for this context");
            None
        }
    }
}

/// Records the launch's context (see [`store::seen`]). Runs in the launch transaction.
pub async fn launched(
    conn: &impl ConnectionTrait,
    version: &str,
    source: &str,
    services: &Value,
    at: jiff::Timestamp,
    refresh_min: Duration,
) -> Result<(), Error> {
    match context_of(version, source, services) {
        Some(c) => store::seen(conn, &c, at.as_microsecond(), refresh_min).await,
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const URL: &str = "https://lms.example/api/memberships?c=7";

    #[test]
    fn a_13_launch_with_the_claim_and_a_context_names_the_context() {
        let services = json!({"contextId": "c7", "contextTitle": "Safety",
            "nrps": {"context_memberships_url": URL, "service_versions": ["2.0"]}});
        let c = context_of("1.3", "platform:3", &services).unwrap();
        assert_eq!(c.context_id, "c7");
        assert_eq!(c.title.as_deref(), Some("Safety"));
        assert_eq!(c.service.memberships_url, URL);
        assert_eq!(c.source, "platform:3");
    }

    #[test]
    fn no_claim_no_context_or_lti_11_records_nothing() {
        let no_claim = json!({"contextId": "c7", "nrps": null});
        assert!(context_of("1.3", "platform:3", &no_claim).is_none());
        let no_context = json!({"nrps": {"context_memberships_url": URL}});
        assert!(context_of("1.3", "platform:3", &no_context).is_none());
        let lti11 = json!({"contextId": "c7", "nrps": {"context_memberships_url": URL}});
        assert!(context_of("1.1", "consumer:k", &lti11).is_none());
    }
}
