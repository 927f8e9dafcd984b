//! `GET|POST /console/setup/:token`: a one-time link's form to set a password (with the
//! sign-in form's pre-session CSRF token); once set, the link is used up and the person
//! is signed in.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, Route, get, handler};
use serde::Deserialize;
use serde_json::json;

use super::page::{self, see_other};
use super::sign_in::{clear_pre_cookie, pre_matches, pre_session, start_session, with_cookies};
use super::{Console, csrf, login, now_us, setup_links, throttle, users};
use crate::error::Error;

/// Adds the setup link's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/setup/:token", get(setup_form).post(setup))
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    title: &'static str,
    css: &'static str,
    csrf: String,
    username: String,
    role: String,
    error: Option<String>,
}

fn dead_link() -> poem::Error {
    page::problem(StatusCode::NOT_FOUND, "Link not valid", setup_links::DEAD)
}

fn setup_page(
    status: StatusCode,
    pre: &str,
    user: &entities::console_user::Model,
    error: Option<String>,
    cookie: &str,
) -> poem::Result<Response> {
    let page = SetupPage {
        title: "Set your password",
        css: super::assets::CSS.as_str(),
        csrf: csrf::token_for(pre),
        username: user.username.clone(),
        role: user.role.clone(),
        error,
    };
    Ok(with_cookies(
        page::render_status(status, &page)?,
        &[cookie.to_owned()],
    ))
}

/// `GET /console/setup/:token`: the form to set a password, while the link works.
#[handler]
async fn setup_form(
    req: &Request,
    Path(token): Path<String>,
    Data(console): Data<&Console>,
) -> poem::Result<Response> {
    let user = setup_links::live(&console.db.conn, &token, now_us())
        .await
        .map_err(|e| page::internal(&e))?
        .ok_or_else(dead_link)?;
    let (pre, cookie) = pre_session(req, console)?;
    setup_page(StatusCode::OK, &pre, &user, None, &cookie)
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /console/setup/:token`: sets the password, uses up the link, signs in.
#[handler]
async fn setup(
    req: &Request,
    Path(token): Path<String>,
    Data(console): Data<&Console>,
    Form(f): Form<SetupForm>,
) -> poem::Result<Response> {
    let now = now_us();
    let user = setup_links::live(&console.db.conn, &token, now)
        .await
        .map_err(|e| page::internal(&e))?
        .ok_or_else(dead_link)?;
    let (pre, cookie) = pre_session(req, console)?;
    if !pre_matches(req, console, &f.csrf) {
        let error = "This form is too old, or it did not come from this site, so nothing \
                     was changed. Enter the new password again.";
        return setup_page(
            StatusCode::FORBIDDEN,
            &pre,
            &user,
            Some(error.into()),
            &cookie,
        );
    }
    if f.password != f.confirm {
        let error = "The two passwords differ. Type the same new password in both fields.";
        return setup_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &pre,
            &user,
            Some(error.into()),
            &cookie,
        );
    }
    let user = match users::redeem(&console.db, &token, &f.password, now).await {
        Ok(user) => user,
        Err(Error::BadRequest(problem)) => {
            return setup_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &pre,
                &user,
                Some(problem),
                &cookie,
            );
        }
        Err(Error::NotFound(_)) => return Err(dead_link()),
        Err(e) => return Err(page::internal(&e)),
    };
    let session = start_session(req, console, user.id, now).await?;
    login::record(
        &console.db,
        &format!("console:{}", user.username),
        "console.sign_in",
        json!({"username": user.username, "via": "setup link",
            "client": throttle::ip_key(req.remote_addr())}),
        now,
    )
    .await
    .map_err(|e| page::internal(&e))?;
    Ok(with_cookies(
        see_other("/console"),
        &[console.sessions.cookie(&session), clear_pre_cookie(console)],
    ))
}
