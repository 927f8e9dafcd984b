//! State documents: an activity's data for one agent (and registration).
//! Spec: xAPI-Communication 2.3 (State Resource).

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

pub struct StateApi {
    pub db: Db,
}

const KIND: DocumentKind = DocumentKind::State;

#[OpenApi(prefix_path = "/xapi", tag = "ApiTags::Documents")]
impl StateApi {
    /// State document, or the ids of the documents in scope.
    #[oai(path = "/activities/state", method = "get", operation_id = "getState")]
    async fn get(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The Agent (JSON) the state belongs to.
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
        /// Registration UUID.
        #[oai(name = "registration")]
        _registration: Query<Option<String>>,
        /// The document id; without it GET lists ids and DELETE deletes every document in scope.
        #[oai(name = "stateId")]
        _state_id: Query<Option<String>>,
        /// GET without stateId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
    ) -> ApiResult<DocumentResponse> {
        Ok(handlers::get(&self.db, &auth, KIND, req).await?)
    }

    /// Store a state document (any content type), replacing what was there.
    #[oai(path = "/activities/state", method = "put", operation_id = "putState")]
    async fn put(
        &self,
        auth: BasicAuth,
        req: &Request,
        version: Data<&XapiVersion>,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The Agent (JSON) the state belongs to.
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
        /// Registration UUID.
        #[oai(name = "registration")]
        _registration: Query<Option<String>>,
        /// The document id; without it GET lists ids and DELETE deletes every document in scope.
        #[oai(name = "stateId")]
        _state_id: Query<Option<String>>,
        /// GET without stateId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
        body: DocumentBody,
    ) -> ApiResult<DocumentResponse> {
        let mode = WriteMode::Replace;
        Ok(handlers::write(&self.db, &auth, KIND, req, *version.0, body, mode).await?)
    }

    /// Merge a JSON object into a state document (or create it).
    #[oai(
        path = "/activities/state",
        method = "post",
        operation_id = "postState"
    )]
    async fn post(
        &self,
        auth: BasicAuth,
        req: &Request,
        version: Data<&XapiVersion>,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The Agent (JSON) the state belongs to.
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
        /// Registration UUID.
        #[oai(name = "registration")]
        _registration: Query<Option<String>>,
        /// The document id; without it GET lists ids and DELETE deletes every document in scope.
        #[oai(name = "stateId")]
        _state_id: Query<Option<String>>,
        /// GET without stateId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
        body: DocumentBody,
    ) -> ApiResult<DocumentResponse> {
        let mode = WriteMode::Merge;
        Ok(handlers::write(&self.db, &auth, KIND, req, *version.0, body, mode).await?)
    }

    /// Delete a state document (or, without stateId, every one in scope).
    #[oai(
        path = "/activities/state",
        method = "delete",
        operation_id = "deleteState"
    )]
    async fn delete(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
        /// The Agent (JSON) the state belongs to.
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
        /// Registration UUID.
        #[oai(name = "registration")]
        _registration: Query<Option<String>>,
        /// The document id; without it GET lists ids and DELETE deletes every document in scope.
        #[oai(name = "stateId")]
        _state_id: Query<Option<String>>,
        /// GET without stateId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
    ) -> ApiResult<DocumentResponse> {
        Ok(handlers::delete(&self.db, &auth, KIND, req).await?)
    }
}
