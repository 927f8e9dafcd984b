//! The review queue: oldest first, by state and belt, a reviewer's belts only.

use std::collections::BTreeSet;

use askama::Template;
use poem::web::{Data, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::who;
use crate::certification::evidence::store::{self, Filter};
use crate::console::audit::{belt_names, learner_names, when};
use crate::console::page::{self, Chrome};
use crate::console::paging;
use crate::console::role::Can;
use crate::console::{Console, Viewer};

/// Queue states one can filter by (`all` shows every state).
pub(super) const STATES: [&str; 5] = ["pending", "approved", "rejected", "withdrawn", "all"];

#[derive(Debug, Default, Deserialize)]
pub(super) struct QueueQuery {
    #[serde(default)]
    pub(super) state: String,
    #[serde(default)]
    pub(super) belt: String,
    pub(super) after: Option<String>,
}

pub(super) struct QueueRow {
    pub(super) id: i64,
    pub(super) submitted: String,
    pub(super) learner: String,
    pub(super) belt: String,
    pub(super) requirement: String,
    pub(super) kind: String,
    pub(super) status: String,
}

pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

#[derive(Template)]
#[template(path = "evidence.html")]
pub(super) struct QueuePage {
    pub(super) title: String,
    pub(super) chrome: Chrome,
    pub(super) states: Vec<Choice>,
    pub(super) belts: Vec<Choice>,
    pub(super) rows: Vec<QueueRow>,
    pub(super) next: Option<String>,
    /// A reviewer listed for no belt yet.
    pub(super) reviews_nothing: bool,
    /// Program and admin: a link to assign reviewers.
    pub(super) may_assign: bool,
}

#[handler]
pub(super) async fn queue(
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
