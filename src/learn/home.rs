//! `/learn`: the learner's home, server-rendered like the console (askama templates,
//! embedded CSS, the console's strict CSP, no script). It shows their belts, progress
//! toward the next one, what to take next, and the catalog for their audience with a
//! Launch button per AU that starts a real cmi5 launch (the service LTI launches use,
//! so the learner's registration for the course is reused).
//!
//! No password: `/learn/enter/<code>` redeems a single-use code made from an AU's
//! launch token (`POST /api/learn/handoff`) or an LTI launch (`blackbelt=learn`), and
//! starts a short session (`access`).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use askama::Template;
use poem::endpoint::BoxEndpoint;
use poem::http::{StatusCode, header};
use poem::web::{Data, Form, Path};
use poem::{EndpointExt, Request, Response, Route, get, handler, post};
use rust_embed::RustEmbed;
use serde::Deserialize;

use super::access::{self, LearnerRef};
use super::catalog::LearnerCourse;
use super::company_store;
use super::summary::{self, BeltState, NextBelt, NextModule};
use crate::console::page::{POLICY, html};
use crate::console::{csrf, guard, session};
use crate::db::Db;
use crate::error::Error;
use crate::launch::grant::LaunchMode;
use crate::launch::service::{NewLaunch, launch};
use crate::launch::settings::LaunchSettings;
use crate::xapi::clock::WriteClock;

/// What the home's handlers share.
#[derive(Clone)]
pub struct Learn {
    pub db: Db,
    pub clock: WriteClock,
    pub settings: LaunchSettings,
    /// `[company]` of the configuration, checked at start-up.
    pub company: Arc<BTreeMap<String, String>>,
    /// `Secure` cookie with the `__Host-` prefix (when `public_url` is https).
    pub secure: bool,
}

impl Learn {
    fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-blackbelt_learn"
        } else {
            "blackbelt_learn"
        }
    }

    fn cookie(&self, token: &str) -> String {
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            self.cookie_name(),
            access::SESSION_US / 1_000_000,
            if self.secure { "; Secure" } else { "" }
        )
    }
}

#[derive(RustEmbed)]
#[folder = "src/learn/assets/"]
struct Assets;

/// `/learn/assets/learn.css` with its content hash, so a cached old file is never used.
fn css_url() -> String {
    use aws_lc_rs::digest::{SHA256, digest};
    let hash = Assets::get("learn.css")
        .map(|f| hex::encode(&digest(&SHA256, &f.data).as_ref()[..6]))
        .unwrap_or_default();
    format!("/learn/assets/learn.css?v={hash}")
}

/// Every `/learn` route, with the home's data.
pub fn routes(learn: Learn) -> BoxEndpoint<'static> {
    Route::new()
        .at("/", get(home))
        .at("/enter/:code", get(enter))
        .at("/launch", post(start_launch))
        .at("/assets/:name", get(asset))
        .data(learn)
        .boxed()
}

#[derive(Template)]
#[template(path = "learn_problem.html")]
struct Problem<'a> {
    title: &'a str,
    message: &'a str,
    css: &'a str,
}

/// An error page: `status`, a title and what to do.
fn problem(status: StatusCode, title: &str, message: &str) -> Response {
    let body = Problem {
        title,
        message,
        css: crate::console::assets::CSS.as_str(),
    }
    .render()
    .unwrap_or_else(|_| message.to_owned());
    html(status, body)
}

fn internal(cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %cause, "learner home failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The server could not show this page. Try again in a moment.",
    )
}

fn not_signed_in() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "Open your learning home from a module",
        "Your learning home opens from the end of any module (the link under your \
         result) or from the learning home link in your LMS course. It needs no \
         password, and your visit lasts two hours.",
    )
}

/// The session's token and learner, when the cookie names a live session.
async fn signed_in(req: &Request, learn: &Learn) -> Result<Option<(String, LearnerRef)>, Error> {
    let Some(token) = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| session::token_from_cookie_header(h, learn.cookie_name()))
    else {
        return Ok(None);
    };
    let now = crate::console::now_us();
    Ok(access::lookup(&learn.db.conn, &token, now)
        .await?
        .map(|who| (token, who)))
}

#[derive(Template)]
#[template(path = "learn_home.html")]
struct HomePage {
    css: String,
    learn_css: String,
    name: Option<String>,
    company: Option<String>,
    policy_url: Option<String>,
    csrf: String,
    belts: Vec<BeltState>,
    next: Option<NextBelt>,
    next_module: Option<NextModule>,
    catalog: Vec<LearnerCourse>,
    toward_next: HashSet<String>,
}

/// `GET /learn`: the home of the signed-in learner.
#[handler]
async fn home(req: &Request, Data(learn): Data<&Learn>) -> Response {
    let (token, who) = match signed_in(req, learn).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_signed_in(),
        Err(e) => return internal(&e),
    };
    let now = crate::console::now_us();
    let conn = &learn.db.conn;
    let (summary, company) = match tokio::try_join!(
        summary::summarise(conn, &who.learner_key, now),
        company_store::in_force(conn, &learn.company),
    ) {
        Ok(both) => both,
        Err(e) => return internal(&e),
    };
    let page = HomePage {
        css: crate::console::assets::CSS.clone(),
        learn_css: css_url(),
        name: who.display_name(),
        company: company.get("company_name").cloned(),
        policy_url: company.get("policy_url").cloned(),
        csrf: csrf::token_for(&token),
        belts: summary.belts,
        next: summary.next,
        next_module: summary.next_module,
        catalog: summary.catalog,
        toward_next: summary.toward_next,
    };
    match page.render() {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => internal(&e),
    }
}

/// `GET /learn/enter/<code>`: redeems the code once and starts the session, or says the
/// link is dead (unknown, used or expired: one answer, 404) and changes nothing.
#[handler]
async fn enter(Path(code): Path<String>, Data(learn): Data<&Learn>) -> Response {
    let now = crate::console::now_us();
    let started = {
        let _gate = learn.db.write_gate().await;
        start_session(learn, &code, now).await
    };
    match started {
        Ok(Some(token)) => Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, "/learn")
            .header(header::CACHE_CONTROL, "no-store")
            .header(header::SET_COOKIE, learn.cookie(&token))
            .finish(),
        Ok(None) => {
            tracing::info!("learner home code refused: unknown, used or expired");
            problem(StatusCode::NOT_FOUND, "Link not valid", access::DEAD)
        }
        Err(e) => internal(&e),
    }
}

/// In one transaction: use the code up and start the session.
async fn start_session(learn: &Learn, code: &str, now: i64) -> Result<Option<String>, Error> {
    use sea_orm::TransactionTrait;
    let tx = learn.db.writer().begin().await?;
    let Some(who) = access::redeem(&tx, code, now).await? else {
        return Ok(None);
    };
    let token = access::start(&tx, &who, now).await?;
    tx.commit().await?;
    Ok(Some(token))
}

/// The Launch button's form.
#[derive(Debug, Deserialize)]
struct LaunchForm {
    #[serde(default)]
    csrf: String,
    course_id: String,
    au_id: String,
}

/// `POST /learn/launch`: launches the AU for the signed-in learner (Normal mode, back
/// to `/learn` on exit) and sends the browser to it.
#[handler]
async fn start_launch(
    req: &Request,
    Data(learn): Data<&Learn>,
    Form(form): Form<LaunchForm>,
) -> Response {
    let header_of = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let public = guard::origin_of(&learn.settings.public_url);
    if let Some(why) = guard::refusal(
        req.method(),
        header_of("sec-fetch-site"),
        header_of("origin"),
        public.as_deref(),
    ) {
        return problem(StatusCode::FORBIDDEN, "Form refused", why);
    }
    let (token, who) = match signed_in(req, learn).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_signed_in(),
        Err(e) => return internal(&e),
    };
    if !csrf::matches(&token, &form.csrf) {
        return problem(
            StatusCode::FORBIDDEN,
            "Form refused",
            "This button was not sent from your current visit (it may be older than it, or \
             come from another site). Nothing was launched: reload your learning home and \
             press it again.",
        );
    }
    match launch_for(learn, &who, &form).await {
        Ok(url) => Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, url)
            .header(header::CACHE_CONTROL, "no-store")
            .finish(),
        Err(Error::NotFound(m)) => problem(StatusCode::NOT_FOUND, "Module not found", &m),
        Err(Error::BadRequest(m)) => problem(StatusCode::BAD_REQUEST, "Cannot launch", &m),
        Err(Error::Conflict(m)) | Err(Error::RegistrationConflict(m)) => {
            problem(StatusCode::CONFLICT, "Cannot launch now", &m)
        }
        Err(e) => internal(&e),
    }
}

/// Launches an AU of the learner's own catalog; any other is "not found".
async fn launch_for(learn: &Learn, who: &LearnerRef, form: &LaunchForm) -> Result<String, Error> {
    let conn = &learn.db.conn;
    let audiences = super::catalog::audiences(conn, &who.learner_key).await?;
    let catalog = super::catalog::for_learner(conn, &who.learner_key, &audiences).await?;
    let offered = catalog
        .iter()
        .any(|c| c.course_id == form.course_id && c.aus.iter().any(|a| a.au_id == form.au_id));
    if !offered {
        return Err(Error::NotFound(
            "This module is not in your catalog. Go back to your learning home and choose \
             one of the modules listed there."
                .into(),
        ));
    }
    let launched = launch(
        &learn.db,
        &learn.clock,
        &learn.settings,
        NewLaunch {
            learner: who.launch_learner()?,
            au_id: form.au_id.clone(),
            course_id: Some(form.course_id.clone()),
            registration: None,
            return_url: Some(format!("{}/learn", learn.settings.public_url)),
            launch_mode: LaunchMode::Normal,
            lti: None,
        },
    )
    .await?;
    Ok(launched.launch_url)
}

/// `GET /learn/assets/:name`: cached for a year (the URL changes with the content).
#[handler]
fn asset(Path(name): Path<String>) -> Response {
    match Assets::get(&name) {
        Some(file) => Response::builder()
            .header(header::CONTENT_TYPE, "text/css; charset=utf-8")
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .header(header::CONTENT_SECURITY_POLICY, POLICY)
            .body(file.data.into_owned()),
        None => Response::builder().status(StatusCode::NOT_FOUND).finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learn(secure: bool) -> Learn {
        let config = crate::config::Config::default();
        Learn {
            db: Db::disconnected(),
            clock: WriteClock::default(),
            settings: LaunchSettings::from_config(&config),
            company: Arc::default(),
            secure,
        }
    }

    #[test]
    fn the_session_cookie_is_http_only_lax_and_short() {
        let plain = learn(false).cookie("t");
        assert_eq!(
            plain,
            "blackbelt_learn=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=7200"
        );
        let secure = learn(true).cookie("t");
        assert!(secure.starts_with("__Host-blackbelt_learn=t;"), "{secure}");
        assert!(secure.ends_with("; Secure"), "{secure}");
    }
}
