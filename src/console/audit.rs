//! `/console/audit`: the certification audit log, newest first, filtered by actor,
//! action, learner, belt and time; keyset paging and a streamed CSV export. Also the
//! small helpers the review pages share (times and learners in words, belt names).

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Response, Route, get, handler};
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use super::page::{self, Chrome};
use super::paging;
use super::role::Can;
use super::{Console, Viewer};
use crate::certification::api::caller::learner_key_of;
use crate::certification::api::queries::{self, AuditFilter};
use crate::certification::api::view;
use crate::certification::learners;
use crate::certification::program::store::current_all;
use crate::error::Error;
use entities::cert_audit;
use poem::web::Data;

/// The filters as the form sends them (empty fields mean "any").
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub learner: String,
    #[serde(default)]
    pub belt: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    pub after: Option<String>,
}

/// One entry as shown.
pub struct Row {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub learner: String,
    pub learner_key: String,
    pub belt: String,
    pub award_id: Option<i64>,
    pub evidence_id: Option<i64>,
    pub reason: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    title: String,
    chrome: Chrome,
    q: AuditQuery,
    error: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
    export: String,
}

#[handler]
async fn list(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(q): Query<AuditQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    let conn = &console.db.conn;
    let (filter, error) = match filter_of(conn, &q).await.map_err(page::from_error)? {
        Ok(filter) => (Some(filter), None),
        Err(message) => (None, Some(message)),
    };
    let (rows, next) = match &filter {
        Some(filter) => {
            let after = paging::decode::<i64>(q.after.as_deref());
            let found = queries::audit(conn, filter, paging::PAGE + 1, after)
                .await
                .map_err(page::from_error)?;
            let (found, more) = paging::split(found, paging::PAGE);
            let next = more
                .then(|| found.last().map(|r| paging::encode(&r.id)))
                .flatten();
            (shown(conn, found).await.map_err(page::from_error)?, next)
        }
        None => (Vec::new(), None),
    };
    let template = AuditPage {
        title: "Audit log".into(),
        chrome: Chrome::new(&viewer, "/console/audit"),
        export: format!("/console/audit/export?{}", query_string(&q, None)),
        next: next.map(|n| format!("/console/audit?{}", query_string(&q, Some(&n)))),
        q,
        error: error.clone(),
        rows,
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page::render_status(status, &template)
}

/// The whole filtered log as CSV, newest first, read a page at a time as it is sent.
#[handler]
async fn export(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(q): Query<AuditQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    let filter = filter_of(&console.db.conn, &q)
        .await
        .map_err(page::from_error)?
        .map_err(|m| page::problem(StatusCode::BAD_REQUEST, "Cannot export", &m))?;
    let conn = console.db.conn.clone();
    let header = super::csv::line([
        "id", "at", "actor", "action", "learner", "belt", "award", "evidence", "reason", "details",
    ]);
    let fetch = move |after: Option<i64>, limit: u64| {
        let conn = conn.clone();
        let filter = filter.clone();
        async move { queries::audit(&conn, &filter, limit, after).await }
    };
    Ok(super::csv::keyset_download(
        "audit.csv",
        header,
        fetch,
        |r: &cert_audit::Model| r.id,
        csv_line,
    ))
}

fn csv_line(r: &cert_audit::Model) -> String {
    super::csv::line([
        r.id.to_string(),
        iso(r.at_us),
        r.actor.clone(),
        r.action.clone(),
        r.learner_key.clone().unwrap_or_default(),
        r.belt_id.clone().unwrap_or_default(),
        r.award_id.map(|i| i.to_string()).unwrap_or_default(),
        r.evidence_id.map(|i| i.to_string()).unwrap_or_default(),
        r.reason.clone().unwrap_or_default(),
        r.details.to_string(),
    ])
}

/// The log's filter, or what is wrong with a field. A learner named by an email address
/// is looked up (an unknown one matches nothing: the key is kept as typed).
async fn filter_of(
    conn: &impl ConnectionTrait,
    q: &AuditQuery,
) -> Result<Result<AuditFilter, String>, Error> {
    let text = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    let learner_key = match text(&q.learner) {
        Some(l) => Some(
            super::awards::find_learner(conn, &l)
                .await?
                .unwrap_or_else(|| learner_key_of(&l).to_owned()),
        ),
        None => None,
    };
    Ok(dates_of(q).map(|(since_us, until_us)| AuditFilter {
        actor: text(&q.actor),
        learner_key,
        belt_id: text(&q.belt),
        action: text(&q.action),
        since_us,
        until_us,
    }))
}

fn dates_of(q: &AuditQuery) -> Result<(Option<i64>, Option<i64>), String> {
    Ok((
        day_us("since", &q.since, false)?,
        day_us("until", &q.until, true)?,
    ))
}

/// A `since`/`until` field: a date (`2027-01-31`, the whole day counts) or an RFC 3339
/// time; empty is "no bound". The message names the field.
pub fn day_us(field: &str, text: &str, end_of_day: bool) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        let day = if end_of_day {
            date.tomorrow()
                .map_err(|e| format!("field `{field}`: {e}"))?
        } else {
            date
        };
        return day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| Some(z.timestamp().as_microsecond()))
            .map_err(|e| format!("field `{field}`: {e}"));
    }
    text.parse::<jiff::Timestamp>()
        .map(|t| Some(t.as_microsecond()))
        .map_err(|_| {
            format!("field `{field}` must be a date such as 2027-01-31 (or an RFC 3339 time)")
        })
}

fn query_string(q: &AuditQuery, after: Option<&str>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("actor", &q.actor),
        ("action", &q.action),
        ("learner", &q.learner),
        ("belt", &q.belt),
        ("since", &q.since),
        ("until", &q.until),
    ] {
        if !v.trim().is_empty() {
            s.append_pair(k, v.trim());
        }
    }
    if let Some(after) = after {
        s.append_pair("after", after);
    }
    s.finish()
}

async fn shown(
    conn: &impl ConnectionTrait,
    rows: Vec<cert_audit::Model>,
) -> Result<Vec<Row>, Error> {
    let keys: BTreeSet<String> = rows.iter().filter_map(|r| r.learner_key.clone()).collect();
    let people = learner_names(conn, &keys).await?;
    let belts = belt_names(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let key = r.learner_key.unwrap_or_default();
            Row {
                id: r.id,
                at: when(r.at_us),
                actor: r.actor,
                action: r.action,
                learner: people.get(&key).cloned().unwrap_or_else(|| key.clone()),
                learner_key: key,
                belt: r
                    .belt_id
                    .map(|b| belts.get(&b).cloned().unwrap_or(b))
                    .unwrap_or_default(),
                award_id: r.award_id,
                evidence_id: r.evidence_id,
                reason: r.reason.unwrap_or_default(),
                details: details_text(&r.details),
            }
        })
        .collect())
}

/// The details object in one line (empty when there is none).
fn details_text(details: &serde_json::Value) -> String {
    match details.as_object() {
        Some(map) if map.is_empty() => String::new(),
        _ => details.to_string(),
    }
}

/// A time in RFC 3339 (CSV cells, for spreadsheets and scripts).
pub fn iso(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A time as people read it: `2026-12-07 10:45 UTC`.
pub fn when(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Learners' names (or emails) by key, for the learners that are known.
pub async fn learner_names(
    conn: &impl ConnectionTrait,
    keys: &BTreeSet<String>,
) -> Result<HashMap<String, String>, Error> {
    Ok(learners::store::find_many(conn, keys)
        .await?
        .into_iter()
        .filter_map(|(key, l)| {
            let email = l.email.map(|e| e.trim_start_matches("mailto:").to_owned());
            l.name.or(email).map(|name| (key, name))
        })
        .collect())
}

/// The current program's belt names by id.
pub async fn belt_names(conn: &impl ConnectionTrait) -> Result<HashMap<String, String>, Error> {
    Ok(view::belt_names(&current_all(conn).await?))
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/audit", get(list))
        .at("/audit/export", get(export))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_bound_covers_the_whole_day() {
        let since = day_us("since", "2027-01-31", false).unwrap().unwrap();
        let until = day_us("until", "2027-01-31", true).unwrap().unwrap();
        assert_eq!(until - since, 86_400_000_000);
        assert_eq!(day_us("since", " ", false).unwrap(), None);
        assert!(
            day_us("until", "31/01/2027", true)
                .unwrap_err()
                .contains("`until`")
        );
    }

    #[test]
    fn times_read_in_utc_minutes() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
    }
}
