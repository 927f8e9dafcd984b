//! An LTI 1.1 launch (`basic-lti-launch-request`), verified per OAuth 1.0a (RFC 5849):
//! signature over the exact URL and every parameter, timestamp window, single-use
//! nonce; then the same learner mapping and cmi5 launch as LTI 1.3.

use serde_json::json;

use super::consumers;
use super::failure::Failure;
use super::launch13::mode_for;
use super::learner_launch::{LtiLaunch, start};
use super::oauth1::{self, SignedRequest};
use super::roles::roles_11;
use crate::db::Db;
use crate::launch::learner::{Learner, LearnerAccount};
use crate::launch::settings::LaunchSettings;
use crate::xapi::clock::WriteClock;

/// How far a launch's timestamp may be from our clock.
const WINDOW_S: i64 = 300;

pub struct Incoming<'a> {
    /// Path and query as received, e.g. `/lti/11/launch?tenant=a`.
    pub path_and_query: &'a str,
    pub body: &'a [u8],
    pub authorization: Option<&'a str>,
}

pub async fn launch(
    db: &Db,
    clock: &WriteClock,
    settings: &LaunchSettings,
    incoming: &Incoming<'_>,
) -> Result<String, Failure> {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(incoming.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let key = get("oauth_consumer_key")
        .or_else(|| header_param(incoming.authorization, "oauth_consumer_key"))
        .ok_or_else(|| {
            Failure::new(
                401,
                "missing_consumer_key",
                "the launch has no oauth_consumer_key",
            )
        })?
        .to_owned();
    let secret = consumers::secret_of(db, &key).await?.ok_or_else(|| {
        Failure::new(401, "unknown_consumer", format!("consumer key {key:?} is not registered; create one with `blackbelt lti consumers add`"))
    })?;
    let url = format!("{}{}", settings.public_url, incoming.path_and_query);
    let verified = oauth1::verify(
        &SignedRequest {
            method: "POST",
            url: &url,
            form: &form,
            authorization: incoming.authorization,
        },
        &secret,
    )
    .map_err(|e| {
        Failure::new(
            401,
            "bad_signature",
            format!("OAuth 1.0a check failed: {e}"),
        )
    })?;
    let now = jiff::Timestamp::now().as_second();
    if (verified.timestamp - now).abs() > WINDOW_S {
        return Err(Failure::new(
            401,
            "stale_timestamp",
            format!(
                "oauth_timestamp is more than {WINDOW_S} s from this server's clock; check both clocks"
            ),
        ));
    }
    let expires_us = (now + 2 * WINDOW_S) * 1_000_000;
    if !consumers::first_use(
        db.writer(),
        &format!("consumer:{key}"),
        &verified.nonce,
        expires_us,
    )
    .await?
    {
        return Err(Failure::new(
            401,
            "replayed_nonce",
            "this launch was already used (its oauth_nonce was seen before)",
        ));
    }
    if get("lti_message_type") != Some("basic-lti-launch-request") {
        return Err(Failure::new(
            400,
            "wrong_message_type",
            "lti_message_type must be basic-lti-launch-request",
        ));
    }
    if !matches!(get("lti_version"), Some("LTI-1p0" | "LTI-1p2")) {
        return Err(Failure::new(
            400,
            "wrong_version",
            "lti_version must be LTI-1p0",
        ));
    }
    let resource_link = get("resource_link_id").ok_or_else(|| {
        Failure::new(
            400,
            "missing_resource_link_id",
            "the launch has no resource_link_id",
        )
    })?;
    let user_id = get("user_id").ok_or_else(|| {
        Failure::new(
            400,
            "missing_user_id",
            "the launch has no user_id (anonymous launches cannot be tracked)",
        )
    })?;
    let au_id = get("custom_au").ok_or_else(|| {
        Failure::new(400, "no_module", "this link does not say which module to open: set the custom parameter au=<AU id> in the LMS")
    })?;
    let roles = roles_11(get("roles").unwrap_or_default());
    let custom: serde_json::Map<String, serde_json::Value> = ["audience", "org_unit", "role"]
        .into_iter()
        .filter_map(|n| Some((n.to_owned(), json!(get(&format!("custom_{n}"))?))))
        .collect();
    let raw_roles: Vec<String> = get("roles")
        .unwrap_or_default()
        .split(',')
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    let attributes = crate::certification::learners::attributes::from_lti(&custom, &raw_roles);
    let services = json!({
        "resourceLinkId": resource_link,
        "contextId": get("context_id"),
        "roles": get("roles"),
        "lisOutcomeServiceUrl": get("lis_outcome_service_url"),
        "lisResultSourcedid": get("lis_result_sourcedid"),
    });
    let learner = Learner {
        account: LearnerAccount {
            home_page: format!("{}/lti/11/consumers/{key}", settings.public_url),
            name: user_id.to_owned(),
        },
        name: get("lis_person_name_full").map(str::to_owned),
        mbox: get("lis_person_contact_email_primary").map(str::to_owned),
    };
    start(
        db,
        clock,
        settings,
        LtiLaunch {
            learner,
            au_id: au_id.to_owned(),
            return_url: get("launch_presentation_return_url").map(str::to_owned),
            mode: mode_for(&roles),
            version: "1.1",
            source: format!("consumer:{key}"),
            services,
            attributes,
        },
    )
    .await
}

/// One parameter of an `Authorization: OAuth …` header, unquoted (enough to find the
/// consumer; the signature check parses the header fully).
fn header_param<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    let rest = header?.trim().strip_prefix("OAuth")?;
    rest.split(',').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"'))
    })
}
