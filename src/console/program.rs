//! `/console/program`: each current program as the engine reads it: belts in tier
//! order, requirements in words, validity and recertification, holders per belt
//! (names only for roles that see learners), and who is one requirement away from a
//! belt, checked for one chunk of learners per page view (see `engine::near`).

pub mod near;

use askama::Template;
use poem::web::{Data, Query};
use poem::{Response, Route, get, handler};
use serde::Deserialize;

use self::near::NearView;
use super::learners::{rows, scope};
use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer};
use crate::certification::learners::search::{self, Filter};
use crate::certification::program::model::Belt;
use crate::certification::program::store::current_all;
use crate::certification::program::summary::words;

/// Holders named under a belt (the rest are on the learners list filtered by it).
const NAMED_HOLDERS: u64 = 10;

#[derive(Debug, Default, Deserialize)]
struct ProgramQuery {
    /// Where the "one requirement away" check continues (a learner cursor).
    near_after: Option<String>,
}

/// A holder named on the page.
pub struct Holder {
    pub name: String,
    pub href: String,
}

struct BeltView {
    tier: usize,
    name: String,
    description: String,
    audiences: String,
    requires: String,
    validity: String,
    recertify: String,
    holders: u64,
    named: Vec<Holder>,
    /// The learners list filtered by this belt (roles that see learners).
    list: Option<String>,
}

struct ProgramView {
    name: String,
    id: String,
    version: i32,
    description: String,
    belts: Vec<BeltView>,
}

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    title: String,
    chrome: Chrome,
    programs: Vec<ProgramView>,
    names: bool,
    near: NearView,
}

fn validity(belt: &Belt) -> String {
    match belt.validity_months {
        None => "Never expires.".into(),
        Some(m) => {
            let grace = if belt.grace_days > 0 {
                format!(", then {} days of grace", belt.grace_days)
            } else {
                String::new()
            };
            format!("Valid {m} months{grace}.")
        }
    }
}

fn recertify(belt: &Belt) -> String {
    match (&belt.recertify, belt.validity_months) {
        (_, None) => String::new(),
        (Some(r), Some(_)) => format!(
            "Renewed from {} days before validity ends by: {}",
            r.window_days,
            words(&r.requires)
        ),
        (None, Some(_)) => format!(
            "Renewed by meeting its requirements again from {} days before validity ends.",
            crate::certification::engine::DEFAULT_RENEWAL_WINDOW_DAYS
        ),
    }
}

#[handler]
async fn show(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(query): Query<ProgramQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeAggregates)?;
    let conn = &console.db.conn;
    let names = viewer.role.can(Can::SeeLearners);
    let counted = scope::counted(conn, &viewer)
        .await
        .map_err(page::from_error)?;
    let people = if names {
        scope::people(conn, &viewer)
            .await
            .map_err(page::from_error)?
    } else {
        search::Population::Nobody
    };
    let holders = search::holders(conn, &counted)
        .await
        .map_err(page::from_error)?;
    let loaded = current_all(conn).await.map_err(page::from_error)?;
    let mut programs = Vec::with_capacity(loaded.len());
    for p in &loaded {
        let mut belts = Vec::with_capacity(p.program.belts.len());
        for (i, b) in p.program.belts.iter().enumerate() {
            let named = if names {
                let filter = Filter {
                    belt: Some(b.id.clone()),
                    ..Filter::default()
                };
                search::page(conn, &people, &filter, None, NAMED_HOLDERS)
                    .await
                    .map_err(page::from_error)?
                    .into_iter()
                    .map(|l| Holder {
                        href: rows::href(&l.learner_key),
                        name: l.name.unwrap_or(l.learner_key),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            belts.push(BeltView {
                tier: i + 1,
                name: b.name.clone(),
                description: b.description.clone(),
                audiences: b.audiences.join(", "),
                requires: words(&b.requires),
                validity: validity(b),
                recertify: recertify(b),
                holders: holders
                    .get(&(p.program_id.clone(), b.id.clone()))
                    .copied()
                    .unwrap_or(0),
                named,
                list: names.then(|| format!("/console/learners?belt={}", rows::segment(&b.id))),
            });
        }
        programs.push(ProgramView {
            name: p.program.program.name.clone(),
            id: p.program_id.clone(),
            version: p.version,
            description: p.program.program.description.clone(),
            belts,
        });
    }
    let population = if names { people } else { counted };
    let near = near::view(
        conn,
        loaded,
        &population,
        names,
        query.near_after.as_deref(),
    )
    .await
    .map_err(page::from_error)?;
    page::render(&ProgramPage {
        title: "Program".into(),
        chrome: Chrome::new(&viewer, "/console/program"),
        programs,
        names,
        near,
    })
}

/// Adds this page's routes.
pub fn routes(route: Route) -> Route {
    route.at("/program", get(show))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::program::model::Requirement;

    fn belt(validity: Option<u32>) -> Belt {
        Belt {
            id: "white".into(),
            name: "White".into(),
            colour: "#ffffff".into(),
            description: String::new(),
            audiences: vec![],
            requires: Requirement::Belt("x".into()),
            validity_months: validity,
            grace_days: 30,
            recertify: None,
        }
    }

    #[test]
    fn validity_reads_as_a_sentence() {
        assert_eq!(validity(&belt(None)), "Never expires.");
        assert_eq!(
            validity(&belt(Some(12))),
            "Valid 12 months, then 30 days of grace."
        );
        assert!(recertify(&belt(Some(12))).contains("30 days before"));
        assert_eq!(recertify(&belt(None)), "");
    }
}
