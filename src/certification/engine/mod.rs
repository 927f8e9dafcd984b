//! Evaluation: belts (re)derived from standings, statements, evidence and attributes,
//! in the transaction of the change that can affect them.
//!
//! CONTRACT (helper "engine" implements; helper "review" calls `reevaluate_learner`
//! after an evidence decision or an attribute change, in the same transaction).

pub mod batch;
pub mod evaluate;
pub mod facts;
pub mod near;
pub mod participant;
pub mod reevaluate;
pub mod rules;
pub mod sweep;

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbBackend, Set};
use serde_json::{Value, json};

use self::evaluate::{Scope, eval};
use self::facts::Facts;
use self::rules::{BeltRef, Rules};
use crate::certification::awards::store::{self as award_store, NewAward, add_months, days_us};
use crate::certification::awards::{Announcements, Event, Manual};
use crate::certification::program::model::Belt;
use crate::error::Error;
use crate::sql::Sql;
use entities::cert_award;

pub use reevaluate::reevaluate_all;

/// How many days before `valid_until` renewal work counts when a belt states no
/// `recertify` (its own requirements, met again).
pub const DEFAULT_RENEWAL_WINDOW_DAYS: u32 = 30;

/// Re-evaluates every belt of every current program for one learner at `now_us`:
/// awards what is now met, renews what is due. Returns the ids of awards created or renewed.
pub async fn reevaluate_learner(
    txn: &DatabaseTransaction,
    learner_key: &str,
    now_us: i64,
) -> Result<Vec<i64>, Error> {
    let programs = crate::certification::program::store::current_all(txn).await?;
    let rules = Rules::new(programs);
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let all = rules.all_belts();
    let todo = BTreeMap::from([(learner_key.to_owned(), all)]);
    evaluate_learners(txn, &rules, todo, now_us).await
}

/// Evaluates, for each learner, the given belts (and those that require them): awards
/// what is met, renews what is due. Returns the award ids created or renewed.
///
/// Exactly once under races: on PostgreSQL the learners' rows are locked (`FOR UPDATE`,
/// in key order so two batches cannot deadlock on them) before anything is read. Two
/// transactions that each complete one of the last two requirements then run one after
/// the other: the second waits for the first to commit, and its reads (READ COMMITTED
/// takes a new snapshot per statement) see the first one's progress, so the belt is
/// awarded by exactly one of them — without the lock, each could miss the other's
/// uncommitted change and neither would award. The unique `active_key` is the backstop
/// against awarding twice. SQLite serialises writers already.
pub async fn evaluate_learners(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    todo: BTreeMap<String, BTreeSet<BeltRef>>,
    now_us: i64,
) -> Result<Vec<i64>, Error> {
    if todo.is_empty() || rules.is_empty() {
        return Ok(Vec::new());
    }
    let learners: Vec<String> = todo.keys().cloned().collect();
    // Registered before the lock, so a learner seen for the first time is locked too.
    register_missing(conn, &learners, now_us).await?;
    lock_learners(conn, &learners).await?;
    let todo: BTreeMap<String, BTreeSet<BeltRef>> = todo
        .into_iter()
        .map(|(k, belts)| (k, rules.with_dependents(belts)))
        .collect();
    let mut needed: BTreeSet<BeltRef> = BTreeSet::new();
    todo.values().for_each(|b| needed.extend(b.iter().copied()));
    let patterns: Vec<usize> = rules
        .patterns
        .iter()
        .enumerate()
        .filter(|(_, (_, at))| needed.contains(at))
        .map(|(i, _)| i)
        .collect();
    // Decisions are made for every learner first and their awards stored together; if
    // the database already holds one of those belts (another transaction won a race),
    // everything since the savepoint is undone and decided again one award at a time.
    conn.execute_unprepared("SAVEPOINT cert_evaluate").await?;
    let mut facts = facts::load(conn, rules, &learners, &patterns, now_us).await?;
    let mut changed = Vec::new();
    let mut out = Announcements::new(now_us);
    let mut pending = Vec::new();
    for (learner, belts) in &todo {
        let Some(f) = facts.get_mut(learner) else {
            continue;
        };
        if f.actor.is_null() {
            continue; // not a known learner
        }
        let decided = decide(
            conn,
            rules,
            learner,
            f,
            belts,
            now_us,
            &mut out,
            Some(&mut pending),
        );
        changed.extend(decided.await?);
    }
    match batch::store(conn, pending).await? {
        Some(stored) => {
            conn.execute_unprepared("RELEASE SAVEPOINT cert_evaluate")
                .await?;
            let system = system();
            for p in stored {
                let id = p.award.statement_id.clone();
                let belt = rules.belt(p.at);
                out.add(
                    Event::Award,
                    &p.award,
                    &p.actor,
                    Some(belt),
                    &system,
                    json!({}),
                    id,
                );
                changed.push(p.award.id);
            }
        }
        None => {
            conn.execute_unprepared("ROLLBACK TO SAVEPOINT cert_evaluate")
                .await?;
            conn.execute_unprepared("RELEASE SAVEPOINT cert_evaluate")
                .await?;
            let mut facts = facts::load(conn, rules, &learners, &patterns, now_us).await?;
            changed.clear();
            out = Announcements::new(now_us);
            for (learner, belts) in &todo {
                let Some(f) = facts.get_mut(learner) else {
                    continue;
                };
                if f.actor.is_null() {
                    continue;
                }
                let decided = decide(conn, rules, learner, f, belts, now_us, &mut out, None);
                changed.extend(decided.await?);
            }
        }
    }
    out.flush(conn).await?;
    Ok(changed)
}

/// Adds to the registry the learners among `learners` it lacks, from one of their
/// registrations (a learner known only by registrations: the registry's first sight of
/// them rolled back, or `reevaluate_learner` was asked about them first).
async fn register_missing(
    conn: &impl ConnectionTrait,
    learners: &[String],
    now_us: i64,
) -> Result<(), Error> {
    use crate::certification::learners::{Learner, upsert};
    let backend = conn.get_database_backend();
    for chunk in learners.chunks(500) {
        let mut sql = Sql::new("SELECT learner_key FROM cert_learners WHERE learner_key IN ");
        sql.bind_list(chunk.iter().cloned());
        let known: BTreeSet<String> = conn
            .query_all_raw(sql.build(backend))
            .await?
            .into_iter()
            .map(|row| row.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()?;
        let missing: Vec<String> = chunk
            .iter()
            .filter(|k| !known.contains(*k))
            .cloned()
            .collect();
        if missing.is_empty() {
            continue;
        }
        let mut sql =
            Sql::new("SELECT learner_key, actor, email FROM registrations WHERE learner_key IN ");
        sql.bind_list(missing.iter().cloned());
        let mut found: BTreeMap<String, Learner> = BTreeMap::new();
        for row in conn.query_all_raw(sql.build(backend)).await? {
            let key: String = row.try_get_by_index(0)?;
            let actor: Value = row.try_get_by_index(1)?;
            let email: Option<String> = row.try_get_by_index(2)?;
            if let Some(mut l) = Learner::from_actor(&actor, email) {
                l.learner_key = key.clone();
                found.entry(key).or_insert(l);
            }
        }
        let new: Vec<Learner> = found.into_values().collect();
        upsert(conn, &new, now_us).await?;
    }
    Ok(())
}

async fn lock_learners(conn: &impl ConnectionTrait, learners: &[String]) -> Result<(), Error> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for chunk in learners.chunks(500) {
        let mut sql = Sql::new("SELECT learner_key FROM cert_learners WHERE learner_key IN ");
        sql.bind_list(chunk.iter().cloned())
            .push(" ORDER BY learner_key FOR UPDATE");
        conn.query_all_raw(sql.build(DbBackend::Postgres)).await?;
    }
    Ok(())
}

fn system() -> Manual {
    Manual {
        by: "system".into(),
        reason: String::new(),
    }
}

/// One learner: each belt in tier order, again for the belts that require a belt just
/// awarded (a chain completes in one transaction). With `pending`, new awards are only
/// decided (id 0) and left there for `batch::store`; without, each is inserted at once.
#[allow(clippy::too_many_arguments)]
async fn decide(
    conn: &impl ConnectionTrait,
    rules: &Rules,
    learner: &str,
    facts: &mut Facts,
    belts: &BTreeSet<BeltRef>,
    now_us: i64,
    out: &mut Announcements,
    mut pending: Option<&mut Vec<batch::PendingAward>>,
) -> Result<Vec<i64>, Error> {
    let mut changed = Vec::new();
    let mut renewed: BTreeSet<BeltRef> = BTreeSet::new();
    let mut todo = belts.clone();
    for _ in 0..=rules.all_belts().len() {
        let mut awarded = BTreeSet::new();
        for &at in &todo {
            let program = &rules.programs[at.0];
            let belt = rules.belt(at);
            let scope = |floor_us| Scope {
                rules,
                belt: at,
                program_id: &program.program_id,
                now_us,
                floor_us,
            };
            if let Some(award) = facts.active.get(&belt.id) {
                if award.program_id != program.program_id || renewed.contains(&at) {
                    continue;
                }
                let Some(start) = renewal_start(belt, award, now_us) else {
                    continue;
                };
                let requires = belt
                    .recertify
                    .as_ref()
                    .map(|r| &r.requires)
                    .unwrap_or(&belt.requires);
                if let Some(evidence) = eval(requires, facts, &scope(start)) {
                    let award = award.clone();
                    let renewed_award = renew(
                        conn,
                        award,
                        belt,
                        program.version,
                        evidence,
                        &facts.actor,
                        now_us,
                        out,
                    )
                    .await?;
                    changed.push(renewed_award.id);
                    facts.active.insert(belt.id.clone(), renewed_award);
                    renewed.insert(at);
                }
                continue;
            }
            let floor = lapsed_floor(belt, facts.lapsed.get(&belt.id));
            let Some(evidence) = eval(&belt.requires, facts, &scope(floor)) else {
                continue;
            };
            let new = NewAward {
                learner_key: learner,
                program_id: &program.program_id,
                program_version: program.version,
                belt,
                earned_us: now_us,
                evidence: Value::Array(evidence),
                source: "rules",
                reason: None,
                awarded_by: None,
                statement_id: Some(uuid::Uuid::new_v4().to_string()),
            };
            if let Some(pending) = pending.as_deref_mut() {
                let award = award_store::tentative(new);
                facts.active.insert(belt.id.clone(), award.clone());
                pending.push(batch::PendingAward {
                    award,
                    actor: facts.actor.clone(),
                    at,
                });
                awarded.insert(at);
                continue;
            }
            match award_store::insert_active(conn, new).await? {
                Some(award) => {
                    let id = award.statement_id.clone();
                    let system = system();
                    out.add(
                        Event::Award,
                        &award,
                        &facts.actor,
                        Some(belt),
                        &system,
                        json!({}),
                        id,
                    );
                    changed.push(award.id);
                    facts.active.insert(belt.id.clone(), award);
                    awarded.insert(at);
                }
                // Another transaction awarded it first: the belt is held.
                None => {
                    if let Some(held) = award_store::active(conn, learner, &belt.id).await? {
                        facts.active.insert(belt.id.clone(), held);
                    }
                }
            }
        }
        if awarded.is_empty() {
            break;
        }
        todo = rules
            .with_dependents(awarded.clone())
            .difference(&awarded)
            .copied()
            .collect();
    }
    Ok(changed)
}

/// When renewal work starts counting for an active award that is due, else `None`.
pub fn renewal_start(belt: &Belt, award: &cert_award::Model, now_us: i64) -> Option<i64> {
    let until = award.valid_until_us?;
    belt.validity_months?;
    let start = until.saturating_sub(days_us(window_days(belt)));
    if now_us < start || award.expires_us.is_some_and(|e| now_us >= e) {
        return None;
    }
    Some(start)
}

fn window_days(belt: &Belt) -> u32 {
    belt.recertify
        .as_ref()
        .map(|r| r.window_days)
        .unwrap_or(DEFAULT_RENEWAL_WINDOW_DAYS)
}

/// Work that counts towards earning a belt again: after a revocation, only what came
/// after it; after an expiry, what came from its renewal window on (the same work that
/// would have renewed it).
pub fn lapsed_floor(belt: &Belt, lapsed: Option<&cert_award::Model>) -> i64 {
    match lapsed {
        None => i64::MIN,
        Some(a) if a.status == "revoked" => a.revoked_us.unwrap_or(a.updated_us),
        Some(a) => a
            .valid_until_us
            .map(|u| u.saturating_sub(days_us(window_days(belt))))
            .unwrap_or(a.updated_us),
    }
}

#[allow(clippy::too_many_arguments)]
async fn renew(
    conn: &impl ConnectionTrait,
    award: cert_award::Model,
    belt: &Belt,
    version: i32,
    evidence: Vec<Value>,
    actor: &Value,
    now_us: i64,
    out: &mut Announcements,
) -> Result<cert_award::Model, Error> {
    let months = belt.validity_months.unwrap_or(0);
    let old_until = award.valid_until_us.unwrap_or(now_us);
    let until = add_months(old_until, months);
    let expires = until.saturating_add(days_us(belt.grace_days));
    let mut history = match &award.renewals {
        Value::Array(list) => list.clone(),
        _ => Vec::new(),
    };
    history.push(json!({
        "at_us": now_us,
        "valid_until_us": until,
        "previous_valid_until_us": old_until,
        "program_version": version,
        "evidence": evidence,
        "by": "system",
    }));
    let mut row: cert_award::ActiveModel = award.into();
    row.valid_until_us = Set(Some(until));
    row.expires_us = Set(Some(expires));
    row.renewals = Set(Value::Array(history));
    row.updated_us = Set(now_us);
    let award = row.update(conn).await?;
    let details = json!({"valid_until_us_before": old_until, "valid_until_us": until});
    out.add(
        Event::Renew,
        &award,
        actor,
        Some(belt),
        &system(),
        details,
        None,
    );
    Ok(award)
}
