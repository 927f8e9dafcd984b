//! The admin API for content: `GET /api/courses` (the catalog) and
//! `POST /api/packages` (import a zipped package).

use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::catalog::{CourseEntry, entry};
use super::import::{ImportError, ImportOutcome, import};
use super::source::{Limits, read_zip};
use super::store;
use super::upload::PackageZip;
use crate::auth::AdminAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;

pub struct PackagesApi {
    pub db: Db,
    pub limits: Limits,
}

#[derive(ApiResponse)]
pub enum ImportResponse {
    /// A new package version was stored.
    #[oai(status = 201)]
    Created(Json<ImportOutcome>),
    /// The same content was already imported; nothing changed.
    #[oai(status = 200)]
    Unchanged(Json<ImportOutcome>),
}

#[OpenApi(prefix_path = "/api", tag = "ApiTags::Content")]
impl PackagesApi {
    /// The course catalog: the newest version of every imported course with its AUs.
    #[oai(path = "/courses", method = "get", operation_id = "listCourses")]
    async fn courses(
        &self,
        _admin: AdminAuth,
        /// Only courses for this audience (e.g. `executives`).
        audience: Query<Option<String>>,
        /// Preferred language for titles and descriptions (default `en`).
        lang: Query<Option<String>>,
    ) -> ApiResult<Json<Vec<CourseEntry>>> {
        let language = lang.0.unwrap_or_else(|| "en".into());
        let mut entries = Vec::new();
        for model in store::latest_of_each(&self.db.conn)
            .await
            .map_err(Error::from)?
        {
            let course = entry(&model, &language).map_err(Error::Internal)?;
            if audience
                .0
                .as_ref()
                .is_none_or(|a| course.audiences.contains(a))
            {
                entries.push(course);
            }
        }
        Ok(Json(entries))
    }

    /// Imports a zipped package. Identical content is a no-op (200); changed content
    /// becomes the course's next version (201), and learners keep the version they
    /// started. Invalid packages are refused whole (400) with the file and rule.
    #[oai(path = "/packages", method = "post", operation_id = "importPackage")]
    async fn import(&self, _admin: AdminAuth, body: PackageZip) -> ApiResult<ImportResponse> {
        let source = read_zip(&body.0, &self.limits)
            .map_err(|e| Error::BadRequest(format!("package refused: {e}")))?;
        match import(&self.db, source).await {
            Ok(outcome) if outcome.created => Ok(ImportResponse::Created(Json(outcome))),
            Ok(outcome) => Ok(ImportResponse::Unchanged(Json(outcome))),
            Err(ImportError::Db(err)) => Err(Error::Db(err).into()),
            Err(err) => Err(Error::BadRequest(format!("package refused: {err}")).into()),
        }
    }
}
