//! Stored program versions.

use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

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
