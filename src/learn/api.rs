//! The AU runtime's API for the learner (contract §4–§5 of issue 20), authenticated by
//! the AU's own launch token (HTTP Basic, cmi5 §8.2): the company variables, the
//! learner's belt summary, and a single-use code that opens their home.

use std::collections::BTreeMap;
use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::EntityTrait;

use super::access::{self, LearnerRef};
use super::company_store;
use super::summary::{self, Summary};
use crate::auth::BasicAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::launch::grant::LaunchGrant;
use crate::openapi::ApiTags;
use entities::registration;

pub struct LearnApi {
    pub db: Db,
    /// `[company]` of the configuration, checked at start-up.
    pub company: Arc<BTreeMap<String, String>>,
    /// The server's public URL (no trailing slash): links are absolute, since AUs may
    /// be served from another origin.
    pub public_url: String,
}

/// The company variables in force (the console's, else the configuration's). A
/// variable set nowhere is absent: the AU keeps its own default text.
#[derive(Debug, Clone, Default, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CompanyVariables {
    /// The company's name.
    pub company_name: Option<String>,
    /// The social media policy's address (http or https).
    pub policy_url: Option<String>,
    /// The Center of Excellence team's name.
    pub coe_name: Option<String>,
    /// How to reach the Center of Excellence: an email address or an http(s) URL.
    pub coe_contact: Option<String>,
    /// Where to report a crisis or a complaint: an email address or an http(s) URL.
    pub escalation_contact: Option<String>,
    /// The company's logo (http or https).
    pub logo_url: Option<String>,
}

impl CompanyVariables {
    pub fn from_map(values: &BTreeMap<String, String>) -> CompanyVariables {
        let get = |name: &str| values.get(name).cloned();
        CompanyVariables {
            company_name: get("company_name"),
            policy_url: get("policy_url"),
            coe_name: get("coe_name"),
            coe_contact: get("coe_contact"),
            escalation_contact: get("escalation_contact"),
            logo_url: get("logo_url"),
        }
    }
}

/// A belt the learner holds or held.
#[derive(Debug, Clone, Object)]
pub struct BeltHeld {
    /// The belt's id in its program (`white`).
    pub id: String,
    /// Its name (`White Belt`).
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// `held` or `expired` (revoked belts are not listed).
    pub state: String,
}

/// A belt, named.
#[derive(Debug, Clone, Object)]
pub struct BeltName {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// The belt to work toward: the lowest one the learner does not hold that is for
/// their audience.
#[derive(Debug, Clone, Object)]
pub struct NextBeltView {
    pub belt: BeltName,
    /// Top-level requirements met.
    pub met: u32,
    /// Top-level requirements the belt needs.
    pub total: u32,
    /// What is still open, one sentence each.
    pub open: Vec<String>,
}

/// The module to take next.
#[derive(Debug, Clone, Object)]
pub struct NextModuleView {
    /// The AU's title.
    pub title: String,
    /// The learner's home, where it is launched (`/learn`; open it through `handoff`).
    pub url: String,
}

/// The learner's standing (contract §5).
#[derive(Debug, Clone, Object)]
pub struct LearnSummary {
    /// Belts held or lapsed, in tier order.
    pub belts: Vec<BeltHeld>,
    /// `null` when every belt for the learner is held (or there is no program).
    pub next: Option<NextBeltView>,
    /// The first AU of the learner's catalog not yet done that counts toward `next`;
    /// `null` when none does.
    pub next_module: Option<NextModuleView>,
    /// The learner's home page (absolute). It needs a home session: open it through
    /// `handoff`.
    pub home: String,
    /// `POST` here with the same launch token for a single-use URL that opens `home`
    /// signed in.
    pub handoff: String,
}

/// A single-use way into the learner's home.
#[derive(Debug, Clone, Object)]
pub struct HomeHandoff {
    /// Open this (a top-level navigation or a new window): it works once, for two
    /// minutes, and sets the home's session cookie.
    pub url: String,
    /// RFC 3339: when `url` stops working.
    pub expires_at: String,
}

#[derive(ApiResponse)]
pub enum HandoffResponse {
    /// The code was made.
    #[oai(status = 201)]
    Created(Json<HomeHandoff>),
}

/// The launch behind a token; any other credential is refused.
fn grant(auth: &BasicAuth) -> Result<&LaunchGrant, Error> {
    LaunchGrant::of(auth).ok_or_else(|| {
        Error::ForbiddenBecause(
            "/api/learn/* takes an AU's launch token (the auth-token of its cmi5 launch)".into(),
        )
    })
}

#[OpenApi(prefix_path = "/api/learn", tag = "ApiTags::Learn")]
impl LearnApi {
    /// The company variables an AU shows in place of its defaults (contract §4): the
    /// console's, else the configuration's; absent when set nowhere.
    #[oai(path = "/settings", method = "get", operation_id = "getLearnSettings")]
    async fn settings(&self, auth: BasicAuth) -> ApiResult<Json<CompanyVariables>> {
        grant(&auth)?;
        let values = company_store::in_force(&self.db.conn, &self.company).await?;
        Ok(Json(CompanyVariables::from_map(&values)))
    }

    /// The learner's belts, the next belt with what is met and open, and the next
    /// module (contract §5). Read after the AU's statements are stored, so the AU just
    /// passed already counts.
    #[oai(path = "/summary", method = "get", operation_id = "getLearnSummary")]
    async fn summary(&self, auth: BasicAuth) -> ApiResult<Json<LearnSummary>> {
        let grant = grant(&auth)?;
        let now = jiff::Timestamp::now().as_microsecond();
        let summary = summary::summarise(&self.db.conn, &grant.actor_key, now).await?;
        Ok(Json(self.view(summary)))
    }

    /// A single-use URL (two minutes) that opens the learner's home with a session of
    /// its own: no password, and no long-lived secret in the URL.
    #[oai(
        path = "/handoff",
        method = "post",
        operation_id = "createLearnHandoff"
    )]
    async fn handoff(&self, auth: BasicAuth) -> ApiResult<HandoffResponse> {
        let grant = grant(&auth)?;
        let email = registration::Entity::find_by_id(grant.registration.clone())
            .one(&self.db.conn)
            .await
            .map_err(Error::from)?
            .and_then(|r| r.email);
        let who = LearnerRef {
            learner_key: grant.actor_key.clone(),
            actor: grant.actor.clone(),
            email,
        };
        let now = jiff::Timestamp::now().as_microsecond();
        let code = {
            let _gate = self.db.write_gate().await;
            access::issue(self.db.writer(), &who, now).await?
        };
        let expires = jiff::Timestamp::from_microsecond(now + access::HANDOFF_US)
            .map(|t| t.to_string())
            .unwrap_or_default();
        Ok(HandoffResponse::Created(Json(HomeHandoff {
            url: format!("{}{}", self.public_url, access::enter_path(&code)),
            expires_at: expires,
        })))
    }
}

impl LearnApi {
    fn view(&self, summary: Summary) -> LearnSummary {
        let home = format!("{}/learn", self.public_url);
        LearnSummary {
            belts: summary
                .belts
                .into_iter()
                .map(|b| BeltHeld {
                    id: b.id,
                    name: b.name,
                    colour: b.colour,
                    state: b.state.to_owned(),
                })
                .collect(),
            next: summary.next.map(|n| NextBeltView {
                belt: BeltName {
                    id: n.id,
                    name: n.name,
                    colour: n.colour,
                },
                met: n.met as u32,
                total: n.total as u32,
                open: n.open,
            }),
            next_module: summary.next_module.map(|m| NextModuleView {
                title: m.title,
                url: home.clone(),
            }),
            handoff: format!("{}/api/learn/handoff", self.public_url),
            home,
        }
    }
}
