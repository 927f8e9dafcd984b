//! `/console/learners/:key`: one learner's record: identity and attributes, belts held
//! and lapsed (with their credentials), per-course and per-AU standing, a timeline of
//! their statements, evidence, launches and passback state. A learner outside the
//! viewer's team is "not found" (404), so the page does not tell who exists.

pub mod belts;
pub mod timeline;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Response, Route, get, handler};
use serde::Deserialize;

use self::belts::BeltLine;
use self::timeline::Timeline;
use super::learners::{rows, scope};
use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer};
use crate::certification::api::view::belt_names;
use crate::certification::evidence::store as evidence_store;
use crate::certification::learners::record::{self, Launch, Passback};
use crate::certification::learners::search;
use crate::certification::program::store::current_all;
use crate::launch::report::{RegistrationProgress, for_learner};
use entities::{cert_award, cert_evidence};

/// Launches and passback messages shown (the latest).
const RECENT: u64 = 20;

/// A time as people read it (UTC, to the minute).
pub fn when(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// `?after=` of the timeline.
#[derive(Debug, Default, Deserialize)]
struct TimelineQuery {
    after: Option<String>,
}

/// One evidence submission.
struct EvidenceLine {
    belt: String,
    requirement: String,
    kind: String,
    status: String,
    submitted: String,
    decided: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "learner.html")]
struct LearnerPage {
    title: String,
    chrome: Chrome,
    key: String,
    name: String,
    email: String,
    first_seen: String,
    attributes: Vec<(String, String)>,
    belts: Vec<BeltLine>,
    courses: Vec<RegistrationProgress>,
    timeline: Timeline,
    /// The page's own address (the timeline's links add `?after=`).
    here: String,
    later_page: bool,
    evidence: Vec<EvidenceLine>,
    launches: Vec<Launch>,
    passbacks: Vec<Passback>,
}

impl LearnerPage {
    fn score(&self, score: &Option<f64>) -> String {
        score.map(|s| format!("{s}")).unwrap_or_else(|| "—".into())
    }

    fn time(&self, us: &i64) -> String {
        when(*us)
    }

    fn launch_state(&self, l: &Launch) -> &'static str {
        match (l.abandoned, l.terminated_us, l.initialized_us) {
            (true, _, _) => "Abandoned",
            (false, Some(_), _) => "Finished",
            (false, None, Some(_)) => "In progress",
            (false, None, None) => "Launched, not started",
        }
    }

    fn passback_state(&self, p: &Passback) -> &'static str {
        match p.state.as_str() {
            "pending" => "Queued",
            "delivered" => "Delivered",
            "failed" => "Failed",
            "superseded" => "Replaced by a newer score",
            _ => "Unknown",
        }
    }

    fn words(&self, status: &str) -> String {
        status.replace('_', " ")
    }
}

fn not_found() -> poem::Error {
    page::problem(
        StatusCode::NOT_FOUND,
        "No such learner",
        "No learner you can see has this key. Find learners on the Learners page.",
    )
}

#[handler]
async fn show(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(key): Path<String>,
    Query(query): Query<TimelineQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeLearners)?;
    let conn = &console.db.conn;
    let population = scope::people(conn, &viewer)
        .await
        .map_err(page::from_error)?;
    if !search::contains(conn, &population, &key)
        .await
        .map_err(page::from_error)?
    {
        return Err(not_found());
    }
    let learner = crate::certification::learners::find(conn, &key)
        .await
        .map_err(page::from_error)?
        .ok_or_else(not_found)?;
    let names = belt_names(&current_all(conn).await.map_err(page::from_error)?);
    let awards = crate::certification::api::queries::awards(
        conn,
        &crate::certification::api::queries::AwardFilter {
            learner_key: Some(key.clone()),
            ..Default::default()
        },
        200,
        None,
    )
    .await
    .map_err(page::from_error)?;
    let credentials = crate::badges::store::of_learner(conn, &key)
        .await
        .map_err(page::from_error)?;
    let courses = for_learner(conn, &key).await.map_err(page::from_error)?;
    let timeline = timeline::page(conn, &key, query.after.as_deref())
        .await
        .map_err(page::from_error)?;
    let evidence = evidence_store::list(
        conn,
        &evidence_store::Filter {
            learner_key: Some(key.clone()),
            ..Default::default()
        },
        100,
        None,
    )
    .await
    .map_err(page::from_error)?;
    let launches = record::launches(conn, &key, RECENT)
        .await
        .map_err(page::from_error)?;
    let passbacks = record::passbacks(conn, &key, RECENT)
        .await
        .map_err(page::from_error)?;
    let attributes = match &learner.attributes {
        serde_json::Value::Object(map) => map
            .keys()
            .map(|k| (k.clone(), rows::attribute(&learner.attributes, k)))
            .collect(),
        _ => Vec::new(),
    };
    let name = learner.name.clone().unwrap_or_default();
    page::render(&LearnerPage {
        title: if name.is_empty() {
            key.clone()
        } else {
            name.clone()
        },
        chrome: Chrome::new(&viewer, "/console/learners"),
        here: rows::href(&key),
        later_page: query.after.is_some(),
        email: rows::email(learner.email.as_deref()),
        first_seen: when(learner.created_us),
        attributes,
        belts: belts::lines(awards_newest_first(awards), &credentials, &names),
        courses,
        timeline,
        evidence: evidence
            .into_iter()
            .rev()
            .map(|e| evidence_line(e, &names))
            .collect(),
        launches,
        passbacks,
        name,
        key,
    })
}

fn awards_newest_first(mut awards: Vec<cert_award::Model>) -> Vec<cert_award::Model> {
    awards.sort_by_key(|a| std::cmp::Reverse(a.earned_us));
    awards
}

fn evidence_line(
    e: cert_evidence::Model,
    names: &std::collections::HashMap<String, String>,
) -> EvidenceLine {
    EvidenceLine {
        belt: names.get(&e.belt_id).cloned().unwrap_or(e.belt_id),
        requirement: e.requirement_id,
        kind: e.kind,
        status: e.status,
        submitted: when(e.submitted_us),
        decided: match (e.decided_us, e.decided_by) {
            (Some(at), Some(by)) => format!("{} by {by}", when(at)),
            (Some(at), None) => when(at),
            _ => "—".into(),
        },
        comment: e.comment.unwrap_or_default(),
    }
}

/// Adds this page's routes.
pub fn routes(route: Route) -> Route {
    route.at("/learners/:key", get(show))
}
