//! The certification engine's place in the write-time seam, after progress: the belts a
//! batch can affect — through the standing changes progress left, or statements that
//! match a pattern — are re-evaluated for the learners concerned, in the statement's
//! transaction, so an award exists from the commit that met its last requirement.
//!
//! Cost for batches that touch no rule: one `COUNT/MAX(seq)` over `cert_programs` (the
//! programs are cached by it), and per statement one set probe of its verb, object and
//! object type. Registrations already seen are remembered, so the registry is written
//! once per learner and process.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde_json::Value;

use super::evaluate_learners;
use super::rules::{BeltRef, Rules};
use crate::certification::learners::{self, Learner};
use crate::error::Error;
use crate::launch::projection::StandingChanges;
use crate::sql::Sql;
use crate::xapi::statements::index::agent_key;
use crate::xapi::statements::participant::{BatchContext, Step, WriteParticipant};
use crate::xapi::statements::prepare::PreparedStatement;

/// Remembered registrations before the memory is cleared (and rebuilt as batches come).
const REMEMBERED: usize = 100_000;

/// (programs count, max seq): changes whenever a program version is imported.
type ProgramsKey = (i64, i64);

/// Awards, renews and chains belts as statements and standings change.
#[derive(Default)]
pub struct Certification {
    /// (programs count, max seq) → the rules built from them.
    cache: Mutex<Option<(ProgramsKey, Arc<Rules>)>>,
    /// registration → learner_key, for registrations whose learner is registered.
    seen: Mutex<HashMap<String, String>>,
}

fn poisoned() -> Error {
    Error::Internal("certification cache lock poisoned".into())
}

impl Certification {
    /// The current programs' rules; rebuilt only when a program was imported.
    pub async fn rules(&self, conn: &impl ConnectionTrait) -> Result<Arc<Rules>, Error> {
        let sql = Sql::new("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM cert_programs");
        let row = conn
            .query_one_raw(sql.build(conn.get_database_backend()))
            .await?;
        let key: ProgramsKey = match row {
            Some(row) => (row.try_get_by_index(0)?, row.try_get_by_index(1)?),
            None => (0, 0),
        };
        if let Some((k, rules)) = self.cache.lock().map_err(|_| poisoned())?.as_ref()
            && *k == key
        {
            return Ok(rules.clone());
        }
        let rules = Arc::new(Rules::new(
            crate::certification::program::store::current_all(conn).await?,
        ));
        *self.cache.lock().map_err(|_| poisoned())? = Some((key, rules.clone()));
        Ok(rules)
    }

    async fn run(
        &self,
        txn: &DatabaseTransaction,
        ctx: &BatchContext<'_>,
        fresh: &[&PreparedStatement],
    ) -> Result<(), Error> {
        let now_us = ctx.stored.as_microsecond();
        // Read, not taken: the outbox after us takes them.
        let changes: Vec<(String, String, String, bool)> = ctx
            .scratch
            .lock()
            .map_err(|_| poisoned())?
            .get::<StandingChanges>()
            .map(|c| {
                c.0.iter()
                    .map(|c| {
                        (
                            c.registration.clone(),
                            c.object_id.clone(),
                            c.kind.clone(),
                            c.after.satisfied,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rules = self.rules(txn).await?;
        let mut todo: BTreeMap<String, BTreeSet<BeltRef>> = BTreeMap::new();
        if !changes.is_empty() {
            let by_registration = self.registration_learners(txn, &changes, now_us).await?;
            for (registration, object_id, kind, satisfied) in &changes {
                if !satisfied {
                    continue;
                }
                let index = match kind.as_str() {
                    "au" => &rules.aus,
                    "course" => &rules.courses,
                    _ => continue,
                };
                if let (Some(belts), Some(learner)) =
                    (index.get(object_id), by_registration.get(registration))
                {
                    todo.entry(learner.clone()).or_default().extend(belts);
                }
            }
        }
        if !rules.patterns.is_empty() {
            self.statement_learners(txn, &rules, fresh, now_us, &mut todo)
                .await?;
        }
        evaluate_learners(txn, &rules, todo, now_us).await?;
        Ok(())
    }

    /// The learner of each registration in `changes`; registers the learners not seen yet.
    async fn registration_learners(
        &self,
        txn: &DatabaseTransaction,
        changes: &[(String, String, String, bool)],
        now_us: i64,
    ) -> Result<HashMap<String, String>, Error> {
        let mut out = HashMap::new();
        let mut unknown = BTreeSet::new();
        {
            let seen = self.seen.lock().map_err(|_| poisoned())?;
            for (registration, ..) in changes {
                match seen.get(registration) {
                    Some(learner) => {
                        out.insert(registration.clone(), learner.clone());
                    }
                    None => {
                        unknown.insert(registration.clone());
                    }
                }
            }
        }
        if unknown.is_empty() {
            return Ok(out);
        }
        let mut sql = Sql::new(
            "SELECT registration, learner_key, actor, email FROM registrations WHERE registration IN ",
        );
        sql.bind_list(unknown.iter().cloned());
        let rows = txn
            .query_all_raw(sql.build(txn.get_database_backend()))
            .await?;
        let mut new = Vec::new();
        for row in rows {
            let registration: String = row.try_get_by_index(0)?;
            let learner_key: String = row.try_get_by_index(1)?;
            let actor: Value = row.try_get_by_index(2)?;
            let email: Option<String> = row.try_get_by_index(3)?;
            if let Some(mut l) = Learner::from_actor(&actor, email) {
                l.learner_key = learner_key.clone();
                new.push(l);
            }
            out.insert(registration, learner_key);
        }
        learners::upsert(txn, &new, now_us).await?;
        let mut seen = self.seen.lock().map_err(|_| poisoned())?;
        if seen.len() > REMEMBERED {
            seen.clear();
        }
        // Remembered before commit: if the transaction rolls back, the next batch of
        // the registration rolls back too or registers again through reevaluation.
        for r in unknown {
            if let Some(l) = out.get(&r) {
                seen.insert(r, l.clone());
            }
        }
        Ok(out)
    }

    /// Learners of statements that match a pattern (by their key or an alias); actors
    /// not yet known are registered from the statement.
    async fn statement_learners(
        &self,
        txn: &DatabaseTransaction,
        rules: &Rules,
        fresh: &[&PreparedStatement],
        now_us: i64,
        todo: &mut BTreeMap<String, BTreeSet<BeltRef>>,
    ) -> Result<(), Error> {
        let mut by_agent: BTreeMap<String, (Value, BTreeSet<BeltRef>)> = BTreeMap::new();
        for statement in fresh {
            let belts = rules.statement_belts(&statement.payload);
            if belts.is_empty() {
                continue;
            }
            let Some(actor) = statement.payload.get("actor") else {
                continue;
            };
            let Some(key) = agent_key(actor) else {
                continue;
            };
            by_agent
                .entry(key)
                .or_insert_with(|| (actor.clone(), BTreeSet::new()))
                .1
                .extend(belts);
        }
        if by_agent.is_empty() {
            return Ok(());
        }
        let keys: BTreeSet<String> = by_agent.keys().cloned().collect();
        let mut resolved = learners::resolve(txn, &keys).await?;
        let new: Vec<Learner> = by_agent
            .iter()
            .filter(|(k, _)| !resolved.contains_key(*k))
            .filter_map(|(_, (actor, _))| Learner::from_actor(actor, None))
            .collect();
        if !new.is_empty() {
            learners::upsert(txn, &new, now_us).await?;
            for l in new {
                resolved.insert(l.learner_key.clone(), l.learner_key);
            }
        }
        for (key, (_, belts)) in by_agent {
            if let Some(learner) = resolved.get(&key) {
                todo.entry(learner.clone()).or_default().extend(belts);
            }
        }
        Ok(())
    }
}

impl WriteParticipant for Certification {
    fn project<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        ctx: &'a BatchContext<'a>,
        fresh: &'a [&'a PreparedStatement],
    ) -> Step<'a> {
        Box::pin(self.run(txn, ctx, fresh))
    }
}
