//! Agent Profile documents: data about an agent, across activities.
//! Spec: xAPI-Communication 2.6 (Agent Profile Resource).

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

pub struct AgentProfileApi {
    pub db: Db,
}

const KIND: DocumentKind = DocumentKind::AgentProfile;

#[OpenApi(prefix_path = "/xapi", tag = "ApiTags::Documents")]
impl AgentProfileApi {
    /// Agent profile document, or the ids of the documents in scope.
    #[oai(
        path = "/agents/profile",
        method = "get",
        operation_id = "getAgentProfile"
    )]
    async fn get(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Agent (JSON).
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
        /// The document id; without it GET lists ids.
        #[oai(name = "profileId")]
        _profile_id: Query<Option<String>>,
        /// GET without profileId: only ids of documents changed after this timestamp.
        #[oai(name = "since")]
        _since: Query<Option<String>>,
    ) -> ApiResult<DocumentResponse> {
        Ok(handlers::get(&self.db, &auth, KIND, req).await?)
    }

    /// Store a agent profile document (any content type), replacing what was there.
    #[oai(
        path = "/agents/profile",
        method = "put",
        operation_id = "putAgentProfile"
    )]
    async fn put(
        &self,
        auth: BasicAuth,
        req: &Request,
        version: Data<&XapiVersion>,
        /// The Agent (JSON).
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
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

    /// Merge a JSON object into a agent profile document (or create it).
    #[oai(
        path = "/agents/profile",
        method = "post",
        operation_id = "postAgentProfile"
    )]
    async fn post(
        &self,
        auth: BasicAuth,
        req: &Request,
        version: Data<&XapiVersion>,
        /// The Agent (JSON).
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
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

    /// Delete a agent profile document.
    #[oai(
        path = "/agents/profile",
        method = "delete",
        operation_id = "deleteAgentProfile"
    )]
    async fn delete(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Agent (JSON).
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
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
