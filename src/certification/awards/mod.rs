//! Awards: a belt held by a learner, and the operations on it. Each operation writes
//! its xAPI statement (by the system authority) and its audit entry in the caller's
//! transaction.
//!
//! CONTRACT (helper "engine" implements; helper "review" calls): the signatures below
//! are fixed; the bodies are filled in by the engine branch.

pub mod statement;
pub mod store;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use serde_json::{Value, json};

use crate::certification::audit;
use crate::certification::program::model::Belt;
use crate::certification::program::store::LoadedProgram;
use crate::error::Error;
use entities::cert_award;
pub use statement::Event;

/// Who made a manual change, and why.
#[derive(Debug, Clone)]
pub struct Manual {
    /// `credential:<id>`, `console:<user>`…
    pub by: String,
    pub reason: String,
}

/// Awards `belt_id` of the current program to `learner_key` by hand (prior certification…).
/// 409 `Conflict` when the learner already holds it; 404 when the belt or learner is unknown.
pub async fn award_manually(
    txn: &DatabaseTransaction,
    learner_key: &str,
    belt_id: &str,
    who: &Manual,
    now_us: i64,
) -> Result<cert_award::Model, Error> {
    let programs = crate::certification::program::store::current_all(txn).await?;
    let (program, belt) = find_belt(&programs, belt_id)
        .ok_or_else(|| Error::NotFound(format!("no belt `{belt_id}` in the current programs")))?;
    let learner = crate::certification::learners::find(txn, learner_key)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no learner `{learner_key}`")))?;
    let held = || {
        Error::Conflict(format!(
            "`{learner_key}` already holds the belt `{belt_id}`"
        ))
    };
    if store::active(txn, learner_key, belt_id).await?.is_some() {
        return Err(held());
    }
    let statement_id = uuid::Uuid::new_v4().to_string();
    let award = store::insert_active(
        txn,
        store::NewAward {
            statement_id: Some(statement_id.clone()),
            learner_key,
            program_id: &program.program_id,
            program_version: program.version,
            belt,
            earned_us: now_us,
            evidence: json!({"manual": {"by": who.by, "reason": who.reason}}),
            source: "manual",
            reason: Some(who.reason.clone()),
            awarded_by: Some(who.by.clone()),
        },
    )
    .await?
    .ok_or_else(held)?;
    announce(
        txn,
        Event::Award,
        award,
        &learner.actor,
        Some(belt),
        who,
        now_us,
        json!({}),
    )
    .await
}

/// Revokes an active award (status `revoked`, `active_key` cleared). 409 when not active.
pub async fn revoke(
    txn: &DatabaseTransaction,
    award_id: i64,
    who: &Manual,
    now_us: i64,
) -> Result<cert_award::Model, Error> {
    let award = active_award(txn, award_id).await?;
    let mut row: cert_award::ActiveModel = award.into();
    row.status = Set("revoked".into());
    row.active_key = Set(None);
    row.revoked_us = Set(Some(now_us));
    row.revoked_reason = Set(Some(who.reason.clone()));
    row.revoked_by = Set(Some(who.by.clone()));
    row.updated_us = Set(now_us);
    let award = row.update(txn).await?;
    let (actor, belt) = actor_and_belt(txn, &award).await?;
    announce(
        txn,
        Event::Revoke,
        award,
        &actor,
        belt.as_ref(),
        who,
        now_us,
        json!({}),
    )
    .await
}

/// Moves an active award's `valid_until` (and its expiry) to `until_us`. 409 when not active.
pub async fn extend(
    txn: &DatabaseTransaction,
    award_id: i64,
    until_us: i64,
    who: &Manual,
    now_us: i64,
) -> Result<cert_award::Model, Error> {
    let award = active_award(txn, award_id).await?;
    let (actor, belt) = actor_and_belt(txn, &award).await?;
    // Grace keeps its length: the belt's grace when the program still has the belt,
    // else the gap the award had.
    let grace_us = match (&belt, award.valid_until_us, award.expires_us) {
        (Some(b), _, _) => store::days_us(b.grace_days),
        (None, Some(v), Some(e)) => e - v,
        _ => 0,
    };
    let before = award.valid_until_us;
    let mut row: cert_award::ActiveModel = award.into();
    row.valid_until_us = Set(Some(until_us));
    row.expires_us = Set(Some(until_us.saturating_add(grace_us)));
    row.updated_us = Set(now_us);
    let award = row.update(txn).await?;
    let details = json!({"valid_until_us_before": before, "valid_until_us": until_us});
    announce(
        txn,
        Event::Extend,
        award,
        &actor,
        belt.as_ref(),
        who,
        now_us,
        details,
    )
    .await
}

/// The belt of that id in the current programs.
pub fn find_belt<'a>(
    programs: &'a [LoadedProgram],
    belt_id: &str,
) -> Option<(&'a LoadedProgram, &'a Belt)> {
    programs.iter().find_map(|p| {
        p.program
            .belts
            .iter()
            .find(|b| b.id == belt_id)
            .map(|b| (p, b))
    })
}

async fn active_award(
    txn: &DatabaseTransaction,
    award_id: i64,
) -> Result<cert_award::Model, Error> {
    let award = cert_award::Entity::find_by_id(award_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no award {award_id}")))?;
    if award.status != "active" {
        return Err(Error::Conflict(format!(
            "award {award_id} is {}, not active",
            award.status
        )));
    }
    Ok(award)
}

/// The learner's Agent and the belt as the award's program version defines it.
pub async fn actor_and_belt(
    conn: &impl ConnectionTrait,
    award: &cert_award::Model,
) -> Result<(Value, Option<Belt>), Error> {
    let actor = match crate::certification::learners::find(conn, &award.learner_key).await? {
        Some(l) => l.actor,
        None => {
            return Err(Error::Internal(format!(
                "award {} has no learner row",
                award.id
            )));
        }
    };
    let belt = entities::cert_program::Entity::find()
        .filter(entities::cert_program::Column::ProgramId.eq(award.program_id.clone()))
        .filter(entities::cert_program::Column::Version.eq(award.program_version))
        .one(conn)
        .await?
        .and_then(|row| crate::certification::program::store::loaded(row).ok())
        .and_then(|p| p.program.belts.into_iter().find(|b| b.id == award.belt_id));
    Ok((actor, belt))
}

/// Writes the statement and the audit entry of one change.
#[allow(clippy::too_many_arguments)]
pub async fn announce(
    conn: &impl ConnectionTrait,
    event: Event,
    award: cert_award::Model,
    actor: &Value,
    belt: Option<&Belt>,
    who: &Manual,
    now_us: i64,
    details: Value,
) -> Result<cert_award::Model, Error> {
    let mut out = Announcements::new(now_us);
    out.add(event, &award, actor, belt, who, details, None);
    out.flush(conn).await?;
    Ok(award)
}

/// Statements and audit entries of many changes, written together (one multi-row
/// insert each): re-evaluating thousands of learners must not pay a round trip per row.
pub struct Announcements {
    at_us: i64,
    statements: Vec<Value>,
    audit: Vec<audit::Entry>,
}

impl Announcements {
    pub fn new(at_us: i64) -> Announcements {
        Announcements {
            at_us,
            statements: Vec::new(),
            audit: Vec::new(),
        }
    }

    /// Adds the statement (with `statement_id`, or a new id) and the audit entry of
    /// `event` on `award`.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        event: Event,
        award: &cert_award::Model,
        actor: &Value,
        belt: Option<&Belt>,
        who: &Manual,
        details: Value,
        statement_id: Option<String>,
    ) {
        let id = statement_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        self.statements
            .push(statement::build(&id, event, award, actor, belt, self.at_us));
        let mut details = match details {
            Value::Object(map) => map,
            _ => Default::default(),
        };
        details.insert("statement_id".into(), json!(id));
        details.insert("program_id".into(), json!(award.program_id));
        details.insert("program_version".into(), json!(award.program_version));
        self.audit.push(audit::Entry {
            actor: who.by.clone(),
            action: event.name().into(),
            learner_key: Some(award.learner_key.clone()),
            belt_id: Some(award.belt_id.clone()),
            award_id: Some(award.id),
            evidence_id: None,
            reason: (!who.reason.is_empty()).then(|| who.reason.clone()),
            details: Value::Object(details),
        });
    }

    /// Stores what was added.
    pub async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<(), Error> {
        let statements = std::mem::take(&mut self.statements);
        for chunk in statements.chunks(500) {
            statement::store(conn, chunk.to_vec(), self.at_us).await?;
        }
        let entries = std::mem::take(&mut self.audit);
        for chunk in entries.chunks(500) {
            store::record_audit_many(conn, self.at_us, chunk.to_vec()).await?;
        }
        Ok(())
    }
}

/// Evidence recorded on an award: what satisfied which requirement.
pub type AwardEvidence = Value;
