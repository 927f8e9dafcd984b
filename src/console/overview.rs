//! `/console`: the overview every role opens on: learners known, holders per belt,
//! awards of the last 30 days, evidence waiting, passback messages failed (a manager's
//! figures are their team's), and the pages the role may open.

use askama::Template;
use poem::web::Data;
use poem::{Response, Route, get, handler};

use super::learners::scope;
use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer};
use crate::certification::learners::search;
use crate::certification::program::store::current_all;

/// Days the "recent awards" figure looks back.
const RECENT_DAYS: i64 = 30;

/// A belt and its holders.
struct BeltCount {
    program: String,
    belt: String,
    holders: u64,
    /// The learner list of its holders, for a role that may see names.
    href: Option<String>,
}

/// A page the role may open, with what it is for.
struct Link {
    href: &'static str,
    label: &'static str,
    about: &'static str,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct Overview {
    title: String,
    chrome: Chrome,
    /// "your team's" for a manager.
    whose: &'static str,
    learners: u64,
    belts: Vec<BeltCount>,
    recent_awards: u64,
    evidence_pending: u64,
    passback_failed: u64,
    links: Vec<Link>,
}

const LINKS: &[(&str, &str, &str, Can)] = &[
    (
        "/console/learners",
        "Learners",
        "find a learner, their belts, progress and timeline",
        Can::SeeLearners,
    ),
    (
        "/console/program",
        "Program",
        "belts, their requirements, holders and who is close to the next one",
        Can::SeeAggregates,
    ),
    (
        "/console/surveys",
        "Surveys",
        "the anonymous surveys' results: answer counts, shares and free text",
        Can::SeeSurveys,
    ),
    (
        "/console/evidence",
        "Evidence",
        "submissions waiting for a decision",
        Can::ReviewEvidence,
    ),
    (
        "/console/awards",
        "Awards",
        "award, revoke or extend a belt",
        Can::ChangeAwards,
    ),
    (
        "/console/statements",
        "Statements",
        "explore the xAPI statements",
        Can::SeeStatements,
    ),
    (
        "/console/admin",
        "Administration",
        "credentials, packages, LTI, passback and console users",
        Can::Administer,
    ),
];

#[handler]
async fn show(viewer: Viewer, Data(console): Data<&Console>) -> poem::Result<Response> {
    viewer.require(Can::SeeAggregates)?;
    let conn = &console.db.conn;
    let who = scope::counted(conn, &viewer)
        .await
        .map_err(page::from_error)?;
    let since = super::now_us() - RECENT_DAYS * 86_400_000_000;
    // Independent counts over the whole registry: asked at once on separate pooled
    // connections, so the page waits for the slowest, not for their sum.
    let (holders, learners, recent_awards, evidence_pending, passback_failed, programs) =
        tokio::try_join!(
            search::holders(conn, &who),
            search::count(conn, &who),
            search::awards_since(conn, &who, since),
            search::evidence_pending(conn, &who),
            search::passback_failed(conn, &who),
            current_all(conn),
        )
        .map_err(page::from_error)?;
    let names_ok = viewer.role.can(Can::SeeLearners);
    let belts = programs
        .into_iter()
        .flat_map(|p| {
            let program = p.program.program.name.clone();
            let id = p.program_id.clone();
            p.program
                .belts
                .into_iter()
                .map(move |b| (id.clone(), program.clone(), b))
        })
        .map(|(id, program, b)| BeltCount {
            holders: holders.get(&(id, b.id.clone())).copied().unwrap_or(0),
            href: names_ok.then(|| {
                let id: String = url::form_urlencoded::byte_serialize(b.id.as_bytes()).collect();
                format!("/console/learners?belt={id}")
            }),
            program,
            belt: b.name,
        })
        .collect();
    let view = Overview {
        title: "Overview".into(),
        chrome: Chrome::new(&viewer, "/console"),
        whose: if viewer.role == super::role::Role::Manager {
            "Your team"
        } else {
            "Everyone"
        },
        learners,
        belts,
        recent_awards,
        evidence_pending,
        passback_failed,
        links: LINKS
            .iter()
            .filter(|(_, _, _, can)| viewer.role.can(*can))
            .map(|&(href, label, about, _)| Link { href, label, about })
            .collect(),
    };
    page::render(&view)
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/", get(show))
}
