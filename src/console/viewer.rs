//! `Viewer`: the signed-in person a console request comes from, read from the session
//! cookie before the handler runs. A request without a live session is sent to the
//! sign-in page (and back to where it was going once signed in).

use poem::http::{Method, StatusCode, header};
use poem::{FromRequest, Request, RequestBody, Response};

use super::Console;
use super::page;
use super::role::{Can, Role};
use super::session::{self, Live};

/// Whose learners a viewer may see.
#[derive(Clone, Debug, PartialEq)]
pub enum Team {
    /// Every learner (admin, program).
    All,
    /// Learners whose `org_unit` attribute is one of these (a manager's team).
    OrgUnits(Vec<String>),
    /// The members of one LTI context (a manager launched from that LMS course).
    LtiContext(i64),
    /// No learner (a manager without a team, a reviewer, a viewer).
    Nobody,
}

/// The signed-in person.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The session cookie's token (the CSRF token derives from it).
    pub token: String,
    /// `None` for a manager launched from an LMS.
    pub user_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team: Team,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
}

impl Viewer {
    fn from_live(token: String, live: Live) -> Option<Viewer> {
        let csrf = super::csrf::token_for(&token);
        match live.user {
            Some(user) => {
                let role: Role = user.role.parse().ok()?;
                let team = match role {
                    Role::Admin | Role::Program => Team::All,
                    Role::Manager => team_of(user.team.as_ref()),
                    Role::Reviewer | Role::Viewer => Team::Nobody,
                };
                Some(Viewer {
                    token,
                    user_id: Some(user.id),
                    username: user.username,
                    display_name: user.display_name,
                    role,
                    team,
                    csrf,
                })
            }
            None => {
                let context = live.session.lti_context_id?;
                let name = live.session.lti_name.unwrap_or_default();
                Some(Viewer {
                    token,
                    user_id: None,
                    username: format!("lti-context-{context}"),
                    display_name: name,
                    role: Role::Manager,
                    team: Team::LtiContext(context),
                    csrf,
                })
            }
        }
    }

    /// Refuses (403, a page saying what is missing) unless the role may `what`.
    pub fn require(&self, what: Can) -> poem::Result<()> {
        if self.role.can(what) {
            Ok(())
        } else {
            Err(page::problem(
                StatusCode::FORBIDDEN,
                "Not allowed",
                &format!(
                    "Your role ({}) cannot do this. An administrator can change your role.",
                    self.role
                ),
            ))
        }
    }

    /// Refuses (403) a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, presented: &str) -> poem::Result<()> {
        if super::csrf::matches(&self.token, presented) {
            Ok(())
        } else {
            Err(page::problem(
                StatusCode::FORBIDDEN,
                "Form refused",
                "This form was not sent from a page of your current session (it may be \
                 older than your sign-in, or come from another site). Nothing was changed: \
                 go back, reload the page and send it again.",
            ))
        }
    }

    /// The audit log's `actor` for what this person does.
    pub fn actor(&self) -> String {
        format!("console:{}", self.username)
    }
}

fn team_of(team: Option<&serde_json::Value>) -> Team {
    let units: Vec<String> = team
        .and_then(|t| t.get("org_units"))
        .and_then(|u| u.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if units.is_empty() {
        Team::Nobody
    } else {
        Team::OrgUnits(units)
    }
}

impl<'a> FromRequest<'a> for Viewer {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let Some(console) = req.data::<Console>() else {
            return Err(poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR));
        };
        let token = req
            .headers()
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| session::token_from_cookie_header(h, console.sessions.cookie_name()));
        let live = match &token {
            Some(token) => {
                session::lookup(&console.db.conn, &console.sessions, token, super::now_us())
                    .await
                    .map_err(|e| page::internal(&e))?
            }
            None => None,
        };
        match (token, live) {
            (Some(token), Some(live)) => {
                Viewer::from_live(token, live).ok_or_else(|| to_sign_in(req, console))
            }
            _ => Err(to_sign_in(req, console)),
        }
    }
}

/// 303 to the sign-in page, remembering a GET's path so sign-in leads back to it.
fn to_sign_in(req: &Request, console: &Console) -> poem::Error {
    let next = (req.method() == Method::GET)
        .then(|| console_path(req))
        .filter(|p| safe_next(p).is_some());
    let location = match next {
        Some(next) => format!("/console/sign-in?next={}", url_escape(&next)),
        None => "/console/sign-in".to_owned(),
    };
    let had_cookie = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| h.contains(console.sessions.cookie_name()));
    // The dead cookie is cleared below, so the sign-in page learns of it from the URL.
    let location = match (had_cookie, location.contains('?')) {
        (true, true) => format!("{location}&ended=1"),
        (true, false) => format!("{location}?ended=1"),
        (false, _) => location,
    };
    let mut response = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store");
    if had_cookie {
        // Its session is over: say so on the sign-in page and drop the dead cookie.
        response = response.header(header::SET_COOKIE, console.sessions.clear_cookie());
    }
    poem::Error::from_response(response.finish())
}

/// The request's path and query as the browser sent it. Inside the console's nest the
/// URI has lost its `/console` prefix (and `original_uri` is only filled by the real
/// server, not by every caller), so the prefix is put back.
fn console_path(req: &Request) -> String {
    let inner = req.uri().path_and_query().map_or("/", |p| p.as_str());
    match inner.strip_prefix('/') {
        Some(rest) if rest.is_empty() || rest.starts_with('?') => format!("/console{rest}"),
        Some(rest) => format!("/console/{rest}"),
        None => "/console".to_owned(),
    }
}

/// `next` when it is a console path on this server (never another site: an open
/// redirect would make the sign-in page a phishing tool).
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with("/console")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2048;
    ok.then_some(next)
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_inside_the_console() {
        assert_eq!(
            safe_next("/console/learners?q=a"),
            Some("/console/learners?q=a")
        );
        assert_eq!(safe_next("//evil.example/console"), None);
        assert_eq!(safe_next("https://evil.example/console"), None);
        assert_eq!(safe_next("/console\\@evil"), None);
        assert_eq!(safe_next("/xapi/statements"), None);
    }

    #[test]
    fn a_manager_without_org_units_sees_nobody() {
        assert_eq!(team_of(None), Team::Nobody);
        let t = serde_json::json!({"org_units": ["emea-sales"]});
        assert_eq!(team_of(Some(&t)), Team::OrgUnits(vec!["emea-sales".into()]));
    }
}
