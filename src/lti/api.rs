//! LTI endpoints: the tool's JWKS, OIDC login, launch, and the admin API for platform
//! registrations.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Form, Html, Json};
use poem_openapi::{ApiResponse, OpenApi};
use serde_json::Value;

use super::consumers::{self, Consumer, NewConsumer};
use super::failure::Failure;
use super::form_body::RawForm;
use super::launch11::{self, Incoming};
use super::launch13::{self, LaunchForm, Next};
use super::login::{self, LoginParams};
use super::page::Flow;
use super::platforms::{self, NewPlatform, Platform};
use super::registration_links::{self, NewRegistrationLink, RegistrationLink};
use super::{console_link, deep_linking, dynamic_registration, keys};
use crate::auth::AdminAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error, ErrorBody};
use crate::launch::settings::LaunchSettings;
use crate::openapi::ApiTags;
use crate::outbound::Outbound;
use crate::xapi::clock::WriteClock;

pub struct LtiApi {
    pub db: Db,
    pub clock: WriteClock,
    pub settings: LaunchSettings,
    /// The one outbound client (address policy, size cap, timeouts).
    pub http: Outbound,
    /// Dynamic registrations are active at once instead of pending approval.
    pub auto_approve: bool,
}

/// What a browser gets from an LTI endpoint: a redirect, a page, or an error page.
#[derive(ApiResponse)]
pub enum BrowserResponse {
    /// Go on to the platform (login) or to the module (launch).
    #[oai(status = 302)]
    Redirect(
        #[oai(header = "Location")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// A page: the Deep Linking picker, a form that posts back to the platform, or the
    /// console link's page whose button opens the certification console in a new window.
    #[oai(status = 200)]
    Page(Html<String>, #[oai(header = "Cache-Control")] String),
    /// The request is malformed or names nothing registered.
    #[oai(status = 400)]
    BadRequest(Html<String>),
    /// The launch failed verification (signature, claims, state, nonce).
    #[oai(status = 401)]
    Unauthorized(Html<String>),
    /// Dynamic Registration: no usable registration link (missing, invalid, used or
    /// expired), nothing was fetched. Login: the platform is registered but pending
    /// approval (`pending_approval`; the page names the approve command). Launch: the
    /// console link was opened by someone who is not an instructor or manager of the
    /// course (nothing was opened).
    #[oai(status = 403)]
    Forbidden(Html<String>),
    /// Too many requests from this client address (`lti_rate_limit_*`); answered by
    /// the throttle in front of these endpoints.
    #[oai(status = 429)]
    TooManyRequests(Html<String>, #[oai(header = "Retry-After")] u64),
    /// The module named does not exist.
    #[oai(status = 404)]
    NotFound(Html<String>),
    /// The module's course is retired (`blackbelt packages restore` brings it back).
    #[oai(status = 409)]
    Conflict(Html<String>),
    /// The method is not one this endpoint has; `Allow` lists those it has.
    #[oai(status = 405)]
    MethodNotAllowed(Json<ErrorBody>, #[oai(header = "Allow")] String),
    /// The form did not arrive within `body_read_timeout_secs`.
    #[oai(status = 408)]
    RequestTimeout(Json<ErrorBody>),
    /// The form is over `max_small_body_bytes`; refused before it was read.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The body is not `application/x-www-form-urlencoded`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// The platform's keys could not be fetched.
    #[oai(status = 502)]
    BadGateway(Html<String>),
    /// Something failed on our side.
    #[oai(status = 500)]
    Internal(Html<String>),
    /// The server is at a limit (request bodies in memory); retry after `Retry-After`.
    #[oai(status = 503)]
    ServiceUnavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] String),
}

impl BrowserResponse {
    /// The error page for a refusal in `flow`: its title names the flow that failed.
    fn failed(flow: Flow, f: Failure) -> Self {
        tracing::info!(code = f.code, message = %f.message, ?flow, "LTI request refused");
        let html = super::page::error_html(flow, f.code, &f.message);
        match f.status {
            401 => BrowserResponse::Unauthorized(Html(html)),
            403 => BrowserResponse::Forbidden(Html(html)),
            404 => BrowserResponse::NotFound(Html(html)),
            409 => BrowserResponse::Conflict(Html(html)),
            502 => BrowserResponse::BadGateway(Html(html)),
            500 => BrowserResponse::Internal(Html(html)),
            _ => BrowserResponse::BadRequest(Html(html)),
        }
    }
}

fn redirect(url: String) -> BrowserResponse {
    BrowserResponse::Redirect(url, "no-store".into())
}

#[derive(ApiResponse)]
pub enum PlatformCreated {
    #[oai(status = 201)]
    Created(Json<Platform>),
}

#[derive(ApiResponse)]
pub enum LinkCreated {
    /// The link; its URL holds the secret and is shown only now.
    #[oai(status = 201)]
    Created(Json<RegistrationLink>),
}

#[derive(ApiResponse)]
pub enum ConsumerCreated {
    #[oai(status = 201)]
    Created(Json<NewConsumer>),
}

/// A new LTI 1.1 consumer.
#[derive(Debug, Clone, poem_openapi::Object)]
pub struct ConsumerRequest {
    /// A name for people, e.g. "Cornerstone (production)".
    pub name: String,
    /// The LMS origin (`https://lms.example.com`: scheme, host, optional port), allowed
    /// from now on to frame the modules; without it, only `frame_ancestors` does.
    pub origin: Option<String>,
}

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(tag = "ApiTags::Lti")]
impl LtiApi {
    /// The tool's public signing keys (JWKS), for platforms to verify our messages.
    #[oai(path = "/lti/jwks", method = "get", operation_id = "ltiJwks")]
    async fn jwks(&self) -> ApiResult<Json<Value>> {
        Ok(Json(keys::jwks(&self.db).await?))
    }

    /// OIDC login initiation (LTI 1.3), by GET.
    #[oai(path = "/lti/login", method = "get", operation_id = "ltiLoginGet")]
    async fn login_get(
        &self,
        iss: Query<Option<String>>,
        login_hint: Query<Option<String>>,
        target_link_uri: Query<Option<String>>,
        lti_message_hint: Query<Option<String>>,
        client_id: Query<Option<String>>,
        lti_deployment_id: Query<Option<String>>,
    ) -> BrowserResponse {
        let params = LoginParams {
            iss: iss.0,
            login_hint: login_hint.0,
            target_link_uri: target_link_uri.0,
            lti_message_hint: lti_message_hint.0,
            client_id: client_id.0,
            lti_deployment_id: lti_deployment_id.0,
        };
        self.login(&params).await
    }

    /// OIDC login initiation (LTI 1.3), by form POST.
    #[oai(path = "/lti/login", method = "post", operation_id = "ltiLoginPost")]
    async fn login_post(&self, form: Form<LoginParams>) -> BrowserResponse {
        self.login(&form.0).await
    }

    /// The LTI 1.3 launch: the platform's form post with `id_token` and `state`.
    #[oai(path = "/lti/launch", method = "post", operation_id = "ltiLaunch")]
    async fn launch(&self, form: Form<LaunchForm>) -> BrowserResponse {
        let flow = launch13::flow_of(&form.0);
        match launch13::launch(&self.db, &self.clock, &self.settings, &self.http, &form.0).await {
            Ok(Next::Redirect(url)) => redirect(url),
            Ok(Next::Console(console_link::Answer::Handoff(html))) => {
                BrowserResponse::Page(Html(html), "no-store".into())
            }
            Ok(Next::Console(console_link::Answer::NotForLearners(html))) => {
                BrowserResponse::Forbidden(Html(html))
            }
            Ok(Next::Learn(html)) => BrowserResponse::Page(Html(html), "no-store".into()),
            Ok(Next::DeepLinking(claims, platform_id)) => {
                match deep_linking::picker(&self.db, &self.settings, &claims, platform_id).await {
                    Ok(html) => BrowserResponse::Page(Html(html), "no-store".into()),
                    Err(f) => BrowserResponse::failed(Flow::DeepLinking, f),
                }
            }
            Err(f) => BrowserResponse::failed(flow, f),
        }
    }

    /// Deep Linking: the instructor's choice, returned to the platform as a signed
    /// `LtiDeepLinkingResponse`.
    #[oai(
        path = "/lti/deep-linking",
        method = "post",
        operation_id = "ltiDeepLinkingChoice"
    )]
    async fn deep_linking_choice(&self, form: Form<deep_linking::Choice>) -> BrowserResponse {
        match deep_linking::respond(&self.db, &self.settings, &form.0).await {
            Ok(html) => BrowserResponse::Page(Html(html), "no-store".into()),
            Err(f) => BrowserResponse::failed(Flow::DeepLinking, f),
        }
    }

    /// The LTI 1.1 launch: a `basic-lti-launch-request` signed with OAuth 1.0a.
    #[oai(path = "/lti/11/launch", method = "post", operation_id = "lti11Launch")]
    async fn launch_11(&self, req: &poem::Request, body: RawForm) -> BrowserResponse {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| req.uri().path().to_owned());
        let incoming = Incoming {
            path_and_query: &path_and_query,
            body: &body.0,
            authorization: req.header("Authorization"),
        };
        match launch11::launch(&self.db, &self.clock, &self.settings, &incoming).await {
            Ok(url) => redirect(url),
            Err(f) => BrowserResponse::failed(Flow::Lti11Launch, f),
        }
    }

    /// LTI 1.1 consumers (never their secrets).
    #[oai(
        path = "/api/lti/consumers",
        method = "get",
        operation_id = "listLtiConsumers"
    )]
    async fn list_consumers(&self, _admin: AdminAuth) -> ApiResult<Json<Vec<Consumer>>> {
        Ok(Json(consumers::list(&self.db.conn).await?))
    }

    /// Creates an LTI 1.1 consumer key and secret (the secret is shown only here).
    #[oai(
        path = "/api/lti/consumers",
        method = "post",
        operation_id = "addLtiConsumer"
    )]
    async fn add_consumer(
        &self,
        _admin: AdminAuth,
        body: Json<ConsumerRequest>,
    ) -> ApiResult<ConsumerCreated> {
        let created = consumers::create(
            &self.db,
            &body.0.name,
            body.0.origin.as_deref(),
            &self.settings.public_url,
        )
        .await?;
        Ok(ConsumerCreated::Created(Json(created)))
    }

    /// Removes an LTI 1.1 consumer; its launches stop working at once.
    #[oai(
        path = "/api/lti/consumers/:key",
        method = "delete",
        operation_id = "removeLtiConsumer"
    )]
    async fn remove_consumer(&self, _admin: AdminAuth, key: Path<String>) -> ApiResult<Done> {
        if !consumers::remove(self.db.writer(), &key.0).await? {
            return Err(Error::NotFound(format!("no LTI 1.1 consumer {}", key.0)).into());
        }
        Ok(Done::NoContent)
    }

    /// Makes a one-time Dynamic Registration link to give an LMS as the tool's
    /// registration URL.
    #[oai(
        path = "/api/lti/registration-links",
        method = "post",
        operation_id = "addLtiRegistrationLink"
    )]
    async fn add_registration_link(
        &self,
        _admin: AdminAuth,
        body: Json<NewRegistrationLink>,
    ) -> ApiResult<LinkCreated> {
        let link = registration_links::create(self.db.writer(), &self.settings.public_url, &body.0)
            .await?;
        Ok(LinkCreated::Created(Json(link)))
    }

    /// LTI Dynamic Registration: the platform opens a registration link with its
    /// configuration URL and a registration token; we register and show the outcome,
    /// whose Close button sends `org.imsglobal.lti.close`. Without a usable link nothing
    /// is fetched (403).
    #[oai(
        path = "/lti/register",
        method = "get",
        operation_id = "ltiDynamicRegistration"
    )]
    async fn dynamic_registration(
        &self,
        /// The registration link's token, from the URL an administrator made.
        link: Query<Option<String>>,
        openid_configuration: Query<Option<String>>,
        registration_token: Query<Option<String>>,
    ) -> BrowserResponse {
        let init = dynamic_registration::Initiation {
            link: link.0.as_deref(),
            openid_configuration: openid_configuration.0.as_deref(),
            registration_token: registration_token.0.as_deref(),
        };
        match dynamic_registration::register(
            &self.db,
            &self.http,
            &self.settings.public_url,
            self.auto_approve,
            &init,
        )
        .await
        {
            Ok(html) => BrowserResponse::Page(Html(html), "no-store".into()),
            Err(f) => BrowserResponse::failed(Flow::Registration, f),
        }
    }

    /// Registered LTI 1.3 platforms.
    #[oai(
        path = "/api/lti/platforms",
        method = "get",
        operation_id = "listLtiPlatforms"
    )]
    async fn list_platforms(&self, _admin: AdminAuth) -> ApiResult<Json<Vec<Platform>>> {
        Ok(Json(platforms::list(&self.db.conn).await?))
    }

    /// Registers an LTI 1.3 platform (active at once).
    #[oai(
        path = "/api/lti/platforms",
        method = "post",
        operation_id = "addLtiPlatform"
    )]
    async fn add_platform(
        &self,
        _admin: AdminAuth,
        body: Json<NewPlatform>,
    ) -> ApiResult<PlatformCreated> {
        let platform = platforms::add(self.db.writer(), &body.0, "active").await?;
        Ok(PlatformCreated::Created(Json(platform)))
    }

    /// Approves a platform registered through Dynamic Registration.
    #[oai(
        path = "/api/lti/platforms/:id/approve",
        method = "post",
        operation_id = "approveLtiPlatform"
    )]
    async fn approve_platform(&self, _admin: AdminAuth, id: Path<i64>) -> ApiResult<Done> {
        if !platforms::set_status(self.db.writer(), id.0, "active").await? {
            return Err(Error::NotFound(format!("no LTI platform {}", id.0)).into());
        }
        Ok(Done::NoContent)
    }

    /// Removes a platform registration; its launches stop working at once.
    #[oai(
        path = "/api/lti/platforms/:id",
        method = "delete",
        operation_id = "removeLtiPlatform"
    )]
    async fn remove_platform(&self, _admin: AdminAuth, id: Path<i64>) -> ApiResult<Done> {
        if !platforms::remove(self.db.writer(), id.0).await? {
            return Err(Error::NotFound(format!("no LTI platform {}", id.0)).into());
        }
        Ok(Done::NoContent)
    }
}

impl LtiApi {
    async fn login(&self, params: &LoginParams) -> BrowserResponse {
        match login::start(self.db.writer(), &self.settings.public_url, params).await {
            Ok(url) => redirect(url),
            Err(f) => BrowserResponse::failed(Flow::Login, f),
        }
    }
}
