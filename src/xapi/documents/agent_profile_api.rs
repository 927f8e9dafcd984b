//! Agent Profile documents: data about an agent, across activities.
//! Spec: xAPI-Communication 2.6 (Agent Profile Resource).

// Each query parameter is an argument so that the OpenAPI document lists it.
#![allow(clippy::too_many_arguments)]

use super::api_macro::document_api;
use super::key::DocumentKind;
use super::participant::DocumentParticipants;
use crate::db::Db;

pub struct AgentProfileApi {
    pub db: Db,
    /// What rules on the requests of grant holders (a launched AU).
    pub participants: DocumentParticipants,
}

document_api! {
    AgentProfileApi, DocumentKind::AgentProfile, "/agents/profile",
    get: ("getAgentProfile", " Agent profile document, or the ids of the documents in scope."),
    put: ("putAgentProfile", " Store an agent profile document (any content type), replacing what was there."),
    post: ("postAgentProfile", " Merge a JSON object into an agent profile document (or create it)."),
    delete: ("deleteAgentProfile", " Delete an agent profile document."),
    params: {
        _agent: "agent" => " The Agent (JSON).",
        _profile_id: "profileId" => " The document id; without it GET lists ids.",
        _since: "since" => " GET without profileId: only ids of documents changed after this timestamp.",
    }
}
