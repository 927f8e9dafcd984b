//! "One requirement away": learners who meet all but one of a belt's top-level
//! requirements and do not hold it, found with the engine's own facts and evaluation
//! (`facts::load`, `evaluate::eval`), for a given set of learners at a time so the cost
//! is bounded by the set, never by the whole registry.
//!
//! The same evaluation counts, per belt a learner does not hold, how many top-level
//! requirements are still open (`open_counts`: the evidence decision says it).
//!
//! A belt's top-level requirements are the items of its `all_of` (all needed), the
//! items of its `at_least` (n needed), or the requirement itself (one needed). A belt
//! that needs only one item is left out: everyone who does not hold it would be "one
//! requirement away" from it, which says nothing.

use sea_orm::ConnectionTrait;

use super::evaluate::{Scope, eval};
use super::facts;
use super::rules::{BeltRef, Rules};
use crate::certification::program::model::Requirement;
use crate::error::Error;

/// A learner one requirement away from a belt.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    pub learner_key: String,
    pub belt: BeltRef,
    /// What is missing, in words (`program::summary::words`).
    pub missing: String,
}

/// The top-level items of a requirement and how many of them are needed.
fn items(req: &Requirement) -> (&[Requirement], usize) {
    match req {
        Requirement::AllOf(list) => (list, list.len()),
        Requirement::AtLeast(a) => (&a.of, a.n as usize),
        other => (std::slice::from_ref(other), 1),
    }
}

/// How many of a belt's top-level requirements a learner has still open.
#[derive(Debug, Clone, PartialEq)]
pub struct Open {
    pub learner_key: String,
    pub belt: BeltRef,
    /// Items still to meet (0 when all are met and the award is not made yet).
    pub open: usize,
    /// Items the belt needs.
    pub need: usize,
}

/// For each of `learners` and each belt of the current programs they do not hold, how
/// many top-level requirements are still open, in learner then belt order.
pub async fn open_counts(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learners: &[String],
    now_us: i64,
) -> Result<Vec<Open>, Error> {
    let mut out = Vec::new();
    unheld(
        conn,
        rules,
        learners,
        now_us,
        |learner, at, _, unmet, need| {
            let met = items(&rules.belt(at).requires).0.len() - unmet.len();
            out.push(Open {
                learner_key: learner.to_owned(),
                belt: at,
                open: need.saturating_sub(met),
                need,
            });
        },
    )
    .await?;
    Ok(out)
}

/// Where one learner stands on a belt they do not hold: its top-level items still
/// unmet (to say in words) and how many of how many are met.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub belt: BeltRef,
    /// Items met, capped at `need` (an at-least-n-of with more met counts as `need`).
    pub met: usize,
    pub need: usize,
    /// The belt's top-level items not met, in the program's order.
    pub unmet: Vec<Requirement>,
}

/// For one learner, every belt of the current programs they do not hold, in program
/// then tier order, evaluated with the engine's own facts (what the learner's home and
/// the AU's result panel show).
pub async fn standing(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learner: &str,
    now_us: i64,
) -> Result<Vec<Standing>, Error> {
    let mut out = Vec::new();
    unheld(
        conn,
        rules,
        &[learner.to_owned()],
        now_us,
        |_, at, requires, unmet, need| {
            let met = items(requires).0.len() - unmet.len();
            out.push(Standing {
                belt: at,
                met: met.min(need),
                need,
                unmet: unmet.iter().map(|r| (*r).clone()).collect(),
            });
        },
    )
    .await?;
    Ok(out)
}

/// Among `learners` (registry keys), those one requirement away from a belt of the
/// current programs they do not hold, in learner then belt order.
pub async fn one_away(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learners: &[String],
    now_us: i64,
) -> Result<Vec<Near>, Error> {
    let mut out = Vec::new();
    unheld(
        conn,
        rules,
        learners,
        now_us,
        |learner, at, requires, unmet, need| {
            let list = items(requires).0;
            let met = list.len() - unmet.len();
            if need < 2 || met + 1 != need {
                return;
            }
            let missing = match (requires, unmet) {
                (Requirement::AllOf(_), [one]) => {
                    crate::certification::program::summary::words(one)
                }
                _ => {
                    let rest: Vec<String> = unmet
                        .iter()
                        .map(|r| crate::certification::program::summary::words(r))
                        .collect();
                    format!("one more of ({})", rest.join(", "))
                }
            };
            out.push(Near {
                learner_key: learner.to_owned(),
                belt: at,
                missing,
            });
        },
    )
    .await?;
    Ok(out)
}

/// Calls `seen(learner, belt, its requirement, its unmet top-level items, how many are
/// needed)` for each learner and each belt they do not hold, evaluated with the
/// engine's own facts.
async fn unheld(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learners: &[String],
    now_us: i64,
    mut seen: impl FnMut(&str, BeltRef, &Requirement, &[&Requirement], usize),
) -> Result<(), Error> {
    if rules.is_empty() || learners.is_empty() {
        return Ok(());
    }
    let patterns: Vec<usize> = (0..rules.patterns.len()).collect();
    let all = facts::load(conn, rules, learners, &patterns, now_us).await?;
    for (learner, f) in &all {
        if f.actor.is_null() {
            continue;
        }
        for at in rules.all_belts() {
            let program = &rules.programs[at.0];
            let belt = rules.belt(at);
            if f.active.contains_key(&belt.id) {
                continue;
            }
            let (list, need) = items(&belt.requires);
            let scope = Scope {
                rules,
                belt: at,
                program_id: &program.program_id,
                now_us,
                floor_us: super::lapsed_floor(belt, f.lapsed.get(&belt.id)),
            };
            let unmet: Vec<&Requirement> = list
                .iter()
                .filter(|r| eval(r, f, &scope).is_none())
                .collect();
            seen(learner, at, &belt.requires, &unmet, need);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::program::model::AtLeast;

    #[test]
    fn top_level_items_say_how_many_are_needed() {
        let leaf = Requirement::Belt("white".into());
        let all = Requirement::AllOf(vec![leaf.clone(), leaf.clone()]);
        assert_eq!(items(&all).1, 2);
        let some = Requirement::AtLeast(AtLeast {
            n: 2,
            of: vec![leaf.clone(), leaf.clone(), leaf.clone()],
        });
        assert_eq!(
            items(&some),
            (&[leaf.clone(), leaf.clone(), leaf.clone()][..], 2)
        );
        assert_eq!(items(&leaf).1, 1);
    }
}
