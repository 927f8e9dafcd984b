//! The changes on a console user's page (admin only): role and team, disable, enable,
//! password reset, sign-out everywhere. A change the domain refuses shows the user's
//! page again with the reason in place.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Response, handler};
use serde::Deserialize;

use super::{link_page, user_page};
use crate::console::page::{self, see_other};
use crate::console::role::{Can, Role};
use crate::console::users;
use crate::console::{Console, Viewer, now_us};
use crate::error::Error;

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team: String,
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// A change refused by the domain: the user's page again with the reason in place.
async fn refused(
    viewer: &Viewer,
    console: &Console,
    username: &str,
    e: Error,
) -> poem::Result<Response> {
    let status = match &e {
        Error::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => StatusCode::CONFLICT,
        _ => return Err(page::from_error(e)),
    };
    let p = user_page(viewer, console, username, Some(e.to_string()), None).await?;
    page::render_status(status, &p)
}

fn done(username: &str, what: &str) -> Response {
    see_other(&format!("/console/admin/users/{username}?done={what}"))
}

/// `POST /console/admin/users/:username/role`.
#[handler]
pub(super) async fn set_role(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(username): Path<String>,
    Form(f): Form<RoleForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&f.csrf)?;
    let Ok(role) = f.role.parse::<Role>() else {
        let e = Error::BadRequest("Choose one of the roles listed.".into());
        return refused(&viewer, console, &username, e).await;
    };
    let team = Some(f.team.split(',').map(str::to_owned).collect());
    match users::set_role(
        &console.db,
        &viewer.actor(),
        &username,
        role,
        team,
        now_us(),
    )
    .await
    {
        Ok(user) => Ok(done(&user.username, "role")),
        Err(e) => refused(&viewer, console, &username, e).await,
    }
}

/// `POST /console/admin/users/:username/disable`.
#[handler]
pub(super) async fn disable(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(username): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&f.csrf)?;
    match users::disable(&console.db, &viewer.actor(), &username, now_us()).await {
        Ok(_) => Ok(done(&username, "disable")),
        Err(e) => refused(&viewer, console, &username, e).await,
    }
}

/// `POST /console/admin/users/:username/enable`.
#[handler]
pub(super) async fn enable(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(username): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&f.csrf)?;
    match users::enable(&console.db, &viewer.actor(), &username, now_us()).await {
        Ok(()) => Ok(done(&username, "enable")),
        Err(e) => refused(&viewer, console, &username, e).await,
    }
}

/// `POST /console/admin/users/:username/reset`: a new setup link, shown once.
#[handler]
pub(super) async fn reset(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(username): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&f.csrf)?;
    match users::reset(&console.db, &viewer.actor(), &username, now_us()).await {
        Ok(token) => link_page(&viewer, console, &username, "reset", &token),
        Err(e) => refused(&viewer, console, &username, e).await,
    }
}

/// `POST /console/admin/users/:username/sign-out-everywhere`.
#[handler]
pub(super) async fn sign_out_everywhere(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(username): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&f.csrf)?;
    match users::sign_out_everywhere(&console.db, &viewer.actor(), &username, now_us()).await {
        Ok(_) => Ok(done(&username, "sign-out")),
        Err(e) => refused(&viewer, console, &username, e).await,
    }
}
