//! The badges API's JSON: a credential's summary (with the links where anyone can fetch
//! and check it), a credential in full, and the issuer's keys.

use poem_openapi::Object;
use serde_json::Value;

use crate::badges::Urls;
use crate::badges::issue::Issued;
use crate::badges::keys::PublicKey;
use crate::badges::status::LiveStatus;
use crate::passback::view::rfc3339;
use entities::{badge_credential, cert_award};

/// Where a credential can be fetched and checked, without a credential.
#[derive(Debug, Clone, Object)]
pub struct Links {
    /// The credential's `id`: JSON with its proof, or the VC-JWT with
    /// `Accept: application/vc+jwt`.
    pub credential: String,
    /// The belt's image with the VC-JWT baked in (`?format=json` for the JSON).
    pub baked: String,
    /// The page for people: status, dates, and how to verify.
    pub verify_page: String,
}

impl Links {
    pub fn of(urls: &Urls, id: &str) -> Links {
        Links {
            credential: urls.credential(id),
            baked: urls.baked(id),
            verify_page: urls.verify_page(id),
        }
    }
}

/// The live status of a credential, in words.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Status {
    /// `valid`, `renewed` (valid, re-issued on recertification), `expired` or `revoked`.
    pub name: String,
    /// When it was renewed, expired or revoked (RFC 3339).
    pub since: Option<String>,
    /// Why it was revoked, when a reason was given.
    pub reason: Option<String>,
}

impl From<&LiveStatus> for Status {
    fn from(status: &LiveStatus) -> Status {
        let (since, reason) = match status {
            LiveStatus::Valid => (None, None),
            LiveStatus::Renewed { at_us } | LiveStatus::Expired { at_us } => {
                (Some(rfc3339(*at_us)), None)
            }
            LiveStatus::Revoked { at_us, reason } => (Some(rfc3339(*at_us)), reason.clone()),
        };
        Status {
            name: status.name().to_owned(),
            since,
            reason,
        }
    }
}

/// One credential, without its signed forms.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CredentialSummary {
    /// The credential's UUID (the last segment of its `id` URL).
    pub id: String,
    /// The award it certifies.
    pub award_id: i64,
    /// The learner's key.
    pub learner: String,
    /// The program's id.
    pub program: String,
    /// The belt's id.
    pub belt: String,
    /// The live status.
    pub status: Status,
    /// When the belt was first awarded (RFC 3339; kept across renewals).
    pub awarded_at: String,
    /// End of validity (RFC 3339); absent when the belt never expires.
    pub valid_until: Option<String>,
    /// The learner shows their name on the verification page.
    pub show_name: bool,
    pub links: Links,
}

impl CredentialSummary {
    pub fn new(
        urls: &Urls,
        row: &badge_credential::Model,
        award: &cert_award::Model,
        status: &LiveStatus,
    ) -> CredentialSummary {
        CredentialSummary {
            id: row.id.clone(),
            award_id: award.id,
            learner: row.learner_key.clone(),
            program: award.program_id.clone(),
            belt: award.belt_id.clone(),
            status: status.into(),
            awarded_at: rfc3339(award.earned_us),
            valid_until: award.valid_until_us.map(rfc3339),
            show_name: row.show_name,
            links: Links::of(urls, &row.id),
        }
    }

    pub fn of(urls: &Urls, issued: &Issued) -> CredentialSummary {
        CredentialSummary::new(urls, &issued.row, &issued.award, &issued.status)
    }
}

/// A learner's credentials, newest first.
#[derive(Debug, Clone, Object)]
pub struct CredentialList {
    pub credentials: Vec<CredentialSummary>,
}

/// One credential with both signed forms.
#[derive(Debug, Clone, Object)]
pub struct CredentialDetail {
    pub summary: CredentialSummary,
    /// The belt's name.
    pub belt_name: String,
    /// The program's name.
    pub program_name: String,
    /// The `OpenBadgeCredential` with its Data Integrity proof (`eddsa-rdfc-2022`).
    pub credential: Value,
    /// The same credential as a VC-JWT (ES256).
    pub jwt: String,
}

impl CredentialDetail {
    pub fn of(urls: &Urls, issued: Issued) -> CredentialDetail {
        CredentialDetail {
            summary: CredentialSummary::of(urls, &issued),
            belt_name: issued.belt_name,
            program_name: issued.program_name,
            credential: issued.json,
            jwt: issued.jwt,
        }
    }
}

/// A signing key of the issuer, current or retired; only its public half.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Key {
    pub kid: String,
    /// `ES256` (VC-JWT) or `Ed25519` (Data Integrity).
    pub alg: String,
    /// Where it is published.
    pub url: String,
    /// Signs new credentials (not retired).
    pub current: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; retired keys stay published so what they signed still verifies.
    pub retired_at: Option<String>,
    /// The public JWK (never `d`).
    pub jwk: Value,
    /// Ed25519 keys: the Multikey `publicKeyMultibase`.
    pub multibase: Option<String>,
}

impl Key {
    pub fn of(urls: &Urls, key: PublicKey) -> Key {
        Key {
            url: urls.key(&key.kid),
            current: key.retired_us.is_none(),
            created_at: rfc3339(key.created_us),
            retired_at: key.retired_us.map(rfc3339),
            kid: key.kid,
            alg: key.alg,
            jwk: key.jwk,
            multibase: key.multibase,
        }
    }
}

/// The issuer's keys, newest first.
#[derive(Debug, Clone, Object)]
pub struct KeyList {
    pub keys: Vec<Key>,
}

/// The keys made by a rotation.
#[derive(Debug, Clone, Object)]
pub struct Rotated {
    /// The new signing keys' ids; the old keys are retired, still published.
    pub kids: Vec<String>,
}

/// Whether the holder's name shows on the public verification page.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct Visibility {
    /// `true` shows the name the LMS gave; `false` (the default) hides it.
    pub show_name: bool,
}
