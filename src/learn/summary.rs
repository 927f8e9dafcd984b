//! A learner's standing, as their home and the AU's result panel show it (contract §5
//! of issue 20): the belts they hold or held, the next belt with what is met and what
//! is open in words, and the next module: the first AU of their audience's catalog not
//! yet done that counts toward that belt.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::catalog::{self, AuState, LearnerCourse};
use super::words::{Titles, named_modules, open_lines};
use crate::certification::engine::near::{Standing, standing};
use crate::certification::engine::participant::Certification;
use crate::certification::engine::rules::{BeltRef, Rules};
use crate::error::Error;
use entities::{cert_award, cert_learner};

/// A belt the learner holds or held.
#[derive(Debug, Clone, PartialEq)]
pub struct BeltState {
    pub id: String,
    pub name: String,
    pub colour: String,
    /// `held` or `expired`.
    pub state: &'static str,
}

/// The belt to work toward.
#[derive(Debug, Clone, PartialEq)]
pub struct NextBelt {
    pub id: String,
    pub name: String,
    pub colour: String,
    pub met: usize,
    pub total: usize,
    /// Requirements still open, in words.
    pub open: Vec<String>,
}

/// The AU to take next.
#[derive(Debug, Clone, PartialEq)]
pub struct NextModule {
    pub course_id: String,
    pub au_id: String,
    pub title: String,
}

/// Everything the home and the result panel show.
#[derive(Debug, Clone)]
pub struct Summary {
    pub belts: Vec<BeltState>,
    pub next: Option<NextBelt>,
    pub next_module: Option<NextModule>,
    /// The catalog for the learner's audience, with their state per AU.
    pub catalog: Vec<LearnerCourse>,
    /// AUs that count toward the next belt (the home marks them).
    pub toward_next: HashSet<String>,
}

/// The summary of `learner_key` at `now_us`.
pub async fn summarise(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    now_us: i64,
) -> Result<Summary, Error> {
    let rules = Certification::default().rules(conn).await?;
    let audiences = catalog::audiences(conn, learner_key).await?;
    let catalog = catalog::for_learner(conn, learner_key, &audiences).await?;
    let titles = titles(&rules, &catalog);
    let belts = belts_held(conn, &rules, learner_key).await?;
    let standings = standings(conn, &rules, learner_key, &belts, now_us).await?;
    let chosen = standings.into_iter().find(|s| {
        let belt = rules.belt(s.belt);
        catalog::is_for(&belt.audiences, &audiences)
    });
    let Some(chosen) = chosen else {
        return Ok(Summary {
            belts,
            next: None,
            next_module: None,
            catalog,
            toward_next: HashSet::new(),
        });
    };
    let belt = rules.belt(chosen.belt);
    let next = NextBelt {
        id: belt.id.clone(),
        name: belt.name.clone(),
        colour: belt.colour.clone(),
        met: chosen.met,
        total: chosen.need,
        open: open_lines(
            &belt.requires,
            &chosen.unmet,
            chosen.need.saturating_sub(chosen.met),
            &titles,
        ),
    };
    let toward_next = counting_aus(&chosen, &catalog);
    let next_module = catalog.iter().find_map(|course| {
        course
            .aus
            .iter()
            .find(|au| toward_next.contains(&au.au_id) && au.state != AuState::Done)
            .map(|au| NextModule {
                course_id: course.course_id.clone(),
                au_id: au.au_id.clone(),
                title: au.title.clone(),
            })
    });
    Ok(Summary {
        belts,
        next: Some(next),
        next_module,
        catalog,
        toward_next,
    })
}

/// Titles of the AUs, courses and belts requirements name.
fn titles(rules: &Rules, catalog: &[LearnerCourse]) -> Titles {
    let mut titles = Titles::default();
    for course in catalog {
        titles
            .courses
            .insert(course.course_id.clone(), course.title.clone());
        for au in &course.aus {
            titles.aus.insert(au.au_id.clone(), au.title.clone());
        }
    }
    for program in &rules.programs {
        for belt in &program.program.belts {
            titles.belts.insert(belt.id.clone(), belt.name.clone());
        }
    }
    titles
}

/// The AUs of the catalog that an unmet requirement of the belt names (an AU, or any
/// AU of a named course).
fn counting_aus(chosen: &Standing, catalog: &[LearnerCourse]) -> HashSet<String> {
    let (mut aus, mut courses) = (Vec::new(), Vec::new());
    for req in &chosen.unmet {
        named_modules(req, &mut aus, &mut courses);
    }
    let mut out: HashSet<String> = aus.into_iter().collect();
    for course in catalog.iter().filter(|c| courses.contains(&c.course_id)) {
        out.extend(course.aus.iter().map(|a| a.au_id.clone()));
    }
    out
}

/// The learner's standing on every belt they do not hold, in tier order. A learner the
/// registry does not know yet (no statement stored for them) has met nothing.
async fn standings(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learner_key: &str,
    held: &[BeltState],
    now_us: i64,
) -> Result<Vec<Standing>, Error> {
    let known = cert_learner::Entity::find_by_id(learner_key.to_owned())
        .one(conn)
        .await?
        .is_some();
    if known {
        return standing(conn, rules, learner_key, now_us).await;
    }
    let all: Vec<BeltRef> = rules.all_belts().into_iter().collect();
    let holds = |id: &str| held.iter().any(|b| b.id == id && b.state == "held");
    Ok(all
        .into_iter()
        .filter(|at| !holds(rules.belt(*at).id.as_str()))
        .map(|at| {
            let (items, need) = top_level(&rules.belt(at).requires);
            // Without facts, only a belt requirement can be known to be met.
            let unmet: Vec<_> = items
                .iter()
                .filter(|r| !matches!(r, crate::certification::program::model::Requirement::Belt(id) if holds(id.as_str())))
                .cloned()
                .collect();
            Standing {
                belt: at,
                met: (items.len() - unmet.len()).min(need),
                need,
                unmet,
            }
        })
        .collect())
}

/// A requirement's top-level items and how many are needed (as `near` counts them).
fn top_level(
    req: &crate::certification::program::model::Requirement,
) -> (
    Vec<crate::certification::program::model::Requirement>,
    usize,
) {
    use crate::certification::program::model::Requirement as R;
    match req {
        R::AllOf(list) => (list.clone(), list.len()),
        R::AtLeast(a) => (a.of.clone(), a.n as usize),
        other => (vec![other.clone()], 1),
    }
}

/// Belts held or lapsed (revoked ones are not shown as the learner's), one line per
/// belt: held wins over expired, then the newest.
async fn belts_held(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learner_key: &str,
) -> Result<Vec<BeltState>, Error> {
    let awards = cert_award::Entity::find()
        .filter(cert_award::Column::LearnerKey.eq(learner_key))
        .filter(cert_award::Column::Status.is_in(["active", "expired"]))
        .order_by_desc(cert_award::Column::EarnedUs)
        .all(conn)
        .await?;
    let mut out: Vec<BeltState> = Vec::new();
    for award in awards {
        let state = if award.status == "active" {
            "held"
        } else {
            "expired"
        };
        if let Some(seen) = out.iter_mut().find(|b| b.id == award.belt_id) {
            if state == "held" {
                seen.state = "held";
            }
            continue;
        }
        let belt = rules
            .programs
            .iter()
            .filter(|p| p.program_id == award.program_id)
            .flat_map(|p| p.program.belts.iter())
            .find(|b| b.id == award.belt_id);
        out.push(BeltState {
            name: belt.map_or_else(|| award.belt_id.clone(), |b| b.name.clone()),
            colour: belt.map_or_else(|| "#767676".to_owned(), |b| b.colour.clone()),
            id: award.belt_id,
            state,
        });
    }
    // In tier order, as the program lists them.
    let tier = |id: &str| {
        rules
            .programs
            .iter()
            .flat_map(|p| p.program.belts.iter())
            .position(|b| b.id == id)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(|b| tier(&b.id));
    Ok(out)
}
