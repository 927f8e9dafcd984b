//! The xAPI statements the server writes about belts: awarded, renewed, expired,
//! revoked, extended. They are stored by the system authority (this server as the LMS)
//! in the transaction of the change, so any reporting tool reading xAPI sees belts.
//!
//! Vocabulary: `earned` is the published Tin Can registry verb
//! (<http://id.tincanapi.com/verb/earned>) and serves awards and renewals (a result
//! extension says which). No published verb says that a credential lapsed or was
//! withdrawn, so `expired` and `revoked` are minted under this server's own vocabulary,
//! `https://blackbelt.dev/xapi/…`, like the `about` extension; `extended` likewise.

use std::sync::{Arc, RwLock};

use serde_json::{Value, json};

use crate::certification::program::model::Belt;
use crate::error::Error;
use entities::cert_award;

pub const EARNED: &str = "http://id.tincanapi.com/verb/earned";
pub const EXPIRED: &str = "https://blackbelt.dev/xapi/verbs/expired";
pub const REVOKED: &str = "https://blackbelt.dev/xapi/verbs/revoked";
pub const EXTENDED: &str = "https://blackbelt.dev/xapi/verbs/extended";
/// The Tin Can registry's activity type for a badge.
pub const TYPE_BADGE: &str = "http://id.tincanapi.com/activitytype/badge";
/// Result extension: the award's id (`GET /api/awards/{id}`).
pub const EXT_AWARD_ID: &str = "https://blackbelt.dev/xapi/extensions/award-id";
/// Result extension: `award`, `renew`, `expire`, `revoke` or `extend`.
pub const EXT_AWARD_EVENT: &str = "https://blackbelt.dev/xapi/extensions/award-event";
/// Result extension: the award's valid-until time (RFC 3339), when it has one.
pub const EXT_VALID_UNTIL: &str = "https://blackbelt.dev/xapi/extensions/valid-until";
/// Context extension: the program id.
pub const EXT_PROGRAM: &str = "https://blackbelt.dev/xapi/extensions/program";
/// Context extension: the program version the award was earned under.
pub const EXT_PROGRAM_VERSION: &str = "https://blackbelt.dev/xapi/extensions/program-version";

static PUBLIC_URL: RwLock<Option<Arc<str>>> = RwLock::new(None);

/// Sets the public URL the belt activities and the authority are named under (the app
/// calls it when it is built; the award operations take no configuration).
pub fn configure(public_url: &str) {
    if let Ok(mut slot) = PUBLIC_URL.write() {
        *slot = Some(Arc::from(public_url.trim_end_matches('/')));
    }
}

fn public_url() -> Arc<str> {
    PUBLIC_URL
        .read()
        .ok()
        .and_then(|slot| slot.clone())
        .unwrap_or_else(|| Arc::from("http://127.0.0.1:8420"))
}

/// The belt's activity id.
pub fn belt_activity_id(program_id: &str, belt_id: &str) -> String {
    format!(
        "{}/certification/programs/{program_id}/belts/{belt_id}",
        public_url()
    )
}

/// What happened to an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Award,
    Renew,
    Expire,
    Revoke,
    Extend,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::Award => "award",
            Event::Renew => "renew",
            Event::Expire => "expire",
            Event::Revoke => "revoke",
            Event::Extend => "extend",
        }
    }

    fn verb(self) -> (&'static str, &'static str) {
        match self {
            Event::Award | Event::Renew => (EARNED, "earned"),
            Event::Expire => (EXPIRED, "expired"),
            Event::Revoke => (REVOKED, "revoked"),
            Event::Extend => (EXTENDED, "extended"),
        }
    }
}

fn rfc3339(us: i64) -> Option<String> {
    jiff::Timestamp::from_microsecond(us)
        .ok()
        .map(|t| t.to_string())
}

/// The statement announcing `event` on `award`, with the id `id`.
pub fn build(
    id: &str,
    event: Event,
    award: &cert_award::Model,
    actor: &Value,
    belt: Option<&Belt>,
    now_us: i64,
) -> Value {
    let (verb, display) = event.verb();
    let (name, description) = match belt {
        Some(b) => (b.name.clone(), b.description.clone()),
        None => (award.belt_id.clone(), String::new()),
    };
    let mut definition = json!({
        "name": {"en-US": name},
        "type": TYPE_BADGE,
    });
    if !description.is_empty() {
        definition["description"] = json!({"en-US": description});
    }
    let mut result_ext = serde_json::Map::new();
    result_ext.insert(EXT_AWARD_ID.into(), json!(award.id));
    result_ext.insert(EXT_AWARD_EVENT.into(), json!(event.name()));
    if let Some(until) = award.valid_until_us.and_then(rfc3339) {
        result_ext.insert(EXT_VALID_UNTIL.into(), json!(until));
    }
    let success = matches!(event, Event::Award | Event::Renew | Event::Extend);
    json!({
        "id": id,
        "actor": actor,
        "verb": {"id": verb, "display": {"en-US": display}},
        "object": {
            "objectType": "Activity",
            "id": belt_activity_id(&award.program_id, &award.belt_id),
            "definition": definition,
        },
        "result": {"success": success, "extensions": result_ext},
        "context": {"extensions": {
            EXT_PROGRAM: award.program_id,
            EXT_PROGRAM_VERSION: award.program_version,
        }},
        "timestamp": rfc3339(now_us).unwrap_or_default(),
    })
}

/// Stores statements built by [`build`] by the system authority. `stored` is `now_us`
/// (the statement batch's own `stored` time when evaluation runs in it), but never
/// later than the wall clock: an evaluation "as of" a later time (the sweep's tests,
/// `reevaluate --at`) still stores its statements now; their `timestamp` says when.
pub async fn store(
    conn: &impl sea_orm::ConnectionTrait,
    statements: Vec<Value>,
    now_us: i64,
) -> Result<(), Error> {
    let wall = jiff::Timestamp::now().as_microsecond();
    let stored = jiff::Timestamp::from_microsecond(now_us.min(wall))
        .map_err(|e| Error::Internal(format!("award time out of range: {e}")))?;
    let authority = crate::auth::lms_authority(&public_url());
    crate::launch::system::insert(conn, statements, stored, &authority).await
}
