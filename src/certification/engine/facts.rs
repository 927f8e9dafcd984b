//! What a learner has done, as evaluation needs it, loaded for many learners at once:
//! satisfied standings, awards, approved evidence, attributes and, per statement
//! pattern, their most recent matching statements.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};
use serde_json::Value;

use super::rules::Rules;
use crate::certification::program::model::StatementPattern;
use crate::error::Error;
use crate::sql::Sql;
use crate::xapi::statements::index::{KeyKind, key_text, pair_key};
use entities::{cert_award, cert_evidence, cert_learner};

/// A satisfied AU or course.
#[derive(Debug, Clone)]
pub struct StandingFact {
    pub object_id: String,
    /// `au` or `course`.
    pub kind: String,
    pub score: Option<f64>,
    pub updated_us: i64,
}

/// One learner's facts.
#[derive(Debug, Default)]
pub struct Facts {
    pub standings: Vec<StandingFact>,
    /// Active awards by belt id.
    pub active: HashMap<String, cert_award::Model>,
    /// The latest award of each belt that is no longer active.
    pub lapsed: HashMap<String, cert_award::Model>,
    /// Approved evidence: (belt, requirement) → (evidence id, decided_us).
    pub evidence: HashMap<(String, String), Vec<(i64, i64)>>,
    pub attributes: Value,
    pub actor: Value,
    /// Pattern index (in `Rules::patterns`) → (statement id, stored_us), newest first,
    /// at most the pattern's `min_count`.
    pub statements: HashMap<usize, Vec<(String, i64)>>,
}

/// Loads the facts of `learners` (keys of cert_learners rows). `patterns` names the
/// statement patterns to count (indexes into `rules.patterns`).
pub async fn load(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learners: &[String],
    patterns: &[usize],
    now_us: i64,
) -> Result<BTreeMap<String, Facts>, Error> {
    let mut out: BTreeMap<String, Facts> = learners
        .iter()
        .map(|k| (k.clone(), Facts::default()))
        .collect();
    let backend = conn.get_database_backend();
    for chunk in learners.chunks(500) {
        for row in cert_learner::Entity::find()
            .filter(cert_learner::Column::LearnerKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            if let Some(f) = out.get_mut(&row.learner_key) {
                f.attributes = row.attributes;
                f.actor = row.actor;
            }
        }
        standings(conn, backend, chunk, &mut out).await?;
        for row in cert_award::Entity::find()
            .filter(cert_award::Column::LearnerKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            let Some(f) = out.get_mut(&row.learner_key) else {
                continue;
            };
            if row.status == "active" {
                f.active.insert(row.belt_id.clone(), row);
            } else {
                let newer = f
                    .lapsed
                    .get(&row.belt_id)
                    .is_none_or(|old| old.updated_us < row.updated_us);
                if newer {
                    f.lapsed.insert(row.belt_id.clone(), row);
                }
            }
        }
        for row in cert_evidence::Entity::find()
            .filter(cert_evidence::Column::LearnerKey.is_in(chunk.to_vec()))
            .filter(cert_evidence::Column::Status.eq("approved"))
            .all(conn)
            .await?
        {
            if let Some(f) = out.get_mut(&row.learner_key) {
                f.evidence
                    .entry((row.belt_id, row.requirement_id))
                    .or_default()
                    .push((row.id, row.decided_us.unwrap_or(row.submitted_us)));
            }
        }
    }
    if !patterns.is_empty() {
        let keys = crate::certification::learners::keys_of(conn, learners).await?;
        for &pi in patterns {
            let pattern = &rules.patterns[pi].0;
            for (learner, found) in matching(conn, backend, pattern, &keys, now_us).await? {
                if let Some(f) = out.get_mut(&learner) {
                    f.statements.insert(pi, found);
                }
            }
        }
    }
    Ok(out)
}

async fn standings(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    chunk: &[String],
    out: &mut BTreeMap<String, Facts>,
) -> Result<(), Error> {
    let mut sql = Sql::new(
        "SELECT r.learner_key, p.object_id, p.kind, p.score, p.updated_us \
         FROM registrations r JOIN progress p ON p.registration = r.registration \
         WHERE p.satisfied = ",
    );
    sql.bind("?", true)
        .push(" AND p.kind IN ('au', 'course') AND r.learner_key IN ")
        .bind_list(chunk.iter().cloned());
    for row in conn.query_all_raw(sql.build(backend)).await? {
        let learner: String = row.try_get_by_index(0)?;
        if let Some(f) = out.get_mut(&learner) {
            f.standings.push(StandingFact {
                object_id: row.try_get_by_index(1)?,
                kind: row.try_get_by_index(2)?,
                score: row.try_get_by_index(3)?,
                updated_us: row.try_get_by_index(4)?,
            });
        }
    }
    Ok(())
}

/// Learners' agent keys per query: two parameters each, far under either database's
/// limit, and few enough that one learner's many aliases cannot make a query huge.
const PAIRS_PER_QUERY: usize = 400;

/// For each learner of `keys` (learner → agent keys), the newest statements (at most
/// `min_count`) by any of their agent keys that match the pattern, not voided, stored
/// within its window: one query per chunk of learners, so a page of learners costs a
/// few queries, not one per learner.
async fn matching(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    p: &StatementPattern,
    keys: &BTreeMap<String, Vec<String>>,
    now_us: i64,
) -> Result<BTreeMap<String, Vec<(String, i64)>>, Error> {
    let mut out: BTreeMap<String, Vec<(String, i64)>> =
        keys.keys().map(|k| (k.clone(), Vec::new())).collect();
    // A set: a key listed twice for a learner would count its statements twice.
    let pairs: Vec<(&String, &String)> = keys
        .iter()
        .flat_map(|(learner, agents)| agents.iter().map(move |a| (learner, a)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let limit = i64::from(p.min_count.max(1));
    for chunk in pairs.chunks(PAIRS_PER_QUERY) {
        let mut sql = Sql::new("WITH k(learner, agent) AS (VALUES ");
        for (i, (learner, agent)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind("?", (*learner).clone())
                .bind(", ?)", driving_key(p, agent));
        }
        match backend {
            // A lateral walk per key: each is the index walk backwards that stops after
            // `limit` rows, whatever the statistics say (a join over the keys, planned
            // with stale statistics, hashed whole key ranges: minutes at 100 k learners).
            DbBackend::Postgres => {
                sql.push(
                    ") SELECT k.learner, x.id, x.stored_us FROM k CROSS JOIN LATERAL \
                     (SELECT s.id, a.stored_us FROM statement_index a \
                     JOIN statements s ON s.seq = a.seq WHERE a.key = k.agent AND ",
                );
                filter(&mut sql, backend, p, now_us);
                sql.bind(" ORDER BY a.stored_us DESC, a.seq DESC LIMIT ?) x", limit);
            }
            // SQLite has no LATERAL; its planner loops over `k` and walks the index.
            _ => {
                sql.push(
                    ") SELECT learner, id, stored_us FROM (SELECT k.learner, s.id, \
                     a.stored_us, ROW_NUMBER() OVER (PARTITION BY k.learner \
                     ORDER BY a.stored_us DESC, a.seq DESC) AS rn FROM k \
                     JOIN statement_index a ON a.key = k.agent \
                     JOIN statements s ON s.seq = a.seq WHERE ",
                );
                filter(&mut sql, backend, p, now_us);
                sql.bind(") ranked WHERE rn <= ?", limit);
            }
        }
        for row in conn.query_all_raw(sql.build(backend)).await? {
            let learner: String = row.try_get_by_index(0)?;
            if let Some(found) = out.get_mut(&learner) {
                found.push((row.try_get_by_index(1)?, row.try_get_by_index(2)?));
            }
        }
    }
    // Per learner, newest first, at most `limit` (PostgreSQL's walks are per key).
    for found in out.values_mut() {
        found.sort_by_key(|f| std::cmp::Reverse(f.1));
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(out)
}

/// The index key walked for one of a learner's agent keys: its pair with the pattern's
/// verb when there is one, so only the statements with that verb are read.
fn driving_key(p: &StatementPattern, agent: &str) -> String {
    match &p.verb {
        Some(verb) => pair_key(&key_text(verb.clone()), agent),
        None => agent.to_owned(),
    }
}

/// The pattern's conditions on index row `a` (the driving key's) and statement `s`.
fn filter(sql: &mut Sql, backend: DbBackend, p: &StatementPattern, now_us: i64) {
    let floor = p
        .within_days
        .map(|d| now_us.saturating_sub(crate::certification::awards::store::days_us(d)))
        .unwrap_or(i64::MIN);
    let kind = if p.verb.is_some() {
        KeyKind::AgentVerb
    } else {
        KeyKind::Agent
    };
    sql.push("a.kind = ");
    sql.push(&kind.code().to_string());
    sql.bind(" AND a.stored_us >= ?", floor)
        .bind(" AND s.voided = ?", false);
    // The verb, when the pattern names one, is in the driving key already.
    if let Some(key) = &p.activity {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM statement_index i WHERE i.kind = {} AND i.key = ",
            KeyKind::Activity.code()
        ));
        sql.bind(
            // OFFSET 0 keeps it a probe per row (as in `xapi::statements::read`).
            "? AND i.stored_us = a.stored_us AND i.seq = a.seq LIMIT 1 OFFSET 0)",
            key_text(key.clone()),
        );
    }
    if let Some(ty) = &p.activity_type {
        let expr = match backend {
            DbBackend::Postgres => " AND s.payload->'object'->'definition'->>'type' = ?",
            _ => " AND json_extract(s.payload, '$.object.definition.type') = ?",
        };
        sql.bind(expr, ty.clone());
    }
}
