//! The program API: `POST /api/program` (import a program file), `GET /api/program`
//! (the current version of each program), `GET /api/program/{id}/versions/{version}`
//! (one stored definition) and `GET /api/program/schema` (the program file's JSON
//! Schema). Admin scope, except the schema, which is documentation.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::Value;

use super::import::{ImportError, ImportOutcome, import_text};
use super::summary::{ProgramSummary, summary};
use super::upload::ProgramUpload;
use super::{schema, store};
use crate::auth::AdminAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;

pub struct ProgramApi {
    pub db: Db,
}

#[derive(ApiResponse)]
pub enum ImportResponse {
    /// The program's next version was stored.
    #[oai(status = 201)]
    Created(Json<ImportOutcome>),
    /// The same content is already the current version; nothing changed.
    #[oai(status = 200)]
    Unchanged(Json<ImportOutcome>),
}

/// One stored version of a program, in full.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ProgramVersion {
    /// The version, its belts summarised.
    pub summary: ProgramSummary,
    /// The definition as imported and normalised (defaults filled in), in the program
    /// file's field names; see GET /api/program/schema.
    pub definition: Value,
}

#[OpenApi(prefix_path = "/api", tag = "ApiTags::Certification")]
impl ProgramApi {
    /// Imports a certification program file (TOML, the JSON Schema at
    /// `GET /api/program/schema`). Same content as the current version: 200, nothing
    /// changes; changed content: 201, the program's next version (awards keep the
    /// version they were earned under). A file that is not TOML, breaks the schema or a
    /// rule (an unknown AU or course, a cycle of belts, a requirement that can never be
    /// met, a belt id reused with another meaning) is refused whole with 400, every
    /// problem located (`belt "green" requires.all_of[2].au.min_score: …`); 409 when a
    /// concurrent import of the same program won; 413 over 256 KiB; 415 for a
    /// Content-Type other than application/toml or text/plain.
    #[oai(path = "/program", method = "post", operation_id = "importProgram")]
    async fn import(&self, admin: AdminAuth, body: ProgramUpload) -> ApiResult<ImportResponse> {
        let actor = format!("credential:{}", admin.0.credential_id);
        let now = jiff::Timestamp::now().as_microsecond();
        match import_text(&self.db, &body.0, &actor, now).await {
            Ok(outcome) if outcome.created => Ok(ImportResponse::Created(Json(outcome))),
            Ok(outcome) => Ok(ImportResponse::Unchanged(Json(outcome))),
            Err(ImportError::Refused(why)) => {
                Err(Error::BadRequest(format!("program refused: {why}")).into())
            }
            Err(ImportError::Conflict(why)) => Err(Error::Conflict(why).into()),
            Err(ImportError::Other(err)) => Err(err.into()),
        }
    }

    /// The current (newest) version of every imported program, belts summarised,
    /// ordered by program id.
    #[oai(path = "/program", method = "get", operation_id = "listPrograms")]
    async fn list(&self, _admin: AdminAuth) -> ApiResult<Json<Vec<ProgramSummary>>> {
        let mut out = Vec::new();
        for row in store::current_rows(&self.db.conn).await? {
            let loaded = store::loaded(row.clone())?;
            out.push(summary(&row, &loaded.program));
        }
        Ok(Json(out))
    }

    /// One stored version of a program with its whole definition; 404 when the program
    /// or that version does not exist.
    #[oai(
        path = "/program/:id/versions/:version",
        method = "get",
        operation_id = "getProgramVersion"
    )]
    async fn version(
        &self,
        _admin: AdminAuth,
        /// The program's id (`[program] id`).
        id: Path<String>,
        /// The version (1, 2, …).
        version: Path<i32>,
    ) -> ApiResult<Json<ProgramVersion>> {
        let row = store::version(&self.db.conn, &id.0, version.0)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "program {:?} has no version {}; GET /api/program lists the current versions",
                    id.0, version.0
                ))
            })?;
        let loaded = store::loaded(row.clone())?;
        Ok(Json(ProgramVersion {
            summary: summary(&row, &loaded.program),
            definition: row.definition,
        }))
    }

    /// The JSON Schema (draft 2020-12) of the program file, as the import checks it.
    /// No credential needed: it documents a format.
    #[oai(
        path = "/program/schema",
        method = "get",
        operation_id = "getProgramSchema"
    )]
    async fn schema(&self) -> Json<Value> {
        Json(schema::document())
    }
}
