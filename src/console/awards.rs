//! `/console/awards`: awards with filters (belt, status, learner), keyset paging and a
//! streamed CSV export; awarding a belt by hand; per award, revoking and extending. Every
//! change goes through the API's own domain calls (`manual::award`, `revoke`, `extend`),
//! so its statement and audit entry are written exactly as through the API.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler, post};
use sea_orm::ConnectionTrait;
use serde::Deserialize;
use serde_json::json;

use super::audit::{belt_names, day_us, iso, learner_names, when};
use super::page::{self, Chrome};
use super::paging;
use super::role::Can;
use super::{Console, Viewer};
use crate::certification::api::caller::learner_key_of;
use crate::certification::api::manual::{self, MAX_REASON_CHARS};
use crate::certification::api::queries::{self, AWARD_STATUSES, AwardFilter};
use crate::certification::awards::store::add_months;
use crate::certification::learners;
use crate::error::Error;
use crate::xapi::statements::index::agent_key;
use entities::cert_award;

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    belt: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    learner: String,
    after: Option<String>,
}

struct Row {
    id: i64,
    learner: String,
    learner_key: String,
    belt: String,
    status: String,
    earned: String,
    valid_until: String,
    source: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The award form as typed, and what was wrong with it.
#[derive(Default)]
struct AwardDraft {
    learner: String,
    belt: String,
    reason: String,
    /// (field, message): the field is marked and the message shown next to it.
    error: Option<(&'static str, String)>,
}

impl AwardDraft {
    /// The error about `field`, for the template to show next to it.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// An error about no one field (shown above the form).
    fn general_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| !["learner", "belt", "reason"].contains(f))
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "awards.html")]
struct ListPage {
    title: String,
    chrome: Chrome,
    belts: Vec<Choice>,
    statuses: Vec<Choice>,
    learner: String,
    rows: Vec<Row>,
    next: Option<String>,
    export: String,
    draft: AwardDraft,
    award_belts: Vec<Choice>,
    max_reason: usize,
}

#[handler]
async fn list(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(q): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    let page = list_page(console, &viewer, &q, AwardDraft::default())
        .await
        .map_err(page::from_error)?;
    page::render(&page)
}

async fn list_page(
    console: &Console,
    viewer: &Viewer,
    q: &ListQuery,
    draft: AwardDraft,
) -> Result<ListPage, Error> {
    let conn = &console.db.conn;
    let names = belt_names(conn).await?;
    let filter = filter_of(conn, q).await?;
    let after = paging::decode::<i64>(q.after.as_deref());
    let found = match &filter {
        Some(filter) => queries::awards(conn, filter, paging::PAGE + 1, after).await?,
        // A learner filter naming nobody known: nothing matches.
        None => Vec::new(),
    };
    let (found, more) = paging::split(found, paging::PAGE);
    let next = more
        .then(|| found.last().map(|r| r.id))
        .flatten()
        .map(|id| {
            format!(
                "/console/awards?{}",
                query_string(q, Some(&paging::encode(&id)))
            )
        });
    let rows = rows_of(conn, found, &names).await?;
    let mut belts = choices(&names, q.belt.trim());
    belts.insert(
        0,
        Choice {
            value: String::new(),
            label: "Every belt".into(),
            selected: q.belt.trim().is_empty(),
        },
    );
    let mut statuses: Vec<Choice> = AWARD_STATUSES
        .iter()
        .map(|s| Choice {
            value: (*s).to_owned(),
            label: (*s).to_owned(),
            selected: q.status == *s,
        })
        .collect();
    statuses.insert(
        0,
        Choice {
            value: String::new(),
            label: "Any status".into(),
            selected: !AWARD_STATUSES.contains(&q.status.as_str()),
        },
    );
    Ok(ListPage {
        title: "Awards".into(),
        chrome: Chrome::new(viewer, "/console/awards"),
        award_belts: choices(&names, draft.belt.trim()),
        belts,
        statuses,
        learner: q.learner.clone(),
        rows,
        next,
        export: format!("/console/awards/export?{}", query_string(q, None)),
        draft,
        max_reason: MAX_REASON_CHARS,
    })
}

fn choices(names: &HashMap<String, String>, selected: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> = names
        .iter()
        .map(|(id, name)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: id == selected,
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// The list's filter; `None` when the learner filter names nobody known.
async fn filter_of(
    conn: &impl ConnectionTrait,
    q: &ListQuery,
) -> Result<Option<AwardFilter>, Error> {
    let text = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    let learner_key = match text(&q.learner) {
        Some(l) => match find_learner(conn, &l).await? {
            Some(key) => Some(key),
            None => return Ok(None),
        },
        None => None,
    };
    Ok(Some(AwardFilter {
        status: text(&q.status).filter(|s| AWARD_STATUSES.contains(&s.as_str())),
        belt_id: text(&q.belt),
        learner_key,
    }))
}

fn query_string(q: &ListQuery, after: Option<&str>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("belt", &q.belt),
        ("status", &q.status),
        ("learner", &q.learner),
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

async fn rows_of(
    conn: &impl ConnectionTrait,
    found: Vec<cert_award::Model>,
    names: &HashMap<String, String>,
) -> Result<Vec<Row>, Error> {
    let keys: BTreeSet<String> = found.iter().map(|r| r.learner_key.clone()).collect();
    let people = learner_names(conn, &keys).await?;
    Ok(found
        .into_iter()
        .map(|r| Row {
            id: r.id,
            learner: people
                .get(&r.learner_key)
                .cloned()
                .unwrap_or_else(|| r.learner_key.clone()),
            learner_key: r.learner_key,
            belt: names.get(&r.belt_id).cloned().unwrap_or(r.belt_id),
            status: r.status,
            earned: when(r.earned_us),
            valid_until: r
                .valid_until_us
                .map(when)
                .unwrap_or_else(|| "never expires".into()),
            source: r.source,
        })
        .collect())
}

/// The learner a form or filter names: a learner key (`account:…|…`, `mbox:mailto:…`,
/// optionally `learner:`-prefixed) or an email address; `None` when nobody known.
pub(super) async fn find_learner(
    conn: &impl ConnectionTrait,
    text: &str,
) -> Result<Option<String>, Error> {
    let text = text.trim();
    let is_email = !text.contains(':') && text.contains('@');
    let key = if is_email || text.starts_with("mailto:") {
        let mbox = if is_email {
            format!("mailto:{text}")
        } else {
            text.to_owned()
        };
        agent_key(&json!({ "mbox": mbox }))
    } else {
        Some(learner_key_of(text).to_owned())
    };
    let Some(key) = key else {
        return Ok(None);
    };
    Ok(learners::resolve(conn, &BTreeSet::from([key.clone()]))
        .await?
        .remove(&key))
}

#[handler]
async fn export(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(q): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    let filter = filter_of(&console.db.conn, &q)
        .await
        .map_err(page::from_error)?;
    let conn = console.db.conn.clone();
    let header = super::csv::line([
        "id",
        "learner",
        "belt",
        "status",
        "earned",
        "valid_until",
        "expires",
        "source",
        "reason",
        "awarded_by",
        "revoked",
        "revoked_reason",
        "revoked_by",
    ]);
    // A filter naming nobody sends only the header.
    let fetch = move |after: Option<i64>, limit: u64| {
        let conn = conn.clone();
        let filter = filter.clone();
        async move {
            match filter {
                Some(filter) => queries::awards(&conn, &filter, limit, after).await,
                None => Ok(Vec::new()),
            }
        }
    };
    Ok(super::csv::keyset_download(
        "awards.csv",
        header,
        fetch,
        |r: &cert_award::Model| r.id,
        csv_line,
    ))
}

fn csv_line(r: &cert_award::Model) -> String {
    let opt = |v: Option<i64>| v.map(iso).unwrap_or_default();
    super::csv::line([
        r.id.to_string(),
        r.learner_key.clone(),
        r.belt_id.clone(),
        r.status.clone(),
        iso(r.earned_us),
        opt(r.valid_until_us),
        opt(r.expires_us),
        r.source.clone(),
        r.reason.clone().unwrap_or_default(),
        r.awarded_by.clone().unwrap_or_default(),
        opt(r.revoked_us),
        r.revoked_reason.clone().unwrap_or_default(),
        r.revoked_by.clone().unwrap_or_default(),
    ])
}

#[derive(Debug, Deserialize)]
struct AwardForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    learner: String,
    #[serde(default)]
    belt: String,
    #[serde(default)]
    reason: String,
}

#[handler]
async fn award(
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
            super::now_us(),
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
fn field_of(e: &Error) -> &'static str {
    let text = e.to_string();
    ["reason", "valid_until", "learner", "belt"]
        .into_iter()
        .find(|f| text.contains(&format!("`{f}`")))
        .unwrap_or(match e {
            Error::Conflict(_) => "belt",
            _ => "",
        })
}

#[derive(Debug, Default, Deserialize)]
struct OneQuery {
    /// What the form just did (`awarded`, `revoked`, `extended`): the page says so.
    #[serde(default)]
    done: String,
}

#[derive(Default)]
struct ChangeDraft {
    /// `revoke` or `extend`: which form the error belongs to.
    form: &'static str,
    reason: String,
    until: String,
    months: String,
    error: Option<(&'static str, String)>,
}

impl ChangeDraft {
    /// The error about `field` of `form`, for the template to show next to it.
    fn error_for(&self, form: &str, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| self.form == form && *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// What was typed in `form`'s `field`, kept when the form comes back with an error.
    fn kept(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        match field {
            "reason" => &self.reason,
            "until" => &self.until,
            "months" => &self.months,
            _ => "",
        }
    }
}

#[derive(Template)]
#[template(path = "award.html")]
struct OnePage {
    title: String,
    chrome: Chrome,
    a: cert_award::Model,
    learner: String,
    belt: String,
    earned: String,
    valid_until: String,
    expires: String,
    revoked: String,
    draft: ChangeDraft,
    max_reason: usize,
}

#[handler]
async fn one(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Query(q): Query<OneQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    let page = one_page(console, &viewer, id, ChangeDraft::default())
        .await
        .map_err(page::from_error)?;
    let notice = match q.done.as_str() {
        "awarded" => Some(format!(
            "Awarded {} to {}. It is in the audit log.",
            page.belt, page.learner
        )),
        "revoked" => Some(format!(
            "Revoked {} of {}. It is in the audit log.",
            page.belt, page.learner
        )),
        "extended" => Some(format!(
            "Extended: {} is now valid until {}. It is in the audit log.",
            page.belt, page.valid_until
        )),
        _ => None,
    };
    let page = OnePage {
        chrome: page.chrome.with_notice(notice.as_deref()),
        ..page
    };
    page::render(&page)
}

async fn one_page(
    console: &Console,
    viewer: &Viewer,
    id: i64,
    draft: ChangeDraft,
) -> Result<OnePage, Error> {
    let conn = &console.db.conn;
    let a = queries::award(conn, id).await?;
    let names = belt_names(conn).await?;
    let people = learner_names(conn, &BTreeSet::from([a.learner_key.clone()])).await?;
    Ok(OnePage {
        title: format!("Award {id}"),
        chrome: Chrome::new(viewer, "/console/awards"),
        learner: people
            .get(&a.learner_key)
            .cloned()
            .unwrap_or_else(|| a.learner_key.clone()),
        belt: names
            .get(&a.belt_id)
            .cloned()
            .unwrap_or_else(|| a.belt_id.clone()),
        earned: when(a.earned_us),
        valid_until: a
            .valid_until_us
            .map(when)
            .unwrap_or_else(|| "never expires".into()),
        expires: a.expires_us.map(when).unwrap_or_default(),
        revoked: a.revoked_us.map(when).unwrap_or_default(),
        a,
        draft,
        max_reason: MAX_REASON_CHARS,
    })
}

#[derive(Debug, Deserialize)]
struct RevokeForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

#[handler]
async fn revoke(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Form(form): Form<RevokeForm>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    viewer.check_csrf(&form.csrf)?;
    let result = manual::revoke(
        &console.db,
        &viewer.actor(),
        id,
        Some(form.reason.as_str()),
        super::now_us(),
    )
    .await;
    let draft = ChangeDraft {
        form: "revoke",
        reason: form.reason,
        ..ChangeDraft::default()
    };
    settle(console, &viewer, id, result.map(|_| "revoked"), draft).await
}

#[derive(Debug, Deserialize)]
struct ExtendForm {
    /// Absent: refused by `check_csrf` (403, saying why) rather than as a malformed form.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    reason: String,
}

#[handler]
async fn extend(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> poem::Result<Response> {
    viewer.require(Can::ChangeAwards)?;
    viewer.check_csrf(&form.csrf)?;
    let result = async {
        let current = queries::award(&console.db.conn, id).await?;
        let until_us = new_valid_until(
            &form.until,
            &form.months,
            current.valid_until_us,
            super::now_us(),
        )?;
        manual::extend(
            &console.db,
            &viewer.actor(),
            id,
            &iso(until_us),
            Some(form.reason.as_str()),
            super::now_us(),
        )
        .await
    }
    .await;
    let draft = ChangeDraft {
        form: "extend",
        reason: form.reason,
        until: form.until,
        months: form.months,
        ..ChangeDraft::default()
    };
    settle(console, &viewer, id, result.map(|_| "extended"), draft).await
}

/// The new end of validity from the form: a date (valid through that day) or a number
/// of months added to the current end (or to now, for a belt that never expired).
fn new_valid_until(
    until: &str,
    months: &str,
    current_us: Option<i64>,
    now_us: i64,
) -> Result<i64, Error> {
    match (until.trim(), months.trim()) {
        ("", "") => Err(Error::BadRequest(
            "field `until`: give a new date, or a number of months to add".into(),
        )),
        (date, "") => day_us("until", date, true)
            .map_err(Error::BadRequest)?
            .ok_or_else(|| Error::BadRequest("field `until` is empty".into())),
        ("", months) => {
            let n: u32 = months
                .parse()
                .ok()
                .filter(|n| (1..=120).contains(n))
                .ok_or_else(|| {
                    Error::BadRequest("field `months` must be a whole number from 1 to 120".into())
                })?;
            Ok(add_months(current_us.unwrap_or(now_us).max(now_us), n))
        }
        _ => Err(Error::BadRequest(
            "field `until`: give either a date or a number of months, not both".into(),
        )),
    }
}

/// After revoke or extend: to the award with a notice, or its page again with the error
/// next to the field it is about.
async fn settle(
    console: &Console,
    viewer: &Viewer,
    id: i64,
    result: Result<&'static str, Error>,
    mut draft: ChangeDraft,
) -> poem::Result<Response> {
    let status = match result {
        Ok(done) => {
            return Ok(page::see_other(&format!(
                "/console/awards/{id}?done={done}"
            )));
        }
        Err(Error::NotFound(m)) => {
            return Err(page::problem(StatusCode::NOT_FOUND, "Not found", &m));
        }
        Err(e @ (Error::BadRequest(_) | Error::Conflict(_))) => {
            let status = if matches!(e, Error::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            let field = match field_of(&e) {
                "valid_until" => "until",
                "" if draft.form == "extend" => "until",
                "" => "reason",
                f => f,
            };
            draft.error = Some((field, message_of(e)));
            status
        }
        Err(e) => return Err(page::from_error(e)),
    };
    let page = one_page(console, viewer, id, draft)
        .await
        .map_err(page::from_error)?;
    page::render_status(status, &page)
}

fn message_of(e: Error) -> String {
    match e {
        Error::BadRequest(m) | Error::Conflict(m) | Error::NotFound(m) => m,
        other => other.to_string(),
    }
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/awards", get(list).post(award))
        .at("/awards/export", get(export))
        .at("/awards/:id", get(one))
        .at("/awards/:id/revoke", post(revoke))
        .at("/awards/:id/extend", post(extend))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000_000;

    #[test]
    fn a_new_end_is_a_date_or_months_but_not_both() {
        let now = 1_800_000_000_000_000;
        let by_date = new_valid_until("2030-01-31", "", None, now).unwrap();
        assert_eq!(iso(by_date), "2030-02-01T00:00:00Z");
        let by_months = new_valid_until("", "2", Some(now + DAY), now).unwrap();
        assert!(by_months > now + 58 * DAY && by_months < now + 64 * DAY);
        assert!(new_valid_until("", "", None, now).is_err());
        assert!(new_valid_until("2030-01-31", "2", None, now).is_err());
        assert!(new_valid_until("", "0", None, now).is_err());
        assert!(new_valid_until("", "abc", None, now).is_err());
    }

    #[test]
    fn domain_messages_are_placed_by_the_field_they_name() {
        let e = Error::BadRequest("field `reason` is required: say why".into());
        assert_eq!(field_of(&e), "reason");
        assert_eq!(field_of(&Error::Conflict("already holds".into())), "belt");
    }
}
