//! The one OpenAPI document: every capability's API combined, plus its tags.

use poem_openapi::{OpenApiService, Tags};

use crate::badges::api::admin_api::AdminApi as BadgesAdminApi;
use crate::badges::api::learner_api::LearnerApi as BadgesLearnerApi;
use crate::badges::api::public_api::PublicApi as BadgesPublicApi;
use crate::certification::api::awards_api::AwardsApi;
use crate::certification::api::belts_api::BeltsApi;
use crate::certification::api::evidence_api::EvidenceApi;
use crate::certification::program::api::ProgramApi;
use crate::launch::api::LaunchApi;
use crate::learn::api::LearnApi;
use crate::lti::api::LtiApi;
use crate::ops::api::OpsApi;
use crate::packages::catalog_api::PackagesApi;
use crate::passback::api::PassbackApi;
use crate::roster::api::RosterApi;
use crate::survey::api::SurveyApi;
use crate::xapi::about::AboutApi;
use crate::xapi::definitions::api::DefinitionsApi;
use crate::xapi::documents::activity_profile_api::ActivityProfileApi;
use crate::xapi::documents::agent_profile_api::AgentProfileApi;
use crate::xapi::documents::state_api::StateApi;
use crate::xapi::statements::api::StatementsApi;

#[derive(Tags)]
pub enum ApiTags {
    /// xAPI: about and version negotiation.
    Xapi,
    /// xAPI Statements resource.
    Statements,
    /// xAPI document resources: State, Activity Profile, Agent Profile.
    Documents,
    /// xAPI Activities and Agents resources.
    Definitions,
    /// Learning content: package import and the course catalog.
    Content,
    /// cmi5 launches, the fetch URL, and learners' progress.
    Launch,
    /// LTI 1.3 and 1.1: login, launch, Deep Linking, platform registrations.
    Lti,
    /// Health, readiness and metrics.
    Ops,
    /// Progress sent back to LMSs: the outbox of AGS scores and LTI 1.1 outcomes.
    Passback,
    /// Certification: the program (belts, requirements, versions), awards, evidence and
    /// its review, the audit log.
    Certification,
    /// Belts as Open Badges 3.0 credentials: the public issuer, keys, achievements,
    /// credentials (JSON with a Data Integrity proof, or VC-JWT) and status lists; a
    /// learner's own credentials; key rotation and re-issue for administrators.
    Badges,
    /// The learner's side, for AUs with their launch token: company variables, belt
    /// progress and the next module, and the way into the learner's home (`/learn`).
    Learn,
    /// Anonymous surveys: a launched survey AU's one response, and the aggregate results.
    Surveys,
}

pub type Apis = (
    AboutApi,
    StatementsApi,
    StateApi,
    ActivityProfileApi,
    AgentProfileApi,
    DefinitionsApi,
    PackagesApi,
    LaunchApi,
    LtiApi,
    OpsApi,
    PassbackApi,
    RosterApi,
    CertificationApis,
    BadgesApis,
    LearnApi,
    SurveyApi,
);

/// The certification engine's APIs (poem-openapi combines at most 16 per tuple).
pub type CertificationApis = (ProgramApi, BeltsApi, AwardsApi, EvidenceApi);

/// The Open Badges APIs: public resources, a learner's own, administrators'.
pub type BadgesApis = (BadgesPublicApi, BadgesLearnerApi, BadgesAdminApi);

/// Wraps the APIs in a service that also renders the document and the docs UI.
pub fn service(apis: Apis) -> OpenApiService<Apis, ()> {
    OpenApiService::new(apis, "Black Belt", env!("CARGO_PKG_VERSION"))
        .description(
            "xAPI Learning Record Store (1.0.3 and 2.0), cmi5 content host and LTI tool provider \
             (1.3 and 1.1, with AGS scores, Basic Outcomes and NRPS rosters) and certification \
             engine for tiered social-media programs: belts defined as data, earned from \
             statements, reviewed, expiring and renewable, and issued as Open Badges 3.0 \
             credentials (VC-JWT and Data Integrity proofs, revocation status lists, baked \
             SVG images, a public verification page at /verify/{id}).",
        )
        .server("/")
}
