//! `/console/admin/passback`: the passback queue (scores and outcomes going to LMSs) by
//! state, newest first, with each message's target, attempts and last error; a failed
//! message can be retried (the same `passback::store::retry` as the admin API), which
//! wakes the dispatcher so it is sent now.

use std::time::Duration;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Response, Route, get, handler, post};
use serde::Deserialize;
use serde_json::json;

use super::Change;
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer, csv, paging};
use crate::error::Error;
use crate::passback::store::{self, Entry, STATES};
use crate::passback::view::rfc3339;

const HERE: &str = "/console/admin/passback";

pub struct Row {
    id: i64,
    state: String,
    /// The tag's colour class; the state is always written too.
    tone: &'static str,
    protocol: &'static str,
    source: String,
    user_id: String,
    label: String,
    target: String,
    attempts: i32,
    created: String,
    due: String,
    last_error: String,
    last_status: String,
}

impl From<Entry> for Row {
    fn from(e: Entry) -> Row {
        let tone = match e.state.as_str() {
            "delivered" => "ok",
            "failed" => "bad",
            _ => "warn",
        };
        Row {
            id: e.id,
            tone,
            protocol: if e.protocol == "ags" {
                "LTI 1.3 AGS"
            } else {
                "LTI 1.1 outcomes"
            },
            source: e.source,
            user_id: e.user_id,
            label: e.label,
            target: e.lineitem_url.or(e.outcome_url).unwrap_or_default(),
            attempts: e.attempts,
            created: rfc3339(e.created_us),
            due: rfc3339(e.due_us),
            last_error: e.last_error.unwrap_or_default(),
            last_status: e.last_status.map(|s| s.to_string()).unwrap_or_default(),
            state: e.state,
        }
    }
}

#[derive(Template)]
#[template(path = "admin_passback.html")]
struct QueuePage {
    title: String,
    chrome: Chrome,
    states: &'static [&'static str],
    state: String,
    counts: Vec<(&'static str, i64)>,
    rows: Vec<Row>,
    next: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    state: String,
    after: Option<String>,
    done: Option<String>,
}

async fn queue(
    console: &Console,
    viewer: &Viewer,
    state: &str,
    after: Option<&str>,
) -> poem::Result<QueuePage> {
    let filter = STATES.iter().copied().find(|s| *s == state);
    let before: Option<i64> = paging::decode(after);
    let conn = &console.db.conn;
    let entries = store::list(conn, filter, paging::PAGE + 1, before)
        .await
        .map_err(page::from_error)?;
    let (entries, more) = paging::split(entries, paging::PAGE);
    let next = more
        .then(|| {
            entries.last().map(|e| {
                format!(
                    "{HERE}?state={}&after={}",
                    filter.unwrap_or_default(),
                    paging::encode(&e.id)
                )
            })
        })
        .flatten();
    Ok(QueuePage {
        title: "Passback queue".into(),
        chrome: Chrome::new(viewer, "/console/admin"),
        states: &STATES,
        state: filter.unwrap_or_default().to_owned(),
        counts: store::counts(conn).await.map_err(page::from_error)?,
        rows: entries.into_iter().map(Row::from).collect(),
        next,
        error: None,
    })
}

#[handler]
async fn list(
    viewer: Viewer,
    console: Data<&Console>,
    Query(q): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let mut page = queue(&console, &viewer, &q.state, q.after.as_deref()).await?;
    let notice = match q.done.as_deref() {
        Some("pending") => Some("The message is pending again and is being sent now."),
        Some("superseded") => Some(
            "The message was not sent again: a newer standing for the same learner and AU \
             is already delivered or on its way (it is marked superseded).",
        ),
        _ => None,
    };
    page.chrome = page.chrome.with_notice(notice);
    page::render(&page)
}

#[derive(Debug, Deserialize)]
struct RetryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    state: String,
}

#[handler]
async fn retry(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<RetryForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let max_age = Duration::from_secs(console.config.passback_max_age_secs);
    let Ok(id) = form.id.trim().parse::<i64>() else {
        let message = format!("Message: {:?} is not a message number.", form.id);
        return refused(
            &console,
            &viewer,
            &form.state,
            StatusCode::BAD_REQUEST,
            message,
        )
        .await;
    };
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    let refusal = match store::retry_in(&change.txn, id, crate::console::now_us(), max_age).await {
        Ok(retried) => Ok(retried),
        Err(Error::PassbackNotFound(_)) => {
            Err((StatusCode::NOT_FOUND, format!("There is no message {id}.")))
        }
        Err(Error::NotFailed(why)) => Err((StatusCode::CONFLICT, format!("Not retried: {why}."))),
        Err(e) => return Err(page::from_error(e)),
    };
    let retried = match refusal {
        Ok(retried) => retried,
        Err((status, message)) => {
            drop(change);
            return refused(&console, &viewer, &form.state, status, message).await;
        }
    };
    change
        .commit(
            &viewer,
            "passback.retry",
            json!({"message": id, "state": retried.state}),
        )
        .await
        .map_err(page::from_error)?;
    // Woken only once the retry is committed, so the dispatcher sees it pending.
    console.passback_wake.now();
    Ok(page::see_other(&format!(
        "{HERE}?state={}&done={}",
        STATES
            .iter()
            .find(|s| **s == form.state)
            .copied()
            .unwrap_or_default(),
        retried.state
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExportQuery {
    state: String,
}

/// The queue as CSV (one state, or every state), newest first.
#[handler]
async fn export(
    viewer: Viewer,
    console: Data<&Console>,
    Query(q): Query<ExportQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let state = STATES.iter().copied().find(|s| *s == q.state);
    let conn = console.db.conn.clone();
    let fetch = move |before: Option<i64>, limit: u64| {
        let conn = conn.clone();
        async move { store::list(&conn, state, limit, before).await }
    };
    Ok(csv::keyset_download(
        "passback.csv",
        csv::line([
            "id",
            "state",
            "protocol",
            "source",
            "user_id",
            "label",
            "target",
            "attempts",
            "created",
            "due",
            "last_status",
            "last_error",
        ]),
        fetch,
        |e: &Entry| e.id,
        csv_line,
    ))
}

fn csv_line(e: &Entry) -> String {
    csv::line([
        e.id.to_string(),
        e.state.clone(),
        e.protocol.clone(),
        e.source.clone(),
        e.user_id.clone(),
        e.label.clone(),
        e.lineitem_url
            .clone()
            .or_else(|| e.outcome_url.clone())
            .unwrap_or_default(),
        e.attempts.to_string(),
        rfc3339(e.created_us),
        rfc3339(e.due_us),
        e.last_status.map(|s| s.to_string()).unwrap_or_default(),
        e.last_error.clone().unwrap_or_default(),
    ])
}

/// The queue again with why nothing was retried.
async fn refused(
    console: &Console,
    viewer: &Viewer,
    state: &str,
    status: StatusCode,
    message: String,
) -> poem::Result<Response> {
    let mut page = queue(console, viewer, state, None).await?;
    page.error = Some(message);
    page::render_status(status, &page)
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/passback", get(list))
        .at("/admin/passback/export", get(export))
        .at("/admin/passback/retry", post(retry))
}
