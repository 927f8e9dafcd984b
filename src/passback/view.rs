//! The operators' view of an outbox message, as the admin API and the CLI show it.

use poem_openapi::Object;
use serde_json::Value;

use super::store::{Entry, STATES};
use crate::error::Error;

/// The platform's answer is shown up to this many bytes.
const ANSWER_BYTES: usize = 2048;
/// Messages per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 50;

/// One outgoing message to an LMS and the channel it goes through.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct PassbackMessage {
    /// The message's id (`POST /api/passback/{id}/retry` takes it).
    pub id: i64,
    /// `pending` (waiting or retrying), `delivered`, `failed` (given up; retryable) or
    /// `superseded` (a newer standing replaced it before it was sent).
    pub state: String,
    /// `ags` (LTI 1.3 Assignment and Grade Services) or `lti11` (LTI 1.1 Basic Outcomes).
    pub protocol: String,
    /// Who receives it: `platform:<id>` (LTI 1.3) or `consumer:<key>` (LTI 1.1).
    pub source: String,
    /// The learner at the LMS: the launch's `sub` (AGS `userId`) or LTI 1.1 `user_id`.
    pub user_id: String,
    /// The cmi5 registration whose standing it reports.
    pub registration: String,
    /// The AU (its publisher id).
    pub au_id: String,
    /// The AU's title (the label of a line item we create).
    pub label: String,
    /// AGS: the line item scores go to (the claim's, or the one found or created).
    pub lineitem_url: Option<String>,
    /// LTI 1.1: `lis_outcome_service_url`.
    pub outcome_url: Option<String>,
    /// What is sent: AGS score fields (`userId` and `timestamp` are added when sending)
    /// or LTI 1.1 `{resultScore}`.
    pub payload: Value,
    /// Attempts made so far (a retry keeps the count).
    pub attempts: i32,
    /// When the change it reports was stored (RFC 3339).
    pub created_at: String,
    /// Not sent before this time (RFC 3339).
    pub due_at: String,
    /// Given up after this time (RFC 3339).
    pub expires_at: String,
    /// When the last attempt was recorded (RFC 3339).
    pub last_attempt_at: Option<String>,
    /// When it was delivered (RFC 3339).
    pub delivered_at: Option<String>,
    /// When it failed (RFC 3339).
    pub failed_at: Option<String>,
    /// The HTTP status of the last answer, when one came.
    pub last_status: Option<i32>,
    /// What went wrong last, in our words.
    pub last_error: Option<String>,
    /// The platform's last answer (at most 2 KiB).
    pub last_answer: Option<String>,
}

/// A page of messages, newest first.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PassbackPage {
    /// The messages.
    pub messages: Vec<PassbackMessage>,
    /// Pass as `after` for the next page; absent on the last page.
    pub more: Option<i64>,
}

/// The `state` filter, checked: one of the stored states.
pub fn state_filter(state: Option<&str>) -> Result<Option<&str>, Error> {
    match state {
        None => Ok(None),
        Some(s) if STATES.contains(&s) => Ok(Some(s)),
        Some(s) => Err(Error::BadRequest(format!(
            "query parameter `state` must be one of {}; got {s:?}",
            STATES.join(", ")
        ))),
    }
}

/// A page from the `limit + 1` entries read: the extra one only says there is more.
pub fn page(mut entries: Vec<Entry>, limit: u64) -> PassbackPage {
    let more = (entries.len() as u64 > limit).then(|| {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.id)
    });
    PassbackPage {
        messages: entries.into_iter().map(PassbackMessage::from).collect(),
        more: more.flatten(),
    }
}

impl From<Entry> for PassbackMessage {
    fn from(e: Entry) -> PassbackMessage {
        PassbackMessage {
            id: e.id,
            state: e.state,
            protocol: e.protocol,
            source: e.source,
            user_id: e.user_id,
            registration: e.registration,
            au_id: e.object_id,
            label: e.label,
            lineitem_url: e.lineitem_url,
            outcome_url: e.outcome_url,
            payload: e.payload,
            attempts: e.attempts,
            created_at: rfc3339(e.created_us),
            due_at: rfc3339(e.due_us),
            expires_at: rfc3339(e.expires_us),
            last_attempt_at: e.last_attempt_us.map(rfc3339),
            delivered_at: e.delivered_us.map(rfc3339),
            failed_at: e.failed_us.map(rfc3339),
            last_status: e.last_status,
            last_error: e.last_error,
            last_answer: e.last_answer.map(|a| at_most(a, ANSWER_BYTES)),
        }
    }
}

pub fn rfc3339(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn at_most(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_states_are_refused_naming_the_parameter_and_the_allowed_values() {
        assert_eq!(state_filter(Some("failed")).unwrap(), Some("failed"));
        assert_eq!(state_filter(None).unwrap(), None);
        let message = state_filter(Some("lost")).unwrap_err().to_string();
        assert!(message.contains("`state`"), "{message}");
        assert!(
            message.contains("pending, failed, delivered, superseded"),
            "{message}"
        );
    }

    #[test]
    fn answers_are_cut_on_a_character_boundary() {
        assert_eq!(at_most("aé".into(), 2), "a");
        assert_eq!(at_most("abc".into(), 5), "abc");
        assert_eq!(at_most("é".repeat(2000), 2048).len(), 2048);
    }
}
