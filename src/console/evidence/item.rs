//! One submission: its facts, file and earlier submissions; after a decision, what it
//! led to; who may read it.

use std::collections::BTreeSet;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::{standing, who};
use crate::certification::api::queries::{self, AwardFilter};
use crate::certification::evidence::review::{self, MAX_COMMENT_CHARS};
use crate::certification::evidence::store::{self, Filter};
use crate::console::audit::{belt_names, learner_names, when};
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use entities::cert_evidence;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ItemQuery {
    /// Set by the redirect after a decision: the page says what it led to.
    #[serde(default)]
    pub(super) decided: bool,
}

pub(super) struct Earlier {
    pub(super) id: i64,
    pub(super) submitted: String,
    pub(super) status: String,
    pub(super) decided_by: String,
    pub(super) comment: String,
}

#[derive(Template)]
#[template(path = "evidence_item.html")]
pub(super) struct ItemPage {
    pub(super) title: String,
    pub(super) chrome: Chrome,
    pub(super) e: cert_evidence::Model,
    pub(super) learner: String,
    pub(super) belt: String,
    pub(super) submitted: String,
    pub(super) decided: String,
    pub(super) file_size: String,
    pub(super) earlier: Vec<Earlier>,
    /// The decision form is shown (pending, and this person may decide it).
    pub(super) may_decide: bool,
    pub(super) error: Option<String>,
    pub(super) comment: String,
    pub(super) max_comment: usize,
}

#[handler]
pub(super) async fn open(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Query(q): Query<ItemQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ReviewEvidence)?;
    let row = readable(console, &viewer, id).await?;
    let notice = if q.decided {
        Some(outcome(console, &row).await.map_err(page::from_error)?)
    } else {
        None
    };
    let page = item_page(console, &viewer, row, None, String::new())
        .await
        .map_err(page::from_error)?;
    let page = ItemPage {
        chrome: page.chrome.with_notice(notice.as_deref()),
        ..page
    };
    page::render(&page)
}

pub(super) async fn item_page(
    console: &Console,
    viewer: &Viewer,
    row: cert_evidence::Model,
    error: Option<String>,
    comment: String,
) -> Result<ItemPage, Error> {
    let conn = &console.db.conn;
    let who = who(viewer);
    let names = belt_names(conn).await?;
    let people = learner_names(conn, &BTreeSet::from([row.learner_key.clone()])).await?;
    let earlier = store::list(
        conn,
        &Filter {
            belt_id: Some(row.belt_id.clone()),
            learner_key: Some(row.learner_key.clone()),
            ..Filter::default()
        },
        100,
        None,
    )
    .await?
    .into_iter()
    .filter(|e| e.id != row.id && e.requirement_id == row.requirement_id)
    .map(|e| Earlier {
        id: e.id,
        submitted: when(e.submitted_us),
        status: e.status,
        decided_by: e.decided_by.unwrap_or_default(),
        comment: e.comment.unwrap_or_default(),
    })
    .collect();
    let may_decide = row.status == "pending"
        && who.reviews(conn, &row.belt_id).await?
        && row.submitted_by != who.actor;
    let learner = people
        .get(&row.learner_key)
        .cloned()
        .unwrap_or_else(|| row.learner_key.clone());
    Ok(ItemPage {
        title: format!("Evidence {}", row.id),
        chrome: Chrome::new(viewer, "/console/evidence"),
        learner,
        belt: names
            .get(&row.belt_id)
            .cloned()
            .unwrap_or_else(|| row.belt_id.clone()),
        submitted: when(row.submitted_us),
        decided: row.decided_us.map(when).unwrap_or_default(),
        file_size: row.file_bytes.map(size_text).unwrap_or_default(),
        earlier,
        may_decide,
        error,
        comment,
        max_comment: MAX_COMMENT_CHARS,
        e: row,
    })
}

/// What a decision led to, in a sentence: whether the learner now holds the belt.
pub(super) async fn outcome(
    console: &Console,
    row: &cert_evidence::Model,
) -> Result<String, Error> {
    let conn = &console.db.conn;
    let names = belt_names(conn).await?;
    let belt = names
        .get(&row.belt_id)
        .cloned()
        .unwrap_or_else(|| row.belt_id.clone());
    let people = learner_names(conn, &BTreeSet::from([row.learner_key.clone()])).await?;
    let learner = people
        .get(&row.learner_key)
        .cloned()
        .unwrap_or_else(|| "The learner".to_owned());
    Ok(match row.status.as_str() {
        "approved" => {
            let held = queries::awards(
                conn,
                &AwardFilter {
                    status: Some("active".into()),
                    belt_id: Some(row.belt_id.clone()),
                    learner_key: Some(row.learner_key.clone()),
                },
                1,
                None,
            )
            .await?;
            standing::after_approval(
                conn,
                &row.learner_key,
                &row.belt_id,
                !held.is_empty(),
                &learner,
                &belt,
            )
            .await?
        }
        "rejected" => format!("Rejected. {learner} can see your comment and submit again."),
        other => format!("This evidence is {other}."),
    })
}

/// The evidence if this person may read it: a reviewer sees only the belts they review
/// (404 otherwise, as if there were none: another belt's queue is not theirs to know).
pub(super) async fn readable(
    console: &Console,
    viewer: &Viewer,
    id: i64,
) -> poem::Result<cert_evidence::Model> {
    let conn = &console.db.conn;
    let not_found = || {
        page::problem(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("There is no evidence {id} among the belts you review."),
        )
    };
    let row = match store::get(conn, id).await {
        Ok(row) => row,
        Err(Error::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(page::from_error(e)),
    };
    if !review::may_read(conn, &who(viewer), &row)
        .await
        .map_err(page::from_error)?
    {
        return Err(not_found());
    }
    Ok(row)
}

/// A size in words: `812 bytes`, `14.2 KiB`, `3.1 MiB`.
pub(super) fn size_text(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn sizes_read_in_bytes_kib_and_mib() {
        assert_eq!(size_text(812), "812 bytes");
        assert_eq!(size_text(14_540), "14.2 KiB");
        assert_eq!(size_text(3 * 1024 * 1024), "3.0 MiB");
    }
}
