//! `/console/password`: a signed-in person changes their own password (the current one
//! first, counted like a sign-in failure when wrong); their other sessions end.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Response, Route, get, handler};
use serde::Deserialize;

use super::page::{self, Chrome, see_other};
use super::throttle::{self, Limits};
use super::{Console, Viewer, now_us, password, users};
use crate::error::Error;
use entities::console_user;
use sea_orm::EntityTrait;

/// Adds the route (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/password", get(form).post(change))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    title: &'static str,
    chrome: Chrome,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

fn no_password() -> poem::Error {
    page::problem(
        StatusCode::FORBIDDEN,
        "No password here",
        "You came from your LMS, so you have no console password to change.",
    )
}

fn show(
    viewer: &Viewer,
    status: StatusCode,
    error: Option<String>,
    notice: Option<&str>,
) -> poem::Result<Response> {
    page::render_status(
        status,
        &PasswordPage {
            title: "Change your password",
            chrome: Chrome::new(viewer, "/console/password").with_notice(notice),
            username: viewer.username.clone(),
            error,
        },
    )
}

/// `GET /console/password`.
#[handler]
async fn form(viewer: Viewer, Query(q): Query<Done>) -> poem::Result<Response> {
    if viewer.user_id.is_none() {
        return Err(no_password());
    }
    let notice = q
        .done
        .is_some()
        .then_some("Your password was changed, and your other sessions ended.");
    show(&viewer, StatusCode::OK, None, notice)
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /console/password`.
#[handler]
async fn change(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Form(f): Form<ChangeForm>,
) -> poem::Result<Response> {
    let Some(id) = viewer.user_id else {
        return Err(no_password());
    };
    viewer.check_csrf(&f.csrf)?;
    let now = now_us();
    let unprocessable = |m: &str| {
        show(
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(m.to_owned()),
            None,
        )
    };
    let key = throttle::account_key(&viewer.username);
    if let Some(minutes) = throttle::locked_for(&console.db.conn, std::slice::from_ref(&key), now)
        .await
        .map_err(|e| page::internal(&e))?
    {
        let m = format!("Too many wrong passwords: try again in {minutes} minutes.");
        return show(&viewer, StatusCode::TOO_MANY_REQUESTS, Some(m), None);
    }
    let user = console_user::Entity::find_by_id(id)
        .one(&console.db.conn)
        .await
        .map_err(|e| page::internal(&e))?
        .ok_or_else(no_password)?;
    let current_ok = password::verify(&f.current, user.password_hash.as_deref())
        .await
        .map_err(|e| page::internal(&e))?;
    if !current_ok {
        let _gate = console.db.write_gate().await;
        throttle::fail(
            console.db.writer(),
            &key,
            Limits::from_config(&console.config),
            now,
        )
        .await
        .map_err(|e| page::internal(&e))?;
        return unprocessable("The current password is wrong. Nothing was changed.");
    }
    if f.password != f.confirm {
        return unprocessable("The two new passwords differ. Type the same one in both fields.");
    }
    match users::set_password(&console.db, &user, &f.password, &viewer.token, now).await {
        Ok(()) => Ok(see_other("/console/password?done=1")),
        Err(Error::BadRequest(m)) => unprocessable(&m),
        Err(e) => Err(page::from_error(e)),
    }
}
