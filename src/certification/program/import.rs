//! Importing a program file: parse and check it, compare it with the stored versions,
//! and store it as the program's next version when its content changed, with an audit
//! entry (`program.import`). What `packages import`, `serve --import-packages`,
//! `POST /api/program` and `blackbelt program import` run.

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde::Serialize;

use super::model::Program;
use super::problem::ProgramError;
use super::store::{self, LoadedProgram};
use super::{parse, validate};
use crate::certification::audit;
use crate::db::Db;
use crate::error::Error;
use crate::packages::manifest::Course;

/// What an import did.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[serde(rename_all = "camelCase")]
#[oai(rename = "ProgramImport", rename_all = "camelCase")]
pub struct ImportOutcome {
    /// The program's id (`[program] id`).
    pub program_id: String,
    pub name: String,
    /// The version now current: new when `created`, else the one with this content.
    pub version: i32,
    /// False when the same content was already the current version (nothing changed).
    pub created: bool,
    /// SHA-256 of the normalised definition.
    pub content_hash: String,
    /// The belt ids, lowest tier first.
    pub belts: Vec<String>,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not TOML, breaks the schema or a rule.
    #[error("{0}")]
    Refused(#[from] ProgramError),
    /// Another import of the same program won a race; importing again settles it.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(err: sea_orm::DbErr) -> Self {
        ImportError::Other(Error::Db(err))
    }
}

/// The AU and course ids of every offered course (newest version, not retired).
pub async fn known(conn: &impl ConnectionTrait) -> Result<validate::Known, Error> {
    let mut known = validate::Known::default();
    for package in crate::packages::store::latest_of_each(conn).await? {
        let course: Course = serde_json::from_value(package.structure).map_err(|e| {
            Error::Internal(format!(
                "package {} has an unreadable structure: {e}",
                package.slug
            ))
        })?;
        known
            .aus
            .extend(course.aus().into_iter().map(|au| au.id.clone()));
        known.courses.insert(course.id);
    }
    Ok(known)
}

/// Checks a program file against the database without storing anything: its own rules,
/// the imported courses, and its earlier versions. What `blackbelt program validate`
/// runs; the import runs the same checks.
pub async fn check(conn: &impl ConnectionTrait, text: &str) -> Result<Program, ImportError> {
    let program = parse::parse(text)?;
    let earlier = loaded_versions(conn, &program.program.id).await?;
    check_parsed(conn, &program, &earlier).await?;
    Ok(program)
}

async fn loaded_versions(
    conn: &impl ConnectionTrait,
    program_id: &str,
) -> Result<Vec<LoadedProgram>, Error> {
    store::versions(conn, program_id)
        .await?
        .into_iter()
        .map(store::loaded)
        .collect()
}

async fn check_parsed(
    conn: &impl ConnectionTrait,
    program: &Program,
    earlier: &[LoadedProgram],
) -> Result<(), ImportError> {
    let known = known(conn).await?;
    let mut problems = validate::references(program, &known);
    problems.extend(validate::reuse(program, earlier));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ProgramError::Invalid(problems).into())
    }
}

/// Imports a program file's text. `actor` is who asked (`system`, `credential:<id>`).
pub async fn import_text(
    db: &Db,
    text: &str,
    actor: &str,
    now_us: i64,
) -> Result<ImportOutcome, ImportError> {
    let program = parse::parse(text)?;
    let (definition, hash) = parse::normalised(&program).map_err(Error::Internal)?;
    let _gate = db.write_gate().await;
    let txn = db.writer().begin().await?;
    let rows = store::versions(&txn, &program.program.id).await?;
    let belts: Vec<String> = program.belts.iter().map(|b| b.id.clone()).collect();
    let outcome = |version: i32, created: bool| ImportOutcome {
        program_id: program.program.id.clone(),
        name: program.program.name.clone(),
        version,
        created,
        content_hash: hash.clone(),
        belts: belts.clone(),
    };
    if let Some(newest) = rows.last()
        && newest.content_hash == hash
    {
        return Ok(outcome(newest.version, false));
    }
    let earlier: Vec<LoadedProgram> = rows
        .into_iter()
        .map(store::loaded)
        .collect::<Result<_, _>>()?;
    check_parsed(&txn, &program, &earlier).await?;
    let version = earlier.last().map_or(0, |p| p.version) + 1;
    if let Err(err) = store::insert(&txn, &program, version, definition, &hash, now_us).await {
        drop(txn);
        // Another instance imported this program a moment ago (the unique version
        // stopped us): same content is "unchanged", other content must be retried.
        let rows = store::versions(db.writer(), &program.program.id).await?;
        return match rows.last() {
            Some(newest) if newest.content_hash == hash => Ok(outcome(newest.version, false)),
            Some(_) => Err(ImportError::Conflict(format!(
                "program {:?} was imported by someone else at the same time; import again",
                program.program.id
            ))),
            None => Err(err.into()),
        };
    }
    audit::record(
        &txn,
        now_us,
        audit::Entry {
            actor: actor.to_owned(),
            action: "program.import".into(),
            reason: Some(format!(
                "program {} version {version} imported",
                program.program.id
            )),
            details: serde_json::json!({
                "program": program.program.id,
                "version": version,
                "contentHash": hash,
                "belts": belts,
            }),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(outcome(version, true))
}
