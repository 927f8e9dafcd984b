//! Signing in and out (paths relative to `/console`): `GET|POST /sign-in`,
//! `POST /sign-out`, `POST /sign-out-everywhere` (and, from `setup.rs`, the one-time
//! links' `GET|POST /setup/:token`).
//!
//! Before sign-in there is no session to derive a CSRF token from, so the forms use a
//! pre-session token: random, in a short-lived `SameSite=Strict` cookie, its HMAC in the
//! form (double submit). A new session always gets a new token (no fixation).

use askama::Template;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Form, Query};
use poem::{Request, Response, Route, get, handler};
use serde::Deserialize;
use serde_json::json;

use super::login::{self, Outcome};
use super::page::{self, see_other};
use super::session::{self, Client, Owner};
use super::throttle::{self, Limits};
use super::viewer::safe_next;
use super::{Console, Viewer, csrf, now_us, users};

/// The one answer to a wrong password, an unknown user and a disabled user.
pub const REFUSED: &str = "Wrong username or password.";

const PRE_MAX_AGE_S: u32 = 3600;

/// Adds the sign-in routes (and the setup links' and `/password`, changing one's own).
pub fn routes(route: Route) -> Route {
    super::setup::routes(super::account::routes(route))
        .at("/sign-in", get(form).post(sign_in))
        .at("/sign-out", poem::post(sign_out))
        .at("/sign-out-everywhere", poem::post(sign_out_everywhere))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    title: &'static str,
    css: &'static str,
    csrf: String,
    next: Option<String>,
    username: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

fn pre_cookie_name(console: &Console) -> &'static str {
    if console.sessions.secure {
        "__Host-blackbelt_console_pre"
    } else {
        "blackbelt_console_pre"
    }
}

fn cookie_header(req: &Request) -> &str {
    req.headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The browser's pre-session token, if it has one.
fn pre_token(req: &Request, console: &Console) -> Option<String> {
    session::token_from_cookie_header(cookie_header(req), pre_cookie_name(console))
}

fn pre_cookie(console: &Console, token: &str) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={PRE_MAX_AGE_S}{}",
        pre_cookie_name(console),
        if console.sessions.secure {
            "; Secure"
        } else {
            ""
        }
    )
}

pub(super) fn clear_pre_cookie(console: &Console) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        pre_cookie_name(console),
        if console.sessions.secure {
            "; Secure"
        } else {
            ""
        }
    )
}

pub(super) fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The browser's pre-session token, or a new one (with the cookie that sets it).
pub(super) fn pre_session(req: &Request, console: &Console) -> poem::Result<(String, String)> {
    let token = match pre_token(req, console) {
        Some(t) => t,
        None => session::new_token().map_err(|e| page::internal(&e))?,
    };
    let cookie = pre_cookie(console, &token);
    Ok((token, cookie))
}

pub(super) fn pre_matches(req: &Request, console: &Console, presented: &str) -> bool {
    pre_token(req, console).is_some_and(|t| csrf::matches(&t, presented))
}

/// The session token the browser sent, live or not.
fn session_token(req: &Request, console: &Console) -> Option<String> {
    session::token_from_cookie_header(cookie_header(req), console.sessions.cookie_name())
}

fn client(req: &Request) -> Client {
    let ip = throttle::ip_key(req.remote_addr());
    Client {
        ip: Some(ip.trim_start_matches("ip:").to_owned()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

#[derive(Deserialize)]
struct SignInQuery {
    next: Option<String>,
    /// Set by the redirect of a request whose session had ended.
    ended: Option<String>,
    signed_out: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn sign_in_page(
    status: StatusCode,
    pre: &str,
    next: Option<&str>,
    username: &str,
    notice: Option<&'static str>,
    error: Option<String>,
    cookies: &[String],
) -> poem::Result<Response> {
    let page = SignInPage {
        title: "Sign in",
        css: super::assets::CSS.as_str(),
        csrf: csrf::token_for(pre),
        next: next.and_then(safe_next).map(str::to_owned),
        username: username.to_owned(),
        notice,
        error,
    };
    Ok(with_cookies(page::render_status(status, &page)?, cookies))
}

/// `GET /console/sign-in`: the form (or, already signed in, straight on to `next`).
#[handler]
async fn form(
    req: &Request,
    Query(q): Query<SignInQuery>,
    Data(console): Data<&Console>,
) -> poem::Result<Response> {
    let mut cookies = Vec::new();
    let mut ended = q.ended.is_some();
    if let Some(token) = session_token(req, console) {
        let live = session::lookup(&console.db.conn, &console.sessions, &token, now_us())
            .await
            .map_err(|e| page::internal(&e))?;
        if live.is_some() {
            let next = q.next.as_deref().and_then(safe_next).unwrap_or("/console");
            return Ok(see_other(next));
        }
        ended = true;
        cookies.push(console.sessions.clear_cookie());
    }
    let notice = match (ended, q.signed_out.as_deref()) {
        (_, Some("all")) => Some("You are signed out on every device."),
        (_, Some(_)) => Some("You are signed out."),
        (true, None) => Some("Your session ended. Sign in again to continue."),
        (false, None) => None,
    };
    let (pre, cookie) = pre_session(req, console)?;
    cookies.push(cookie);
    sign_in_page(
        StatusCode::OK,
        &pre,
        q.next.as_deref(),
        "",
        notice,
        None,
        &cookies,
    )
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /console/sign-in`.
#[handler]
async fn sign_in(
    req: &Request,
    Data(console): Data<&Console>,
    Form(f): Form<SignInForm>,
) -> poem::Result<Response> {
    let (pre, pre_set) = pre_session(req, console)?;
    let again = |status, error: String| {
        sign_in_page(
            status,
            &pre,
            f.next.as_deref(),
            f.username.trim(),
            None,
            Some(error),
            std::slice::from_ref(&pre_set),
        )
    };
    if !pre_matches(req, console, &f.csrf) {
        return again(
            StatusCode::FORBIDDEN,
            "This sign-in form is too old, or it did not come from this site, so it was not \
             checked. Enter your username and password again."
                .into(),
        );
    }
    if f.username.trim().is_empty() || f.password.is_empty() {
        return again(
            StatusCode::BAD_REQUEST,
            "Enter your username and your password.".into(),
        );
    }
    let now = now_us();
    let ip = throttle::ip_key(req.remote_addr());
    let limits = Limits::from_config(&console.config);
    let outcome = login::check(&console.db, limits, &f.username, &f.password, &ip, now)
        .await
        .map_err(|e| page::internal(&e))?;
    let user = match outcome {
        Outcome::Signed(user) => user,
        Outcome::Refused => return again(StatusCode::UNAUTHORIZED, REFUSED.into()),
        Outcome::Locked(minutes) => {
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                format!("{REFUSED} Too many failed sign-ins: try again in {minutes} {unit}."),
            );
        }
    };
    let token = start_session(req, console, user.id, now).await?;
    let next = f.next.as_deref().and_then(safe_next).unwrap_or("/console");
    Ok(with_cookies(
        see_other(next),
        &[console.sessions.cookie(&token), clear_pre_cookie(console)],
    ))
}

/// Ends the browser's old session, if any, and starts a new one for `user_id`.
pub(super) async fn start_session(
    req: &Request,
    console: &Console,
    user_id: i64,
    now: i64,
) -> poem::Result<String> {
    let _gate = console.db.write_gate().await;
    replace_session(req, console, console.db.writer(), Owner::User(user_id), now)
        .await
        .map_err(|e| page::internal(&e))
}

/// Ends the browser's old session, if any, and starts one for `owner`, on `conn` (the
/// caller holds the write gate, and may hold a transaction).
pub(super) async fn replace_session(
    req: &Request,
    console: &Console,
    conn: &impl sea_orm::ConnectionTrait,
    owner: Owner,
    now: i64,
) -> Result<String, crate::error::Error> {
    if let Some(old) = session_token(req, console) {
        session::end(conn, &old).await?;
    }
    session::create(conn, &console.sessions, owner, client(req), now).await
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/sign-out`: ends this session.
#[handler]
async fn sign_out(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Form(f): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.check_csrf(&f.csrf)?;
    let now = now_us();
    {
        let _gate = console.db.write_gate().await;
        session::end(console.db.writer(), &viewer.token)
            .await
            .map_err(|e| page::internal(&e))?;
    }
    login::record(
        &console.db,
        &viewer.actor(),
        "console.sign_out",
        json!({"username": viewer.username}),
        now,
    )
    .await
    .map_err(|e| page::internal(&e))?;
    Ok(with_cookies(
        see_other("/console/sign-in?signed_out=1"),
        &[console.sessions.clear_cookie()],
    ))
}

/// `POST /console/sign-out-everywhere`: ends every session of the signed-in user.
#[handler]
async fn sign_out_everywhere(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Form(f): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.check_csrf(&f.csrf)?;
    let now = now_us();
    if viewer.user_id.is_some() {
        users::sign_out_everywhere(&console.db, &viewer.actor(), &viewer.username, now)
            .await
            .map_err(page::from_error)?;
    } else {
        let _gate = console.db.write_gate().await;
        session::end(console.db.writer(), &viewer.token)
            .await
            .map_err(|e| page::internal(&e))?;
    }
    Ok(with_cookies(
        see_other("/console/sign-in?signed_out=all"),
        &[console.sessions.clear_cookie()],
    ))
}
