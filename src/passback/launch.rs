//! At launch: the channels to the LMS the launch carries (an AGS claim with the score
//! scope, or LTI 1.1 outcome fields) become targets, in the launch's transaction; a
//! never-attempted AU reports `Initialized`, and a new channel catches up with a
//! standing the learner already has.

use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::delivery::Protocol;
use super::score;
use super::store::{self, NewTarget};
use crate::error::Error;
use crate::launch::projection::load_progress;

/// AGS 2.0 §3.4: the scope that lets a tool publish scores.
pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";

/// What a launch knows that passback needs.
pub struct LaunchedAu<'a> {
    pub registration: &'a str,
    /// The AU's publisher id.
    pub au_id: &'a str,
    pub au_title: &'a str,
    /// `1.3` or `1.1`.
    pub version: &'a str,
    /// `platform:<id>` or `consumer:<key>`.
    pub source: &'a str,
    /// What the LTI launch stored as `services`.
    pub services: &'a Value,
    /// The platform's user id, when `services` has no `userId`.
    pub user_id: &'a str,
    /// The launch's `stored` time.
    pub at: jiff::Timestamp,
}

/// The targets a launch's services describe (none without passback services).
pub fn targets(l: &LaunchedAu<'_>) -> Vec<NewTarget> {
    let text = |v: &Value, name: &str| {
        v.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let s = l.services;
    let base = NewTarget {
        protocol: Protocol::Ags,
        registration: l.registration.to_owned(),
        object_id: l.au_id.to_owned(),
        source: l.source.to_owned(),
        user_id: text(s, "userId").unwrap_or_else(|| l.user_id.to_owned()),
        deployment_id: text(s, "deploymentId"),
        resource_link_id: text(s, "resourceLinkId"),
        context_id: text(s, "contextId"),
        label: l.au_title.to_owned(),
        lineitem_url: None,
        lineitems_url: None,
        scopes: Vec::new(),
        outcome_url: None,
        sourcedid: None,
    };
    let mut out = Vec::new();
    if l.version == "1.3"
        && let Some(ags) = s.get("ags").filter(|a| a.is_object())
    {
        let scopes: Vec<String> = ags
            .get("scope")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let lineitem_url = text(ags, "lineitem");
        let lineitems_url = text(ags, "lineitems");
        if !scopes.iter().any(|s| s == SCOPE_SCORE) {
            tracing::info!(
                registration = l.registration,
                "the AGS claim does not grant the score scope: no grades go back"
            );
        } else if lineitem_url.is_none() && lineitems_url.is_none() {
            tracing::info!(
                registration = l.registration,
                "the AGS claim names neither a line item nor a container: no grades go back"
            );
        } else {
            out.push(NewTarget {
                lineitem_url,
                lineitems_url,
                scopes,
                ..base.clone()
            });
        }
    }
    if l.version == "1.1"
        && let (Some(url), Some(sourcedid)) = (
            text(s, "lisOutcomeServiceUrl"),
            text(s, "lisResultSourcedid"),
        )
    {
        out.push(NewTarget {
            protocol: Protocol::Lti11,
            outcome_url: Some(url),
            sourcedid: Some(sourcedid),
            ..base
        });
    }
    out
}

/// Upserts the launch's targets and enqueues what each must report now. Runs in the
/// launch transaction, after any projection of a new registration.
pub async fn launched(
    conn: &impl ConnectionTrait,
    l: &LaunchedAu<'_>,
    max_age: Duration,
) -> Result<(), Error> {
    let wanted = targets(l);
    if wanted.is_empty() {
        return Ok(());
    }
    let at_us = l.at.as_microsecond();
    let standing = load_progress(conn, l.registration).await?.remove(l.au_id);
    let never_attempted = standing
        .as_ref()
        .is_none_or(|s| !s.attempted && !s.satisfied);
    for target in &wanted {
        let (id, created) = store::upsert_target(conn, target, at_us).await?;
        let payload = match (target.protocol, &standing) {
            (Protocol::Ags, _) if never_attempted => {
                Some(score::ags_payload(&score::initialized()))
            }
            (Protocol::Ags, Some(s)) if created => {
                Some(score::ags_payload(&score::ags_state(s, None)))
            }
            (Protocol::Lti11, Some(s)) if created => score::outcome_11(s).map(score::lti11_payload),
            _ => None,
        };
        if let Some(payload) = payload {
            store::enqueue(
                conn,
                id,
                payload,
                at_us,
                store::due_us(target.protocol, at_us),
                at_us + max_age.as_micros() as i64,
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn launched<'a>(version: &'a str, services: &'a Value) -> LaunchedAu<'a> {
        LaunchedAu {
            registration: "r",
            au_id: "https://x.example/au",
            au_title: "AU",
            version,
            source: "platform:1",
            services,
            user_id: "u-from-actor",
            at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn an_ags_claim_with_the_score_scope_makes_one_ags_target() {
        let services = json!({"resourceLinkId": "l", "userId": "sub-1",
            "ags": {"scope": [SCOPE_SCORE], "lineitems": "https://lms/li"}});
        let list = targets(&launched("1.3", &services));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].protocol, Protocol::Ags);
        assert_eq!(list[0].user_id, "sub-1");
        assert_eq!(list[0].lineitem_url, None);
        assert_eq!(list[0].lineitems_url.as_deref(), Some("https://lms/li"));
    }

    #[test]
    fn no_score_scope_or_no_ags_claim_makes_no_target() {
        let read_only = json!({"ags": {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"],
            "lineitem": "https://lms/li/1"}});
        assert!(targets(&launched("1.3", &read_only)).is_empty());
        assert!(targets(&launched("1.3", &json!({"ags": null}))).is_empty());
    }

    #[test]
    fn lti11_needs_both_outcome_fields_and_falls_back_to_the_actor_s_user_id() {
        let both = json!({"lisOutcomeServiceUrl": "https://lms/out", "lisResultSourcedid": "s"});
        let list = targets(&launched("1.1", &both));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].protocol, Protocol::Lti11);
        assert_eq!(list[0].user_id, "u-from-actor");
        let half = json!({"lisOutcomeServiceUrl": "https://lms/out"});
        assert!(targets(&launched("1.1", &half)).is_empty());
    }
}
