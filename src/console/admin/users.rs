//! `/console/admin/users` (admin only): console users with role, status and last
//! sign-in; create one (its one-time setup link is shown once), and on a user's page
//! change the role, disable or enable, reset the password (a new link), sign them out
//! everywhere. Every change goes through `console::users`, which audits it.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler, post};
use serde::Deserialize;

use crate::console::page::{self, Chrome};
use crate::console::role::{Can, Role};
use crate::console::users::{self, NewUser, when};
use crate::console::{Console, Viewer, now_us, paging, setup_links};
use crate::error::Error;
use entities::console_user::Model as User;

mod changes;

const HERE: &str = "/console/admin";

/// Adds the users pages' routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/users", get(list).post(create))
        .at("/admin/users/:username", get(show))
        .at("/admin/users/:username/role", post(changes::set_role))
        .at("/admin/users/:username/disable", post(changes::disable))
        .at("/admin/users/:username/enable", post(changes::enable))
        .at("/admin/users/:username/reset", post(changes::reset))
        .at(
            "/admin/users/:username/sign-out-everywhere",
            post(changes::sign_out_everywhere),
        )
}

/// One user as a row of the list.
struct Row {
    username: String,
    name: String,
    role: String,
    status: &'static str,
    last_sign_in: String,
}

fn status(user: &User) -> &'static str {
    match (user.disabled_us, &user.password_hash) {
        (Some(_), _) => "Disabled",
        (None, None) => "No password yet",
        (None, Some(_)) => "Active",
    }
}

impl Row {
    fn of(user: &User) -> Row {
        Row {
            username: user.username.clone(),
            name: user.display_name.clone(),
            role: user.role.clone(),
            status: status(user),
            last_sign_in: when(user.last_sign_in_us),
        }
    }
}

/// A role as the forms offer it.
struct RoleOption {
    value: &'static str,
    label: String,
    selected: bool,
}

fn role_options(selected: &str) -> Vec<RoleOption> {
    Role::ALL
        .iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: format!("{}: {}", r.as_str(), r.describe()),
            selected: r.as_str() == selected,
        })
        .collect()
}

/// What the create form holds (kept when it comes back with an error).
#[derive(Deserialize, Default)]
struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    title: &'static str,
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    form: CreateForm,
    roles: Vec<RoleOption>,
    /// The field the error is about (`username`, `email`, `role`, `name`).
    error_field: &'static str,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
}

async fn list_page(
    viewer: &Viewer,
    console: &Console,
    after: Option<&str>,
    form: CreateForm,
    error: Option<(&'static str, String)>,
) -> poem::Result<ListPage> {
    let after: Option<String> = paging::decode(after);
    let rows = users::list(&console.db.conn, after.as_deref(), paging::PAGE + 1)
        .await
        .map_err(|e| page::internal(&e))?;
    let (rows, more) = paging::split(rows, paging::PAGE);
    let next = more
        .then(|| rows.last().map(|u| paging::encode(&u.username)))
        .flatten();
    let roles = role_options(&form.role);
    let (error_field, error) = match error {
        Some((field, message)) => (field, Some(message)),
        None => ("", None),
    };
    Ok(ListPage {
        title: "Console users",
        chrome: Chrome::new(viewer, HERE),
        rows: rows.iter().map(Row::of).collect(),
        next,
        form,
        roles,
        error_field,
        error,
    })
}

/// `GET /console/admin/users`.
#[handler]
async fn list(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(q): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let page_data = list_page(
        &viewer,
        console,
        q.after.as_deref(),
        CreateForm::default(),
        None,
    )
    .await?;
    page::render(&page_data)
}

#[derive(Template)]
#[template(path = "user_link.html")]
struct LinkPage {
    title: &'static str,
    chrome: Chrome,
    username: String,
    what: &'static str,
    link: String,
}

fn link_page(
    viewer: &Viewer,
    console: &Console,
    username: &str,
    what: &'static str,
    token: &str,
) -> poem::Result<Response> {
    page::render(&LinkPage {
        title: "One-time setup link",
        chrome: Chrome::new(viewer, HERE),
        username: username.to_owned(),
        what,
        link: setup_links::url(&console.config.public_url, token),
    })
}

/// Which create-form field an error is about, from its message.
fn field_of(message: &str) -> &'static str {
    if message.contains("username") || message.contains("console user named") {
        "username"
    } else if message.contains("email") {
        "email"
    } else if message.contains("role") {
        "role"
    } else {
        "name"
    }
}

/// `POST /console/admin/users`: creates a user and shows their setup link once.
#[handler]
async fn create(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Form(form): Form<CreateForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let role = form.role.parse::<Role>().ok();
    let new = NewUser {
        username: form.username.clone(),
        display_name: form.name.clone(),
        email: Some(form.email.trim().to_owned()).filter(|e| !e.is_empty()),
        role,
        org_units: form.team.split(',').map(str::to_owned).collect(),
    };
    match users::create(&console.db, &viewer.actor(), new, None, now_us()).await {
        Ok(created) => match created.setup_token {
            Some(token) => link_page(&viewer, console, &created.user.username, "created", &token),
            None => Err(page::internal(&"a user was created without a setup link")),
        },
        Err(Error::BadRequest(m)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let p = list_page(&viewer, console, None, form, Some((field_of(&m), m))).await?;
            page::render_status(status, &p)
        }
        Err(Error::Conflict(m)) => {
            let p = list_page(&viewer, console, None, form, Some(("username", m))).await?;
            page::render_status(StatusCode::CONFLICT, &p)
        }
        Err(e) => Err(page::from_error(e)),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    title: String,
    chrome: Chrome,
    user: Row,
    email: String,
    team: String,
    disabled: bool,
    is_me: bool,
    roles: Vec<RoleOption>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

/// The fixed confirmation of what a form on the user's page did.
fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "role" => "The role was changed.",
        "disable" => "The user is disabled and their sessions ended.",
        "enable" => "The user is enabled again.",
        "sign-out" => "The user is signed out everywhere.",
        _ => return None,
    })
}

async fn user_page(
    viewer: &Viewer,
    console: &Console,
    username: &str,
    error: Option<String>,
    done: Option<&str>,
) -> poem::Result<UserPage> {
    let user = users::find(&console.db.conn, username)
        .await
        .map_err(|e| page::internal(&e))?
        .ok_or_else(|| {
            page::problem(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!("There is no console user named `{username}`."),
            )
        })?;
    Ok(UserPage {
        title: format!("Console user {}", user.username),
        chrome: Chrome::new(viewer, HERE).with_notice(notice(done)),
        email: user.email.clone().unwrap_or_default(),
        team: users::org_units(&user).join(", "),
        disabled: user.disabled_us.is_some(),
        is_me: viewer.user_id == Some(user.id),
        roles: role_options(&user.role),
        user: Row::of(&user),
        error,
    })
}

/// `GET /console/admin/users/:username`.
#[handler]
async fn show(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(username): Path<String>,
    Query(q): Query<ShowQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    page::render(&user_page(&viewer, console, &username, None, q.done.as_deref()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_at_their_field() {
        assert_eq!(field_of("`A B` is not a valid username: use"), "username");
        assert_eq!(
            field_of("a console user named `ada` exists already"),
            "username"
        );
        assert_eq!(field_of("`x` is not an email address"), "email");
        assert_eq!(field_of("choose a role: admin, program"), "role");
    }

    #[test]
    fn only_known_notices_are_shown() {
        assert_eq!(notice(Some("role")), Some("The role was changed."));
        assert_eq!(notice(Some("<script>")), None);
        assert_eq!(notice(None), None);
    }
}
