//! An LTI 1.3 launch (`id_token` form post): the state and nonce are single-use, the
//! token is checked against the platform's keys and the LTI rules, and only then does
//! anything happen: a cmi5 launch of the AU the resource link names, or, for the
//! console link, the handoff to the certification console (`console_link`).

use serde_json::{Value, json};

use super::claims::{LaunchClaims, MessageType, Role};
use super::failure::Failure;
use super::id_token::{self, Expectation};
use super::learner_launch::{LtiLaunch, start};
use super::page::Flow;
use super::{console_link, login, platform_keys, platforms};
use crate::db::Db;
use crate::launch::grant::LaunchMode;
use crate::launch::learner::{Learner, LearnerAccount};
use crate::launch::settings::LaunchSettings;
use crate::outbound::Outbound;
use crate::xapi::clock::WriteClock;

/// Clock skew tolerated on `iat` and `exp`.
const LEEWAY_S: i64 = 60;

/// The launch form's fields.
#[derive(Debug, Default, Clone, poem_openapi::Object, serde::Deserialize)]
pub struct LaunchForm {
    pub id_token: Option<String>,
    pub state: Option<String>,
}

/// What to do after a verified launch.
pub enum Next {
    /// Open the AU.
    Redirect(String),
    /// Show the Deep Linking picker.
    DeepLinking(Box<LaunchClaims>, i64),
    /// The console link: the handoff page, or why it is not for this person.
    Console(console_link::Answer),
    /// The learning home link: the page whose link opens `/learn`.
    Learn(String),
}

/// The flow an error page names: the message type the id_token claims. Read before
/// anything is verified, so that a refused Deep Linking request is not called a launch;
/// it only chooses words, and an unreadable token gets neutral ones.
pub fn flow_of(form: &LaunchForm) -> Flow {
    let claimed = form
        .id_token
        .as_deref()
        .and_then(id_token::peek_message_type);
    Flow::of_message_type(claimed.as_deref())
}

pub async fn verify_launch(
    db: &Db,
    http: &Outbound,
    form: &LaunchForm,
) -> Result<(LaunchClaims, entities::lti_platform::Model), Failure> {
    let token = form
        .id_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Failure::new(400, "missing_id_token", "the launch has no id_token"))?;
    let state = form
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Failure::new(400, "missing_state", "the launch has no state"))?;
    let kid = id_token::peek_kid(token)?;
    let (platform_id, nonce, _target) = login::consume_state(db.writer(), state).await?.ok_or_else(|| {
        Failure::new(
            401,
            "invalid_state",
            "this launch's state is unknown, expired or already used; start the launch again from the LMS",
        )
    })?;
    let platform = platforms::find(&db.conn, platform_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                401,
                "not_registered",
                "the platform of this launch is no longer registered",
            )
        })?;
    let jwks = platform_keys::for_kid(db.writer(), http, &platform, &kid).await?;
    let deployments = platforms::deployment_ids(&platform.deployment_ids);
    let claims = id_token::verify(
        token,
        &jwks,
        &Expectation {
            issuer: &platform.issuer,
            client_id: &platform.client_id,
            deployment_ids: &deployments,
            now_s: jiff::Timestamp::now().as_second(),
            leeway_s: LEEWAY_S,
        },
    )?;
    if claims.nonce != nonce {
        return Err(Failure::new(
            401,
            "bad_nonce",
            "the id_token's nonce is not the one issued at login (a replayed or forged launch)",
        ));
    }
    Ok((claims, platform))
}

pub async fn launch(
    db: &Db,
    clock: &WriteClock,
    settings: &LaunchSettings,
    http: &Outbound,
    form: &LaunchForm,
) -> Result<Next, Failure> {
    let (claims, platform) = verify_launch(db, http, form).await?;
    if claims.message_type == MessageType::DeepLinking {
        return Ok(Next::DeepLinking(Box::new(claims), platform.id));
    }
    if console_link::is_console_link(&claims.custom) {
        return console_link::hand_off(db, settings, &claims, &platform)
            .await
            .map(Next::Console);
    }
    if super::learn_link::is_learn_link(&claims.custom) {
        return super::learn_link::hand_off(db, settings, &claims)
            .await
            .map(Next::Learn);
    }
    let au_id = au_of(&claims.custom).ok_or_else(|| {
        Failure::new(
            400,
            "no_module",
            "this link does not say which module to open: an instructor can choose one with \
             Deep Linking, or an administrator can set the custom parameter au=<AU id> \
             (or blackbelt=console for the certification console, blackbelt=learn for the \
             learner's home)",
        )
    })?;
    let learner = Learner {
        account: LearnerAccount {
            home_page: claims.issuer.clone(),
            name: claims.subject.clone(),
        },
        name: claims.name.clone(),
        mbox: claims.email.clone(),
    };
    let attributes =
        crate::certification::learners::attributes::from_lti(&claims.custom, &claims.raw_roles);
    let services = json!({
        "deploymentId": claims.deployment_id,
        "resourceLinkId": claims.resource_link_id,
        "contextId": claims.context_id,
        "contextTitle": claims.context_title,
        "roles": claims.raw_roles,
        "ags": claims.ags,
        "nrps": claims.nrps,
    });
    let url = start(
        db,
        clock,
        settings,
        LtiLaunch {
            learner,
            au_id,
            return_url: claims.return_url.clone(),
            mode: mode_for(&claims.roles),
            version: "1.3",
            source: format!("platform:{}", platform.id),
            services,
            attributes,
        },
    )
    .await?;
    Ok(Next::Redirect(url))
}

/// The AU a resource link launches: the `au` custom parameter (set by Deep Linking).
pub fn au_of(custom: &serde_json::Map<String, Value>) -> Option<String> {
    custom
        .get("au")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Learners take modules for credit; staff look around without being graded.
pub fn mode_for(roles: &[Role]) -> LaunchMode {
    let staff = roles
        .iter()
        .any(|r| matches!(r, Role::Instructor | Role::Administrator));
    let learner = roles.contains(&Role::Learner);
    if staff && !learner {
        LaunchMode::Browse
    } else {
        LaunchMode::Normal
    }
}
