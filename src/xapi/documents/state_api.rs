//! State documents: an activity's data for one agent (and registration).
//! Spec: xAPI-Communication 2.3 (State Resource).

// Each query parameter is an argument so that the OpenAPI document lists it.
#![allow(clippy::too_many_arguments)]

use super::api_macro::document_api;
use super::key::DocumentKind;
use super::participant::DocumentParticipants;
use crate::db::Db;

pub struct StateApi {
    pub db: Db,
    /// What rules on the requests of grant holders (a launched AU).
    pub participants: DocumentParticipants,
}

document_api! {
    StateApi, DocumentKind::State, "/activities/state",
    get: ("getState", " State document, or the ids of the documents in scope."),
    put: ("putState", " Store a state document (any content type), replacing what was there."),
    post: ("postState", " Merge a JSON object into a state document (or create it)."),
    delete: ("deleteState", " Delete a state document (or, without stateId, every one in scope)."),
    params: {
        _activity_id: "activityId" => " The Activity IRI.",
        _agent: "agent" => " The Agent (JSON) the state belongs to.",
        _registration: "registration" => " Registration UUID.",
        _state_id: "stateId" => " The document id; without it GET lists ids and DELETE deletes every document in scope.",
        _since: "since" => " GET without stateId: only ids of documents changed after this timestamp.",
    }
}
