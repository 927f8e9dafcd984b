//! The awards list: filters (belt, status, learner), keyset paging, and the award form
//! shown above it (again with its error after a refused award).

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use poem::web::{Data, Query};
use poem::{Response, handler};
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use super::find_learner;
use crate::certification::api::manual::MAX_REASON_CHARS;
use crate::certification::api::queries::{self, AWARD_STATUSES, AwardFilter};
use crate::console::audit::{belt_names, learner_names, when};
use crate::console::page::{self, Chrome};
use crate::console::paging;
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::error::Error;
use entities::cert_award;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    pub(super) belt: String,
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) learner: String,
    pub(super) after: Option<String>,
}

pub(super) struct Row {
    pub(super) id: i64,
    pub(super) learner: String,
    pub(super) learner_key: String,
    pub(super) belt: String,
    pub(super) status: String,
    pub(super) earned: String,
    pub(super) valid_until: String,
    pub(super) source: String,
}

pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

/// The award form as typed, and what was wrong with it.
#[derive(Default)]
pub(super) struct AwardDraft {
    pub(super) learner: String,
    pub(super) belt: String,
    pub(super) reason: String,
    /// (field, message): the field is marked and the message shown next to it.
    pub(super) error: Option<(&'static str, String)>,
}

impl AwardDraft {
    /// The error about `field`, for the template to show next to it.
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// An error about no one field (shown above the form).
    pub(super) fn general_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| !["learner", "belt", "reason"].contains(f))
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "awards.html")]
pub(super) struct ListPage {
    pub(super) title: String,
    pub(super) chrome: Chrome,
    pub(super) belts: Vec<Choice>,
    pub(super) statuses: Vec<Choice>,
    pub(super) learner: String,
    pub(super) rows: Vec<Row>,
    pub(super) next: Option<String>,
    pub(super) export: String,
    pub(super) draft: AwardDraft,
    pub(super) award_belts: Vec<Choice>,
    pub(super) max_reason: usize,
}

#[handler]
pub(super) async fn list(
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

pub(super) async fn list_page(
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

pub(super) fn choices(names: &HashMap<String, String>, selected: &str) -> Vec<Choice> {
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
pub(super) async fn filter_of(
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

pub(super) fn query_string(q: &ListQuery, after: Option<&str>) -> String {
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

pub(super) async fn rows_of(
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
