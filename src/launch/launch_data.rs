//! The `LMS.LaunchData` State document written before every launch (cmi5 §10).

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::grant::LaunchMode;
use super::vocab;
use crate::error::Error;
use crate::packages::catalog::move_on_name;
use crate::packages::manifest::Au;
use crate::xapi::documents::key::{DocumentKind, DocumentParams};
use crate::xapi::documents::service::etag_of;
use crate::xapi::documents::store::{self, NewDocument};

pub struct LaunchDataInput<'a> {
    pub au: &'a Au,
    /// The LMS-generated activityId (cmi5 §8.1.5): the document's State API key.
    pub activity_id: &'a str,
    pub actor: &'a Value,
    pub registration: &'a str,
    pub session_id: &'a str,
    pub launch_mode: LaunchMode,
    pub return_url: Option<&'a str>,
}

/// The document's JSON.
pub fn document(input: &LaunchDataInput<'_>) -> Value {
    let au = input.au;
    // cmi5 §10.2.1 / §9.6.2.3: grouping holds the AU's publisher id, unaltered.
    let mut data = json!({
        "contextTemplate": {
            "contextActivities": {
                "grouping": [{"objectType": "Activity", "id": au.id}],
            },
            "extensions": {vocab::EXT_SESSION_ID: input.session_id},
        },
        "launchMode": input.launch_mode.name(),
        "moveOn": move_on_name(au.move_on),
    });
    if let Some(score) = au.mastery_score {
        data["masteryScore"] = json!(score);
    }
    if let Some(params) = &au.launch_parameters {
        data["launchParameters"] = json!(params);
    }
    if let Some(url) = input.return_url {
        data["returnURL"] = json!(url);
    }
    if let Some(key) = &au.entitlement_key {
        data["entitlementKey"] = json!({"courseStructure": key});
    }
    data
}

/// Writes (creates or replaces) the document in the caller's transaction.
pub async fn write(conn: &impl ConnectionTrait, input: &LaunchDataInput<'_>) -> Result<(), Error> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("activityId", input.activity_id)
        .append_pair("agent", &input.actor.to_string())
        .append_pair("registration", input.registration)
        .append_pair("stateId", vocab::LAUNCH_DATA)
        .finish();
    let params = DocumentParams::parse(DocumentKind::State, &query)?;
    let content = serde_json::to_vec(&document(input))
        .map_err(|e| Error::Internal(format!("launch data: {e}")))?;
    let etag = etag_of(&content);
    let doc = NewDocument {
        content_type: "application/json",
        content: &content,
        etag: &etag,
        updated_us: jiff::Timestamp::now().as_microsecond(),
    };
    let written = match store::find(conn, &params.scope, vocab::LAUNCH_DATA).await? {
        Some(existing) => store::replace(conn, existing.seq, &existing.etag, &doc).await?,
        None => store::insert(conn, &params.scope, vocab::LAUNCH_DATA, &doc).await?,
    };
    if written {
        Ok(())
    } else {
        Err(Error::Conflict(
            "the launch data document changed during the launch; try again".into(),
        ))
    }
}
