//! The admin API for content: `GET /api/courses` (the catalog),
//! `POST /api/courses/{course}/retire|restore` and `POST /api/packages` (import a zipped
//! package or a bare course structure).

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::catalog::{CourseEntry, entry};
use super::import::{ImportError, ImportOutcome, import};
use super::retire::set_retired;
use super::source::{Limits, read_course_structure, read_zip};
use super::store;
use super::upload::PackageUpload;
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
        /// `true` lists retired courses too (they carry `retiredAt`).
        all: Query<Option<bool>>,
    ) -> ApiResult<Json<Vec<CourseEntry>>> {
        let language = lang.0.unwrap_or_else(|| "en".into());
        let models = if all.0 == Some(true) {
            store::latest_of_each_with_retired(&self.db.conn).await
        } else {
            store::latest_of_each(&self.db.conn).await
        };
        let mut entries = Vec::new();
        for model in models.map_err(Error::from)? {
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

    /// Retires a course: it leaves the catalog and the Deep Linking picker, and new
    /// launches of its AUs are refused (409); sessions already launched finish and
    /// statements stay. Retiring a retired course changes nothing.
    #[oai(
        path = "/courses/:course/retire",
        method = "post",
        operation_id = "retireCourse"
    )]
    async fn retire(
        &self,
        _admin: AdminAuth,
        /// The course id (IRI, percent-encoded) or the slug of any of its versions.
        course: Path<String>,
    ) -> ApiResult<Json<CourseEntry>> {
        self.set_retired(&course.0, true).await
    }

    /// Restores a retired course to the catalog, as it was before it was retired.
    #[oai(
        path = "/courses/:course/restore",
        method = "post",
        operation_id = "restoreCourse"
    )]
    async fn restore(
        &self,
        _admin: AdminAuth,
        /// The course id (IRI, percent-encoded) or the slug of any of its versions.
        course: Path<String>,
    ) -> ApiResult<Json<CourseEntry>> {
        self.set_retired(&course.0, false).await
    }

    /// Imports a package: a zip (`application/zip`), or a cmi5 course structure on its
    /// own (`application/xml` or `text/xml`, cmi5 14.0) whose AUs are at absolute URLs.
    /// Identical content is a no-op (200); changed content becomes the course's next
    /// version (201), and learners keep the version they started. Invalid packages are
    /// refused whole (400) with the file, the element and the rule; other content types
    /// get 415.
    #[oai(path = "/packages", method = "post", operation_id = "importPackage")]
    async fn import(&self, _admin: AdminAuth, body: PackageUpload) -> ApiResult<ImportResponse> {
        let source = match body {
            PackageUpload::Zip(bytes) => read_zip(&bytes, &self.limits),
            PackageUpload::CourseStructure(bytes) => read_course_structure(bytes, &self.limits),
        }
        .map_err(|e| Error::BadRequest(format!("package refused: {e}")))?;
        match import(&self.db, source).await {
            Ok(outcome) if outcome.created => Ok(ImportResponse::Created(Json(outcome))),
            Ok(outcome) => Ok(ImportResponse::Unchanged(Json(outcome))),
            Err(ImportError::Db(err)) => Err(Error::Db(err).into()),
            Err(err) => Err(Error::BadRequest(format!("package refused: {err}")).into()),
        }
    }
}

impl PackagesApi {
    async fn set_retired(&self, course: &str, retire: bool) -> ApiResult<Json<CourseEntry>> {
        let found = set_retired(&self.db, course, retire)
            .await
            .map_err(Error::from)?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no course has the id or slug {course:?}; GET /api/courses?all=true lists courses"
                ))
            })?;
        Ok(Json(entry(&found.course, "en").map_err(Error::Internal)?))
    }
}
