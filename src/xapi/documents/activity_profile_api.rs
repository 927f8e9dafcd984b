//! Activity Profile documents: data about an activity, shared by all learners.
//! Spec: xAPI-Communication 2.7 (Activity Profile Resource).

// Each query parameter is an argument so that the OpenAPI document lists it.
#![allow(clippy::too_many_arguments)]

use poem::Request;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Query;

use super::body::DocumentBody;
use super::handlers;
use super::key::DocumentKind;
use super::response::DocumentResponse;
use super::service::WriteMode;
use crate::auth::BasicAuth;
use crate::db::Db;
use crate::error::ApiResult;
use crate::openapi::ApiTags;
use crate::xapi::version::XapiVersion;

pub struct ActivityProfileApi {
    pub db: Db,
}

const KIND: DocumentKind = DocumentKind::ActivityProfile;

#[OpenApi(prefix_path = "/xapi", tag = "ApiTags::Documents")]
impl ActivityProfileApi {
    /// Activity profile document, or the ids of the documents in scope.
    #[oai(
        path = "/activities/profile",
        method = "get",
        operation_id = "getActivityProfile"
    )]
    async fn get(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The document id; without it GET lists ids.
        #[oai(name = "profileId")]
        _profile_id: Query<Option<String>>,
        /// GET without profileId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
    ) -> ApiResult<DocumentResponse> {
        Ok(handlers::get(&self.db, &auth, KIND, req).await?)
    }

    /// Store a activity profile document (any content type), replacing what was there.
    #[oai(
        path = "/activities/profile",
        method = "put",
        operation_id = "putActivityProfile"
    )]
    async fn put(
        &self,
        auth: BasicAuth,
        req: &Request,
        version: Data<&XapiVersion>,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The document id; without it GET lists ids.
        #[oai(name = "profileId")]
        _profile_id: Query<Option<String>>,
        /// GET without profileId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
        body: DocumentBody,
    ) -> ApiResult<DocumentResponse> {
        let mode = WriteMode::Replace;
        Ok(handlers::write(&self.db, &auth, KIND, req, *version.0, body, mode).await?)
    }

    /// Merge a JSON object into a activity profile document (or create it).
    #[oai(
        path = "/activities/profile",
        method = "post",
        operation_id = "postActivityProfile"
    )]
    async fn post(
        &self,
        auth: BasicAuth,
        req: &Request,
        version: Data<&XapiVersion>,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The document id; without it GET lists ids.
        #[oai(name = "profileId")]
        _profile_id: Query<Option<String>>,
        /// GET without profileId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
        body: DocumentBody,
    ) -> ApiResult<DocumentResponse> {
        let mode = WriteMode::Merge;
        Ok(handlers::write(&self.db, &auth, KIND, req, *version.0, body, mode).await?)
    }

    /// Delete a activity profile document.
    #[oai(
        path = "/activities/profile",
        method = "delete",
        operation_id = "deleteActivityProfile"
    )]
    async fn delete(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The document id; without it GET lists ids.
        #[oai(name = "profileId")]
        _profile_id: Query<Option<String>>,
        /// GET without profileId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
    ) -> ApiResult<DocumentResponse> {
        Ok(handlers::delete(&self.db, &auth, KIND, req).await?)
    }
}
