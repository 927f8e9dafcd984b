//! The program page's "one requirement away" section: one chunk of learners (in key
//! order, from a cursor) checked with the engine per page view, so the page costs the
//! same at 100,000 learners; a link checks the next chunk.

use std::collections::BTreeMap;

use sea_orm::ConnectionTrait;

use crate::certification::engine::near::one_away;
use crate::certification::engine::rules::Rules;
use crate::certification::learners::search::{self, Filter, Population};
use crate::certification::program::store::LoadedProgram;
use crate::console::learners::rows;
use crate::console::paging;
use crate::error::Error;

/// Learners checked per page view.
pub const CHUNK: u64 = 100;

/// A learner one requirement away from a belt (names only for roles that see them).
pub struct NearLine {
    pub belt: String,
    pub name: String,
    pub href: String,
    pub missing: String,
}

/// What the section shows.
pub struct NearView {
    /// Learners checked in this chunk.
    pub checked: usize,
    /// Belt name → learners of this chunk one requirement away from it.
    pub counts: Vec<(String, usize)>,
    /// The learners (empty for roles that see no names).
    pub lines: Vec<NearLine>,
    /// `?near_after=` of the next chunk.
    pub next: Option<String>,
    /// This is not the first chunk.
    pub later: bool,
}

pub async fn view(
    conn: &impl ConnectionTrait,
    programs: Vec<LoadedProgram>,
    population: &Population,
    names: bool,
    cursor: Option<&str>,
) -> Result<NearView, Error> {
    let after: Option<String> = paging::decode(cursor);
    let chunk = search::page(
        conn,
        population,
        &Filter::default(),
        after.as_deref(),
        CHUNK + 1,
    )
    .await?;
    let (chunk, more) = paging::split(chunk, CHUNK);
    let next = more
        .then(|| chunk.last())
        .flatten()
        .map(|l| paging::encode(&l.learner_key));
    let keys: Vec<String> = chunk.iter().map(|l| l.learner_key.clone()).collect();
    let rules = Rules::new(programs);
    let found = one_away(conn, &rules, &keys, crate::console::now_us()).await?;
    let mut counts: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for n in &found {
        *counts.entry(n.belt).or_default() += 1;
    }
    let belt_name = |at: (usize, usize)| rules.belt(at).name.clone();
    let lines = if names {
        found
            .iter()
            .map(|n| {
                let learner = chunk.iter().find(|l| l.learner_key == n.learner_key);
                NearLine {
                    belt: belt_name(n.belt),
                    name: learner
                        .and_then(|l| l.name.clone())
                        .unwrap_or_else(|| n.learner_key.clone()),
                    href: rows::href(&n.learner_key),
                    missing: n.missing.clone(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(NearView {
        checked: chunk.len(),
        counts: counts
            .into_iter()
            .map(|(at, n)| (belt_name(at), n))
            .collect(),
        lines,
        next,
        later: cursor.is_some(),
    })
}
