//! Activity Profile documents: data about an activity, shared by all learners.
//! Spec: xAPI-Communication 2.7 (Activity Profile Resource).

// Each query parameter is an argument so that the OpenAPI document lists it.
#![allow(clippy::too_many_arguments)]

use super::api_macro::document_api;
use super::key::DocumentKind;
use super::participant::DocumentParticipants;
use crate::db::Db;

pub struct ActivityProfileApi {
    pub db: Db,
    /// What rules on the requests of grant holders (a launched AU).
    pub participants: DocumentParticipants,
}

document_api! {
    ActivityProfileApi, DocumentKind::ActivityProfile, "/activities/profile",
    get: ("getActivityProfile", " Activity profile document, or the ids of the documents in scope."),
    put: ("putActivityProfile", " Store an activity profile document (any content type), replacing what was there."),
    post: ("postActivityProfile", " Merge a JSON object into an activity profile document (or create it)."),
    delete: ("deleteActivityProfile", " Delete an activity profile document."),
    params: {
        _activity_id: "activityId" => " The Activity IRI.",
        _profile_id: "profileId" => " The document id; without it GET lists ids.",
        _since: "since" => " GET without profileId: only ids of documents changed after this timestamp.",
    }
}
