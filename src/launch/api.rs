//! The launch API: `POST /api/launches` (admin; LTI calls the same service), the
//! cmi5 fetch URL, and progress reads.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde_json::Value;

use super::admin::{self, Waive};
use super::fetch::fetch_token;
use super::grant::LaunchMode;
use super::learner::{Learner, LearnerAccount};
use super::report::{self, RegistrationProgress};
use super::service::{NewLaunch, launch};
use super::settings::LaunchSettings;
use crate::auth::AdminAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;
use crate::xapi::clock::WriteClock;
use crate::xapi::statements::index::agent_key;

pub struct LaunchApi {
    pub db: Db,
    pub clock: WriteClock,
    pub settings: LaunchSettings,
}

#[derive(Debug, Clone, Copy, Enum)]
pub enum LaunchModeParam {
    Normal,
    Browse,
    Review,
}

/// A launch request.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct LaunchRequest {
    pub learner: Learner,
    /// The AU's id (IRI) from the catalog: the publisher's id in cmi5.xml. The launch
    /// URL's `activityId` is the LMS's own id for it (cmi5 §8.1.5).
    pub au_id: String,
    /// The course, when the AU id alone is ambiguous.
    pub course_id: Option<String>,
    /// A registration to launch in (cmi5 §9.6.1): reused when it is this learner's for
    /// the course, created with this id when the learner has none; else 409
    /// `registration_conflict`. Omitted: the learner's registration, or a new one.
    pub registration: Option<String>,
    /// Where the AU sends the learner when they exit (cmi5 `returnURL`).
    pub return_url: Option<String>,
    /// cmi5 launch mode; `Normal` unless given.
    pub launch_mode: Option<LaunchModeParam>,
}

/// A created launch: open `launchUrl` in the learner's browser.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct LaunchCreated {
    pub launch_url: String,
    pub registration: String,
    pub session_id: String,
    pub course_id: String,
    pub au_id: String,
    pub package_version: i32,
    /// RFC 3339; the auth token stops working then.
    pub expires_at: String,
}

/// A waive request (cmi5 §9.3.7).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct WaiveRequest {
    /// The AU's publisher id (cmi5.xml), as the catalog and progress show it.
    pub au_id: String,
    /// Why (cmi5 §9.5.5.2): `Tested Out`, `Equivalent AU`, `Equivalent Outside Activity`
    /// or `Administrative`.
    pub reason: String,
}

/// An abandoned session (cmi5 §9.3.6).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct SessionAbandoned {
    pub session_id: String,
    pub registration: String,
    /// The AU's publisher id.
    pub au_id: String,
    /// Always `abandoned`.
    pub status: String,
}

#[derive(ApiResponse)]
pub enum LaunchResponse {
    #[oai(status = 201)]
    Created(Json<LaunchCreated>),
}

#[OpenApi(prefix_path = "/api", tag = "ApiTags::Launch")]
impl LaunchApi {
    /// Launches an AU for a learner: the registration (one per learner and course,
    /// reused), a new session, LMS.LaunchData and `launched` (and `abandoned` for a
    /// session left open) are stored before the URL is returned.
    #[oai(path = "/launches", method = "post", operation_id = "createLaunch")]
    async fn create(
        &self,
        _admin: AdminAuth,
        body: Json<LaunchRequest>,
    ) -> ApiResult<LaunchResponse> {
        let body = body.0;
        let registration = body
            .registration
            .as_deref()
            .map(|r| {
                uuid::Uuid::try_parse(r).map_err(|_| {
                    Error::BadRequest(format!("registration must be a UUID, got {r:?}"))
                })
            })
            .transpose()?;
        let launched = launch(
            &self.db,
            &self.clock,
            &self.settings,
            NewLaunch {
                learner: body.learner,
                au_id: body.au_id,
                course_id: body.course_id,
                registration,
                return_url: body.return_url,
                launch_mode: match body.launch_mode.unwrap_or(LaunchModeParam::Normal) {
                    LaunchModeParam::Normal => LaunchMode::Normal,
                    LaunchModeParam::Browse => LaunchMode::Browse,
                    LaunchModeParam::Review => LaunchMode::Review,
                },
                lti: None,
            },
        )
        .await?;
        Ok(LaunchResponse::Created(Json(LaunchCreated {
            launch_url: launched.launch_url,
            registration: launched.registration,
            session_id: launched.session_id,
            course_id: launched.course_id,
            au_id: launched.au_id,
            package_version: launched.package_version,
            expires_at: jiff::Timestamp::from_microsecond(launched.expires_us)
                .map(|t| t.to_string())
                .unwrap_or_default(),
        })))
    }

    /// The cmi5 fetch URL: the first POST returns `{"auth-token": …}` (HTTP Basic
    /// credentials for this session); later calls return `{"error-code": "1", …}`.
    #[oai(
        path = "/launches/:session_id/token",
        method = "post",
        operation_id = "fetchAuthToken"
    )]
    async fn fetch(
        &self,
        session_id: Path<String>,
        code: Query<Option<String>>,
    ) -> ApiResult<Json<Value>> {
        let code = code.0.unwrap_or_default();
        Ok(Json(fetch_token(&self.db, &session_id.0, &code).await?))
    }

    /// Waives an AU of a registration (cmi5 §9.3.7): stores the LMS's `waived`
    /// statement and the `satisfied` statements that follow (blocks, course) in one
    /// transaction, and answers the registration's progress. 404 for an unknown
    /// registration or AU, 409 when the AU is already satisfied or waived.
    #[oai(
        path = "/registrations/:registration/waive",
        method = "post",
        operation_id = "waiveAu"
    )]
    async fn waive(
        &self,
        _admin: AdminAuth,
        registration: Path<String>,
        body: Json<WaiveRequest>,
    ) -> ApiResult<Json<RegistrationProgress>> {
        let request = Waive {
            registration: registration.0,
            au_id: body.0.au_id,
            reason: body.0.reason,
        };
        Ok(Json(
            admin::waive(&self.db, &self.clock, &self.settings, request).await?,
        ))
    }

    /// Abandons an open launch session (cmi5 §9.3.6): stores `abandoned` for it, and
    /// its auth token stops working (the AU's later requests get 403). 404 for an
    /// unknown session, 409 when it is already terminated or abandoned.
    #[oai(
        path = "/sessions/:session_id/abandon",
        method = "post",
        operation_id = "abandonSession"
    )]
    async fn abandon(
        &self,
        _admin: AdminAuth,
        session_id: Path<String>,
    ) -> ApiResult<Json<SessionAbandoned>> {
        let done =
            admin::abandon_session(&self.db, &self.clock, &self.settings, &session_id.0).await?;
        Ok(Json(SessionAbandoned {
            session_id: done.session_id,
            registration: done.registration,
            au_id: done.au_id,
            status: "abandoned".into(),
        }))
    }

    /// A registration's progress: per AU and for the course.
    #[oai(
        path = "/registrations/:registration/progress",
        method = "get",
        operation_id = "getRegistrationProgress"
    )]
    async fn registration_progress(
        &self,
        _admin: AdminAuth,
        registration: Path<String>,
    ) -> ApiResult<Json<RegistrationProgress>> {
        Ok(Json(
            report::for_registration(&self.db.conn, &registration.0).await?,
        ))
    }

    /// Every registration of one learner, with progress.
    #[oai(
        path = "/learners/progress",
        method = "get",
        operation_id = "getLearnerProgress"
    )]
    async fn learner_progress(
        &self,
        _admin: AdminAuth,
        /// The learner's account homePage.
        #[oai(name = "homePage")]
        home_page: Query<String>,
        /// The learner's account name.
        name: Query<String>,
    ) -> ApiResult<Json<Vec<RegistrationProgress>>> {
        let learner = Learner {
            account: LearnerAccount {
                home_page: home_page.0,
                name: name.0,
            },
            name: None,
            mbox: None,
        };
        let actor = learner.actor()?;
        let key = agent_key(&actor).ok_or_else(|| Error::BadRequest("unusable account".into()))?;
        Ok(Json(report::for_learner(&self.db.conn, &key).await?))
    }
}
