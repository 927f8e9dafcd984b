//! `/console/evidence/reviewers`: who reviews each belt. Program and admin users list a
//! console user (`console:<username>`) as a belt's reviewer or take them off, through
//! the same domain call as the API (`manual::set_reviewer`, audited).

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Response, Route, get, handler};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::certification::api::manual;
use crate::certification::program::store::current_all;
use crate::certification::reviewers;
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use entities::console_user;

struct BeltReviewers {
    id: String,
    name: String,
    /// (reviewer key, console username when it is a console user's)
    reviewers: Vec<(String, Option<String>)>,
}

#[derive(Template)]
#[template(path = "evidence_reviewers.html")]
struct ReviewersPage {
    title: String,
    chrome: Chrome,
    belts: Vec<BeltReviewers>,
    error: Option<String>,
    belt: String,
    username: String,
}

#[handler]
async fn show(viewer: Viewer, Data(console): Data<&Console>) -> poem::Result<Response> {
    viewer.require(Can::ChangeProgram)?;
    let page = reviewers_page(console, &viewer, None, String::new(), String::new())
        .await
        .map_err(page::from_error)?;
    page::render(&page)
}

#[derive(Debug, Deserialize)]
struct ChangeForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    belt: String,
    #[serde(default)]
    username: String,
    /// `add` or `remove`.
    #[serde(default)]
    op: String,
}

#[handler]
async fn change(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Form(form): Form<ChangeForm>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeProgram)?;
    viewer.check_csrf(&form.csrf)?;
    let username = form
        .username
        .trim()
        .trim_start_matches("console:")
        .to_owned();
    let add = form.op != "remove";
    let result = async {
        if add {
            known_user(console, &username).await?;
        }
        let key = format!("console:{username}");
        reviewers::check_key(&key).map_err(|_| {
            Error::BadRequest("field `username`: give a console user's username".into())
        })?;
        manual::set_reviewer(
            &console.db,
            &viewer.actor(),
            form.belt.trim(),
            &key,
            add,
            crate::console::now_us(),
        )
        .await
    }
    .await;
    match result {
        Ok(changed) => {
            let notice = match (add, changed) {
                (true, true) => format!("{username} now reviews belt {}.", form.belt.trim()),
                (true, false) => format!("{username} already reviews that belt."),
                (false, true) => format!("{username} no longer reviews belt {}.", form.belt.trim()),
                (false, false) => format!("{username} was not a reviewer of that belt."),
            };
            let page = reviewers_page(console, &viewer, None, String::new(), String::new())
                .await
                .map_err(page::from_error)?;
            // The notice names the change just made; rendered here rather than after a
            // redirect because it carries a username (never taken from the URL).
            let page = ReviewersPage {
                chrome: page.chrome.with_notice(Some(&notice)),
                ..page
            };
            page::render(&page)
        }
        Err(Error::BadRequest(m) | Error::NotFound(m)) => {
            let page = reviewers_page(console, &viewer, Some(m), form.belt, form.username)
                .await
                .map_err(page::from_error)?;
            page::render_status(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(page::from_error(e)),
    }
}

/// 400 naming the field unless a console user has this username.
async fn known_user(console: &Console, username: &str) -> Result<(), Error> {
    let found = console_user::Entity::find()
        .filter(console_user::Column::Username.eq(username))
        .one(&console.db.conn)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(Error::BadRequest(format!(
            "field `username`: no console user is named {username:?}; create them first \
             (blackbelt users create)"
        ))),
    }
}

async fn reviewers_page(
    console: &Console,
    viewer: &Viewer,
    error: Option<String>,
    belt: String,
    username: String,
) -> Result<ReviewersPage, Error> {
    let conn = &console.db.conn;
    let mut belts = Vec::new();
    for program in current_all(conn).await? {
        for b in &program.program.belts {
            let reviewers = reviewers::store::of_belt(conn, &b.id)
                .await?
                .into_iter()
                .map(|r| {
                    let user = r.reviewer_key.strip_prefix("console:").map(str::to_owned);
                    (r.reviewer_key, user)
                })
                .collect();
            belts.push(BeltReviewers {
                id: b.id.clone(),
                name: b.name.clone(),
                reviewers,
            });
        }
    }
    Ok(ReviewersPage {
        title: "Reviewers".into(),
        chrome: Chrome::new(viewer, "/console/evidence"),
        belts,
        error,
        belt,
        username,
    })
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/evidence/reviewers", get(show).post(change))
}
