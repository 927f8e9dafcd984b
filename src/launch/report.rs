//! Reading progress: a registration's standing per AU and for the course.

use poem_openapi::Object;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::projection::{Standing, load_progress, status};
use crate::error::Error;
use crate::packages::manifest::Course;
use crate::packages::store;
use entities::registration;

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct RegistrationProgress {
    pub registration: String,
    pub course_id: String,
    pub course_title: String,
    /// The package version this registration is pinned to.
    pub package_version: i32,
    /// The learner's xAPI Agent.
    pub learner: Value,
    /// `not_started`, `in_progress` or `satisfied` (all AUs meet their moveOn).
    pub status: String,
    pub satisfied: bool,
    /// Share of the course's AUs satisfied, 0–100.
    pub progress: i32,
    pub aus: Vec<AuProgress>,
}

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AuProgress {
    pub au_id: String,
    pub title: String,
    pub move_on: String,
    /// `not_started`, `in_progress`, `completed`, `passed`, `failed` or `satisfied`.
    pub status: String,
    pub attempted: bool,
    pub completed: bool,
    pub passed: bool,
    pub failed: bool,
    pub satisfied: bool,
    /// Scaled score of the deciding `passed`/`failed`, 0–1.
    pub score: Option<f64>,
    /// Progress %, from `progressed` statements (100 once completed).
    pub progress: Option<i32>,
}

pub async fn for_registration(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<RegistrationProgress, Error> {
    let reg = registration::Entity::find_by_id(id.to_ascii_lowercase())
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no registration {id}")))?;
    build(conn, reg).await
}

/// Every registration of one learner (by account), oldest first.
pub async fn for_learner(
    conn: &impl ConnectionTrait,
    learner_key: &str,
) -> Result<Vec<RegistrationProgress>, Error> {
    let regs = registration::Entity::find()
        .filter(registration::Column::LearnerKey.eq(learner_key))
        .order_by_asc(registration::Column::CreatedUs)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(regs.len());
    for reg in regs {
        out.push(build(conn, reg).await?);
    }
    Ok(out)
}

async fn build(
    conn: &impl ConnectionTrait,
    reg: registration::Model,
) -> Result<RegistrationProgress, Error> {
    let package = store::by_seq(conn, reg.package_seq)
        .await?
        .ok_or_else(|| Error::Internal("registration names a missing package".into()))?;
    let course: Course = serde_json::from_value(package.structure.clone())
        .map_err(|e| Error::Internal(format!("stored course structure: {e}")))?;
    let rows = load_progress(conn, &reg.registration).await?;
    let aus: Vec<AuProgress> = course
        .aus()
        .into_iter()
        .map(|au| {
            let row = rows.get(&au.id);
            let get = |f: fn(&Standing) -> bool| row.is_some_and(f);
            AuProgress {
                au_id: au.id.clone(),
                title: au.title.best("en").unwrap_or(&au.id).to_owned(),
                move_on: crate::packages::catalog::move_on_name(au.move_on).into(),
                status: status(row).into(),
                attempted: get(|r| r.attempted),
                completed: get(|r| r.completed),
                passed: get(|r| r.passed),
                failed: get(|r| r.failed),
                satisfied: get(|r| r.satisfied),
                score: row.and_then(|r| r.score),
                progress: row.and_then(|r| r.progress),
            }
        })
        .collect();
    let course_row = rows.get(&course.id);
    let satisfied = course_row.is_some_and(|r| r.satisfied);
    let started = aus.iter().any(|a| a.attempted);
    Ok(RegistrationProgress {
        registration: reg.registration,
        course_id: reg.course_id,
        course_title: package.title,
        package_version: package.version,
        learner: reg.actor,
        status: match (satisfied, started) {
            (true, _) => "satisfied",
            (false, true) => "in_progress",
            (false, false) => "not_started",
        }
        .into(),
        satisfied,
        progress: course_row.and_then(|r| r.progress).unwrap_or(0),
        aus,
    })
}
