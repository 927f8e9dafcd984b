//! Rendering console pages: askama templates (escaped by default) answered with the
//! console's Content-Security-Policy (no inline script or style, no framing) and
//! `no-store`, so a signed-in page is never cached.

use askama::Template;
use poem::Response;
use poem::http::{StatusCode, header};

use super::role::{Can, Role};
use super::viewer::Viewer;

/// The console's policy: only its own files, forms only to itself, never framed.
pub const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// One entry of the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every signed-in page's layout (`base.html`) shows around the content.
pub struct Chrome {
    pub user: String,
    pub role: Role,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// Whether the viewer has a console password to change (not so for a manager who
    /// came from an LMS course).
    pub has_password: bool,
    /// A one-line confirmation of what the last form did (fixed text chosen by the
    /// handler, never taken from the URL).
    pub notice: Option<String>,
    pub css: &'static str,
    pub js: &'static str,
}

const NAV: &[(&str, &str, Can)] = &[
    ("/console", "Overview", Can::SeeAggregates),
    ("/console/learners", "Learners", Can::SeeLearners),
    ("/console/program", "Program", Can::SeeAggregates),
    ("/console/surveys", "Surveys", Can::SeeSurveys),
    ("/console/evidence", "Evidence", Can::ReviewEvidence),
    ("/console/awards", "Awards", Can::ChangeAwards),
    ("/console/audit", "Audit log", Can::ChangeAwards),
    ("/console/statements", "Statements", Can::SeeStatements),
    ("/console/admin", "Administration", Can::Administer),
];

impl Chrome {
    /// The layout for `viewer` on the page at `here` (one of the navigation's hrefs).
    pub fn new(viewer: &Viewer, here: &str) -> Chrome {
        Chrome {
            user: viewer.display_name.clone(),
            role: viewer.role,
            csrf: viewer.csrf.clone(),
            nav: NAV
                .iter()
                .filter(|(_, _, can)| viewer.role.can(*can))
                .map(|&(href, label, _)| NavItem {
                    href,
                    label,
                    current: href == here,
                })
                .collect(),
            has_password: viewer.user_id.is_some(),
            notice: None,
            css: super::assets::CSS.as_str(),
            js: super::assets::JS.as_str(),
        }
    }

    pub fn with_notice(mut self, notice: Option<&str>) -> Chrome {
        self.notice = notice.map(str::to_owned);
        self
    }
}

/// A rendered page with the console's headers.
pub fn html(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, POLICY)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::REFERRER_POLICY, "same-origin")
        .header("x-frame-options", "DENY")
        .body(body)
}

/// Renders a template as a 200 page.
pub fn render<T: Template>(template: &T) -> poem::Result<Response> {
    render_status(StatusCode::OK, template)
}

/// Renders a template with `status` (a form shown again with its errors: 400 or 422).
pub fn render_status<T: Template>(status: StatusCode, template: &T) -> poem::Result<Response> {
    match template.render() {
        Ok(body) => Ok(html(status, body)),
        Err(e) => Err(internal(&e)),
    }
}

/// 303 See Other to `location` (after a form: the browser GETs the result).
pub fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

#[derive(Template)]
#[template(path = "problem.html")]
struct Problem<'a> {
    title: &'a str,
    message: &'a str,
    css: &'a str,
}

/// An error page as a `poem::Error`: `status`, a title and what to do, no details.
pub fn problem(status: StatusCode, title: &str, message: &str) -> poem::Error {
    let body = Problem {
        title,
        message,
        css: super::assets::CSS.as_str(),
    }
    .render()
    .unwrap_or_else(|_| message.to_owned());
    poem::Error::from_response(html(status, body))
}

/// 500: logs the cause, shows nothing of it.
pub fn internal(cause: &dyn std::fmt::Display) -> poem::Error {
    tracing::error!(error = %cause, "console page failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The server could not show this page. Nothing you sent was lost; try again in a \
         moment. If it keeps happening, the server's log has the cause.",
    )
}

/// Maps a domain error to a page: the domain's own message for what the person can fix;
/// anything else is a 500 whose cause goes to the log only.
pub fn from_error(e: crate::error::Error) -> poem::Error {
    use crate::error::Error as E;
    match e {
        E::NotFound(m) => problem(StatusCode::NOT_FOUND, "Not found", &m),
        E::BadRequest(m) => problem(StatusCode::BAD_REQUEST, "Cannot do that", &m),
        E::Conflict(m) => problem(StatusCode::CONFLICT, "Cannot do that now", &m),
        E::ForbiddenBecause(m) => problem(StatusCode::FORBIDDEN, "Not allowed", &m),
        other => internal(&other),
    }
}
