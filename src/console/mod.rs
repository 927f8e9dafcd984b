//! The L&D console at `/console`: server-rendered pages for the people who run the
//! program (sign-in and roles, learners, belts and program, evidence review, awards and
//! the audit log, statements, administration). Same binary, templates compiled in
//! (askama), assets embedded; no script is needed to use it.

pub mod account;
pub mod admin;
pub mod assets;
pub mod audit;
pub mod audit_on_write;
pub mod awards;
pub mod csrf;
pub mod csv;
pub mod evidence;
pub mod guard;
pub mod housekeeping;
pub mod learner;
pub mod learners;
pub mod login;
pub mod lti_enter;
pub mod lti_handoff;
pub mod overview;
pub mod page;
pub mod paging;
pub mod password;
pub mod program;
pub mod role;
pub mod session;
pub mod setup;
pub mod setup_links;
pub mod sign_in;
pub mod statements;
pub mod surveys;
pub mod throttle;
pub mod users;
pub mod viewer;

use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get};

use crate::auth::AuthService;
use crate::badges::issue::Badges;
use crate::config::Config;
use crate::db::Db;
use crate::passback::dispatch::Wake;
use crate::xapi::statements::cursor::CursorKey;
use crate::xapi::statements::writer::StatementWriter;

pub use session::SessionSettings;
pub use viewer::Viewer;

/// What console handlers share (request data of every `/console` route).
#[derive(Clone)]
pub struct Console {
    pub db: Db,
    pub config: Arc<Config>,
    pub sessions: SessionSettings,
    /// API credentials (create, revoke) through the same service the API uses.
    pub auth: AuthService,
    pub badges: Badges,
    /// Wakes the passback dispatcher after a retry.
    pub passback_wake: Wake,
    /// The statement write path of `POST /xapi/statements` (voiding goes through it, so
    /// the write-time participants run).
    pub statements: StatementWriter,
    /// Seals the statement explorer's `more` cursors, as `GET /xapi/statements` does.
    pub cursor_key: CursorKey,
}

/// Every console route (paths relative to `/console`), with the console's data.
/// Each page module adds its own routes.
pub fn routes(console: Console) -> BoxEndpoint<'static> {
    let route = Route::new().at("/assets/:name", get(assets::serve));
    let route = overview::routes(route);
    let route = sign_in::routes(route);
    let route = lti_enter::routes(route);
    let route = learners::routes(route);
    let route = learner::routes(route);
    let route = program::routes(route);
    let route = evidence::routes(route);
    let route = awards::routes(route);
    let route = audit::routes(route);
    let route = statements::routes(route);
    let route = surveys::routes(route);
    let route = admin::routes(route);
    route.around(guard::same_origin).data(console).boxed()
}

/// `GET /` (and `HEAD`) leads to the console; every other request goes on.
pub async fn front_door<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    if req.uri().path() == "/" && matches!(*req.method(), Method::GET | Method::HEAD) {
        return Ok(page::see_other("/console"));
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// Now, in microseconds since the epoch (what every `_us` column holds).
pub fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}
