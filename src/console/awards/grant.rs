//! Awarding a belt by hand (`manual::award`, as through the API).

use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Response, handler};
use serde::Deserialize;

use super::find_learner;
use super::list::{AwardDraft, ListQuery, list_page};
use crate::certification::api::manual;
use crate::console::audit::belt_names;
use crate::console::page;
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;

#[derive(Debug, Deserialize)]
pub(super) struct AwardForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) learner: String,
    #[serde(default)]
    pub(super) belt: String,
    #[serde(default)]
    pub(super) reason: String,
}

#[handler]
pub(super) async fn award(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Form(form): Form<AwardForm>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    viewer.check_csrf(&form.csrf)?;
    let conn = &console.db.conn;
    let mut draft = AwardDraft {
        learner: form.learner.clone(),
        belt: form.belt.clone(),
        reason: form.reason.clone(),
        error: None,
    };
    let result = async {
        if form.learner.trim().is_empty() {
            return Err((
                "learner",
                Error::BadRequest("Give the learner's key or email address.".into()),
            ));
        }
        let names = belt_names(conn).await.map_err(|e| ("", e))?;
        if !names.contains_key(form.belt.trim()) {
            return Err((
                "belt",
                Error::BadRequest(format!(
                    "There is no belt {:?} in the current program; choose one from the list.",
                    form.belt.trim()
                )),
            ));
        }
        let Some(key) = find_learner(conn, &form.learner)
            .await
            .map_err(|e| ("", e))?
        else {
            return Err((
                "learner",
                Error::NotFound(format!(
                    "No learner is known as {:?}. Learners are known once they have \
                     launched a course; check the key or email.",
                    form.learner.trim()
                )),
            ));
        };
        manual::award(
            &console.db,
            &viewer.actor(),
            &key,
            form.belt.trim(),
            Some(form.reason.as_str()),
            crate::console::now_us(),
        )
        .await
        .map_err(|e| (field_of(&e), e))
    }
    .await;
    let status = match result {
        Ok(row) => {
            return Ok(page::see_other(&format!(
                "/console/awards/{}?done=awarded",
                row.id
            )));
        }
        Err((field, Error::BadRequest(m))) => {
            draft.error = Some((field, m));
            StatusCode::BAD_REQUEST
        }
        Err((field, Error::NotFound(m))) => {
            draft.error = Some((field, m));
            StatusCode::NOT_FOUND
        }
        Err((field, Error::Conflict(m))) => {
            draft.error = Some((field, m));
            StatusCode::CONFLICT
        }
        Err((_, e)) => return Err(page::from_error(e)),
    };
    let page = list_page(console, &viewer, &ListQuery::default(), draft)
        .await
        .map_err(page::from_error)?;
    page::render_status(status, &page)
}

/// Which field a domain message is about (its messages name the field as `` `field` ``).
pub(super) fn field_of(e: &Error) -> &'static str {
    let text = e.to_string();
    ["reason", "valid_until", "learner", "belt"]
        .into_iter()
        .find(|f| text.contains(&format!("`{f}`")))
        .unwrap_or(match e {
            Error::Conflict(_) => "belt",
            _ => "",
        })
}
