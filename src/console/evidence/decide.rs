//! The decision (`review::decide`, as through the API), or the page again with why not.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Response, handler};
use serde::Deserialize;

use super::item::{item_page, readable};
use super::who;
use crate::certification::evidence::review::{self, Decision};
use crate::certification::evidence::store::{self};
use crate::console::page::{self};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use entities::cert_evidence;

#[derive(Debug, Deserialize)]
pub(super) struct DecideForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) decision: String,
    #[serde(default)]
    pub(super) comment: String,
}

#[handler]
pub(super) async fn decide(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> poem::Result<Response> {
    viewer.require(Can::ReviewEvidence)?;
    viewer.check_csrf(&form.csrf)?;
    let row = readable(console, &viewer, id).await?;
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => {
            return again(
                console,
                &viewer,
                row,
                StatusCode::BAD_REQUEST,
                "Choose Approve or Reject.".into(),
                form.comment,
            )
            .await;
        }
    };
    let comment = Some(form.comment.as_str());
    match review::decide(
        &console.db,
        &who(&viewer),
        id,
        decision,
        comment,
        crate::console::now_us(),
    )
    .await
    {
        Ok(_) => Ok(page::see_other(&format!(
            "/console/evidence/{id}?decided=true"
        ))),
        Err(Error::BadRequest(m)) => {
            again(
                console,
                &viewer,
                row,
                StatusCode::BAD_REQUEST,
                m,
                form.comment,
            )
            .await
        }
        Err(Error::Conflict(m)) => {
            // Decided meanwhile (by someone else): show what it is now.
            let row = store::get(&console.db.conn, id)
                .await
                .map_err(page::from_error)?;
            again(console, &viewer, row, StatusCode::CONFLICT, m, form.comment).await
        }
        Err(e) => Err(page::from_error(e)),
    }
}

/// The submission again, with the form's error in place and what was typed kept.
pub(super) async fn again(
    console: &Console,
    viewer: &Viewer,
    row: cert_evidence::Model,
    status: StatusCode,
    error: String,
    comment: String,
) -> poem::Result<Response> {
    let page = item_page(console, viewer, row, Some(error), comment)
        .await
        .map_err(page::from_error)?;
    page::render_status(status, &page)
}
