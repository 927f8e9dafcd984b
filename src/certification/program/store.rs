//! Stored program versions.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::model::Program;
use crate::error::Error;
use entities::cert_program;

/// One stored version of a program, parsed.
#[derive(Debug, Clone)]
pub struct LoadedProgram {
    pub program_id: String,
    pub version: i32,
    pub program: Program,
}

/// The newest version of every program, ordered by program id.
pub async fn current_all(conn: &impl ConnectionTrait) -> Result<Vec<LoadedProgram>, Error> {
    let rows = cert_program::Entity::find()
        .order_by_asc(cert_program::Column::ProgramId)
        .order_by_desc(cert_program::Column::Version)
        .all(conn)
        .await?;
    let mut out: Vec<LoadedProgram> = Vec::new();
    for row in rows {
        if out.last().is_some_and(|p| p.program_id == row.program_id) {
            continue;
        }
        out.push(loaded(row)?);
    }
    Ok(out)
}

/// Parses a stored row; the definition was validated when it was imported.
pub fn loaded(row: cert_program::Model) -> Result<LoadedProgram, Error> {
    let program = serde_json::from_value(row.definition).map_err(|e| {
        Error::Internal(format!(
            "stored program {} version {} does not parse: {e}",
            row.program_id, row.version
        ))
    })?;
    Ok(LoadedProgram {
        program_id: row.program_id,
        version: row.version,
        program,
    })
}

/// Every stored version of one program, oldest first.
pub async fn versions(
    conn: &impl ConnectionTrait,
    program_id: &str,
) -> Result<Vec<cert_program::Model>, Error> {
    Ok(cert_program::Entity::find()
        .filter(cert_program::Column::ProgramId.eq(program_id))
        .order_by_asc(cert_program::Column::Version)
        .all(conn)
        .await?)
}

/// One stored version of a program.
pub async fn version(
    conn: &impl ConnectionTrait,
    program_id: &str,
    version: i32,
) -> Result<Option<cert_program::Model>, Error> {
    Ok(cert_program::Entity::find()
        .filter(cert_program::Column::ProgramId.eq(program_id))
        .filter(cert_program::Column::Version.eq(version))
        .one(conn)
        .await?)
}

/// The newest version of every program as stored rows, ordered by program id.
pub async fn current_rows(conn: &impl ConnectionTrait) -> Result<Vec<cert_program::Model>, Error> {
    let rows = cert_program::Entity::find()
        .order_by_asc(cert_program::Column::ProgramId)
        .order_by_desc(cert_program::Column::Version)
        .all(conn)
        .await?;
    let mut out: Vec<cert_program::Model> = Vec::new();
    for row in rows {
        if out.last().is_none_or(|p| p.program_id != row.program_id) {
            out.push(row);
        }
    }
    Ok(out)
}

/// Stores a new version; the caller has checked the program and chosen the version.
pub async fn insert(
    conn: &impl ConnectionTrait,
    program: &Program,
    version: i32,
    definition: serde_json::Value,
    content_hash: &str,
    imported_us: i64,
) -> Result<cert_program::Model, Error> {
    Ok(cert_program::ActiveModel {
        program_id: Set(program.program.id.clone()),
        version: Set(version),
        content_hash: Set(content_hash.to_owned()),
        name: Set(program.program.name.clone()),
        definition: Set(definition),
        imported_us: Set(imported_us),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}
