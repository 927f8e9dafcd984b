//! Award rows: created once per active belt (the `active_key` unique index), changed by
//! renewal, expiry, revocation and extension.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr,
};
use serde_json::{Value, json};

use crate::certification::audit;
use crate::certification::program::model::Belt;
use crate::error::Error;
use entities::{cert_audit, cert_award};

/// `learner_key` + space + `belt_id`: the unique key of an active award.
pub fn active_key(learner_key: &str, belt_id: &str) -> String {
    format!("{learner_key} {belt_id}")
}

/// `at_us` moved by whole calendar months (UTC), saturating at the far future.
pub fn add_months(at_us: i64, months: u32) -> i64 {
    add_span(at_us, jiff::Span::new().months(i64::from(months)))
}

/// `at_us` moved back by whole calendar months (UTC).
pub fn sub_months(at_us: i64, months: u32) -> i64 {
    add_span(at_us, jiff::Span::new().months(-i64::from(months)))
}

fn add_span(at_us: i64, span: jiff::Span) -> i64 {
    jiff::Timestamp::from_microsecond(at_us)
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC))
        .and_then(|z| z.checked_add(span).ok())
        .map(|z| z.timestamp().as_microsecond())
        .unwrap_or(if span.get_months() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// Days as microseconds.
pub fn days_us(days: u32) -> i64 {
    i64::from(days) * 86_400_000_000
}

/// (valid_until, expires) of a belt earned (or renewed from) `from_us`.
pub fn validity(belt: &Belt, from_us: i64) -> (Option<i64>, Option<i64>) {
    match belt.validity_months {
        None => (None, None),
        Some(months) => {
            let until = add_months(from_us, months);
            (
                Some(until),
                Some(until.saturating_add(days_us(belt.grace_days))),
            )
        }
    }
}

/// A new award, before it is stored.
pub struct NewAward<'a> {
    pub learner_key: &'a str,
    pub program_id: &'a str,
    pub program_version: i32,
    pub belt: &'a Belt,
    pub earned_us: i64,
    pub evidence: Value,
    pub source: &'static str,
    pub reason: Option<String>,
    pub awarded_by: Option<String>,
    /// The id the announcing statement will have.
    pub statement_id: Option<String>,
}

/// An award as it will be stored, before it has an id (`id` is 0): what a batch of
/// decisions holds until `insert_active_many` stores them.
pub fn tentative(new: NewAward<'_>) -> cert_award::Model {
    let (valid_until, expires) = validity(new.belt, new.earned_us);
    cert_award::Model {
        id: 0,
        learner_key: new.learner_key.to_owned(),
        program_id: new.program_id.to_owned(),
        program_version: new.program_version,
        belt_id: new.belt.id.clone(),
        status: "active".into(),
        active_key: Some(active_key(new.learner_key, &new.belt.id)),
        earned_us: new.earned_us,
        valid_until_us: valid_until,
        expires_us: expires,
        evidence: new.evidence,
        renewals: json!([]),
        source: new.source.into(),
        reason: new.reason,
        awarded_by: new.awarded_by,
        revoked_us: None,
        revoked_reason: None,
        revoked_by: None,
        statement_id: new.statement_id,
        updated_us: new.earned_us,
    }
}

/// The insert row of a tentative award: every column but the id.
fn insert_row(award: cert_award::Model) -> cert_award::ActiveModel {
    let mut row: cert_award::ActiveModel = award.into();
    row.id = sea_orm::ActiveValue::NotSet;
    row
}

/// Inserts tentative awards (`tentative`) in multi-row statements; an award whose belt
/// the learner already holds (the unique `active_key`) is skipped, not an error. Returns
/// the id of each award stored, by `active_key` (only those two columns come back: the
/// rest is what was sent).
pub async fn insert_active_many(
    conn: &impl ConnectionTrait,
    awards: &[cert_award::Model],
) -> Result<std::collections::HashMap<String, i64>, Error> {
    use cert_award::Column as C;
    use sea_orm::sea_query::{OnConflict, Query, SimpleExpr};
    let mut ids = std::collections::HashMap::with_capacity(awards.len());
    for chunk in awards.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(cert_award::Entity).columns([
            C::LearnerKey,
            C::ProgramId,
            C::ProgramVersion,
            C::BeltId,
            C::Status,
            C::ActiveKey,
            C::EarnedUs,
            C::ValidUntilUs,
            C::ExpiresUs,
            C::Evidence,
            C::Renewals,
            C::Source,
            C::Reason,
            C::AwardedBy,
            C::StatementId,
            C::UpdatedUs,
        ]);
        for a in chunk {
            let values: [SimpleExpr; 16] = [
                a.learner_key.clone().into(),
                a.program_id.clone().into(),
                a.program_version.into(),
                a.belt_id.clone().into(),
                a.status.clone().into(),
                a.active_key.clone().into(),
                a.earned_us.into(),
                a.valid_until_us.into(),
                a.expires_us.into(),
                a.evidence.clone().into(),
                a.renewals.clone().into(),
                a.source.clone().into(),
                a.reason.clone().into(),
                a.awarded_by.clone().into(),
                a.statement_id.clone().into(),
                a.updated_us.into(),
            ];
            insert
                .values(values)
                .map_err(|e| Error::Internal(format!("award insert: {e}")))?;
        }
        insert
            .on_conflict(OnConflict::column(C::ActiveKey).do_nothing().to_owned())
            .returning(Query::returning().columns([C::Id, C::ActiveKey]));
        let statement = conn.get_database_backend().build(&insert);
        for row in conn.query_all_raw(statement).await? {
            let id: i64 = row.try_get("", "id")?;
            let key: String = row.try_get("", "active_key")?;
            ids.insert(key, id);
        }
    }
    Ok(ids)
}

/// Inserts an active award. `Ok(None)` when the learner already holds the belt: the
/// unique `active_key` decided a race, and the loser treats the belt as held.
pub async fn insert_active(
    conn: &impl ConnectionTrait,
    new: NewAward<'_>,
) -> Result<Option<cert_award::Model>, Error> {
    let row = insert_row(tentative(new));
    // On PostgreSQL a failed INSERT aborts the transaction; a savepoint keeps the
    // caller's statements. (ON CONFLICT is not used: the insert returns the row.)
    // SQLite does not abort the transaction on a failed statement.
    let savepoint = conn.get_database_backend() == sea_orm::DbBackend::Postgres;
    if savepoint {
        conn.execute_unprepared("SAVEPOINT cert_award_insert")
            .await?;
    }
    match row.insert(conn).await {
        Ok(model) => {
            if savepoint {
                conn.execute_unprepared("RELEASE SAVEPOINT cert_award_insert")
                    .await?;
            }
            Ok(Some(model))
        }
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            if savepoint {
                conn.execute_unprepared("ROLLBACK TO SAVEPOINT cert_award_insert")
                    .await?;
            }
            Ok(None)
        }
        Err(e) => Err(Error::Db(e)),
    }
}

/// The active award of a belt for a learner.
pub async fn active(
    conn: &impl ConnectionTrait,
    learner_key: &str,
    belt_id: &str,
) -> Result<Option<cert_award::Model>, Error> {
    Ok(cert_award::Entity::find()
        .filter(cert_award::Column::ActiveKey.eq(active_key(learner_key, belt_id)))
        .one(conn)
        .await?)
}

/// Appends many audit entries (`certification::audit`) at `at_us` in one insert.
pub async fn record_audit_many(
    conn: &impl ConnectionTrait,
    at_us: i64,
    entries: Vec<audit::Entry>,
) -> Result<(), Error> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows = entries.into_iter().map(|entry| cert_audit::ActiveModel {
        at_us: Set(at_us),
        actor: Set(entry.actor),
        action: Set(entry.action),
        learner_key: Set(entry.learner_key),
        belt_id: Set(entry.belt_id),
        award_id: Set(entry.award_id),
        evidence_id: Set(entry.evidence_id),
        reason: Set(entry.reason),
        details: Set(if entry.details.is_null() {
            serde_json::Value::Object(Default::default())
        } else {
            entry.details
        }),
        ..Default::default()
    });
    cert_audit::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
