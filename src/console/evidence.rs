//! `/console/evidence`: the review queue (oldest first; a reviewer sees the belts they
//! review, program and admin every belt), one submission with its file and earlier
//! submissions, and the decision, made through the same domain call as the JSON API
//! (`review::decide`: audited, and an approval awards a completed belt in the same
//! transaction).
//!
//! A console user acts as `console:<username>`: that is their audit actor and the key
//! they are listed under as a belt's reviewer. Admin and program users review every belt.

mod reviewers;
mod standing;

use std::collections::BTreeSet;

use askama::Template;
use poem::http::{StatusCode, header};
use poem::web::{Data, Form, Path, Query};
use poem::{Body, Response, Route, get, handler};
use serde::Deserialize;

use super::audit::{belt_names, learner_names, when};
use super::page::{self, Chrome};
use super::paging;
use super::role::{Can, Role};
use super::{Console, Viewer};
use crate::certification::api::queries::{self, AwardFilter};
use crate::certification::evidence::file;
use crate::certification::evidence::review::{self, Decision, MAX_COMMENT_CHARS};
use crate::certification::evidence::store::{self, Filter};
use crate::certification::reviewers::Who;
use crate::error::Error;
use entities::cert_evidence;

/// How the console acts in certification terms: admin and program users review every
/// belt (as an API admin credential does); a reviewer the belts they are listed for.
pub fn who(viewer: &Viewer) -> Who {
    Who {
        actor: viewer.actor(),
        admin: matches!(viewer.role, Role::Admin | Role::Program),
        learner: None,
    }
}

/// Queue states one can filter by (`all` shows every state).
const STATES: [&str; 5] = ["pending", "approved", "rejected", "withdrawn", "all"];

#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    belt: String,
    after: Option<String>,
}

struct QueueRow {
    id: i64,
    submitted: String,
    learner: String,
    belt: String,
    requirement: String,
    kind: String,
    status: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct QueuePage {
    title: String,
    chrome: Chrome,
    states: Vec<Choice>,
    belts: Vec<Choice>,
    rows: Vec<QueueRow>,
    next: Option<String>,
    /// A reviewer listed for no belt yet.
    reviews_nothing: bool,
    /// Program and admin: a link to assign reviewers.
    may_assign: bool,
}

#[handler]
async fn queue(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(q): Query<QueueQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ReviewEvidence)?;
    let conn = &console.db.conn;
    let who = who(&viewer);
    let reviewed = who.reviewed_belts(conn).await.map_err(page::from_error)?;
    let state = if STATES.contains(&q.state.as_str()) {
        q.state.as_str()
    } else {
        "pending"
    };
    let names = belt_names(conn).await.map_err(page::from_error)?;
    let belt = Some(q.belt.trim()).filter(|b| !b.is_empty() && names.contains_key(*b));
    let filter = Filter {
        status: (state != "all").then(|| state.to_owned()),
        belt_id: belt.map(str::to_owned),
        learner_key: None,
        belts: reviewed.clone(),
        own_learner: None,
    };
    let after = paging::decode::<i64>(q.after.as_deref());
    let found = store::list(conn, &filter, paging::PAGE + 1, after)
        .await
        .map_err(page::from_error)?;
    let (found, more) = paging::split(found, paging::PAGE);
    let next = more
        .then(|| found.last().map(|r| r.id))
        .flatten()
        .map(|id| {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            s.append_pair("state", state);
            if let Some(b) = belt {
                s.append_pair("belt", b);
            }
            s.append_pair("after", &paging::encode(&id));
            format!("/console/evidence?{}", s.finish())
        });
    let keys: BTreeSet<String> = found.iter().map(|r| r.learner_key.clone()).collect();
    let people = learner_names(conn, &keys).await.map_err(page::from_error)?;
    let rows = found
        .into_iter()
        .map(|r| QueueRow {
            id: r.id,
            submitted: when(r.submitted_us),
            learner: people.get(&r.learner_key).cloned().unwrap_or(r.learner_key),
            belt: names.get(&r.belt_id).cloned().unwrap_or(r.belt_id),
            requirement: r.requirement_id,
            kind: r.kind,
            status: r.status,
        })
        .collect();
    // The belt filter offers the belts this person reviews.
    let mut belt_choices: Vec<Choice> = names
        .iter()
        .filter(|(id, _)| reviewed.as_ref().is_none_or(|r| r.contains(id)))
        .map(|(id, name)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: belt == Some(id.as_str()),
        })
        .collect();
    belt_choices.sort_by(|a, b| a.label.cmp(&b.label));
    page::render(&QueuePage {
        title: "Evidence review".into(),
        chrome: Chrome::new(&viewer, "/console/evidence"),
        states: STATES
            .iter()
            .map(|s| Choice {
                value: (*s).to_owned(),
                label: (*s).to_owned(),
                selected: *s == state,
            })
            .collect(),
        belts: belt_choices,
        rows,
        next,
        reviews_nothing: reviewed.as_ref().is_some_and(Vec::is_empty),
        may_assign: viewer.role.can(Can::ChangeProgram),
    })
}

#[derive(Debug, Default, Deserialize)]
struct ItemQuery {
    /// Set by the redirect after a decision: the page says what it led to.
    #[serde(default)]
    decided: bool,
}

struct Earlier {
    id: i64,
    submitted: String,
    status: String,
    decided_by: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "evidence_item.html")]
struct ItemPage {
    title: String,
    chrome: Chrome,
    e: cert_evidence::Model,
    learner: String,
    belt: String,
    submitted: String,
    decided: String,
    file_size: String,
    earlier: Vec<Earlier>,
    /// The decision form is shown (pending, and this person may decide it).
    may_decide: bool,
    error: Option<String>,
    comment: String,
    max_comment: usize,
}

#[handler]
async fn open(
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

#[derive(Debug, Deserialize)]
struct DecideForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

#[handler]
async fn decide(
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
        super::now_us(),
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
async fn again(
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

async fn item_page(
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
async fn outcome(console: &Console, row: &cert_evidence::Model) -> Result<String, Error> {
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
async fn readable(
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

/// The file, always as an attachment and never sniffed, so a browser does not render
/// it (HTML or SVG could run script on the console's origin); types without a known
/// signature are sent as bytes.
#[handler]
async fn download(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
) -> poem::Result<Response> {
    viewer.require(Can::ReviewEvidence)?;
    let row = readable(console, &viewer, id).await?;
    let (Some(sha), Some(media_type)) = (row.file_sha256.as_deref(), row.media_type.as_deref())
    else {
        return Err(page::problem(
            StatusCode::NOT_FOUND,
            "Not a file",
            &format!("Evidence {id} is {} evidence, not a file.", row.kind),
        ));
    };
    let bytes = store::file_bytes(&console.db.conn, sha)
        .await
        .map_err(page::from_error)?;
    let content_type = if file::DEFAULT_MEDIA_TYPES.contains(&media_type) {
        media_type
    } else {
        "application/octet-stream"
    };
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                file::safe_file_name(row.file_name.as_deref(), id)
            ),
        )
        .header("x-content-type-options", "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_vec(bytes)))
}

/// A size in words: `812 bytes`, `14.2 KiB`, `3.1 MiB`.
fn size_text(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    let route = route
        .at("/evidence", get(queue))
        .at("/evidence/:id", get(open))
        .at("/evidence/:id/decide", poem::post(decide))
        .at("/evidence/:id/file", get(download));
    reviewers::routes(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_bytes_kib_and_mib() {
        assert_eq!(size_text(812), "812 bytes");
        assert_eq!(size_text(14_540), "14.2 KiB");
        assert_eq!(size_text(3 * 1024 * 1024), "3.0 MiB");
    }
}
