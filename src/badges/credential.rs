//! The unsigned `OpenBadgeCredential` of an award (OB 3.0 final, VC Data Model 2.0):
//! contexts, types, issuer `Profile`, `validFrom` (the award, or its last renewal),
//! `validUntil` (the belt's validity), `awardedDate` (kept across renewals), `name`,
//! `credentialSubject` (`AchievementSubject` with a `urn:uuid:` id, the hashed
//! `IdentityObject` and the belt's `Achievement`), `evidence`, `credentialStatus`,
//! `credentialSchema`.
//!
//! CONTRACT (helper B).

use serde_json::Value;

use super::Issuer;
use crate::certification::program::model::{Belt, Program};
use entities::{badge_credential, cert_award};

pub const CONTEXT_VC2: &str = "https://www.w3.org/ns/credentials/v2";
pub const CONTEXT_OB3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
pub const SCHEMA_OB3: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// Everything a credential is made from.
pub struct Facts<'a> {
    pub issuer: &'a Issuer,
    pub program: &'a Program,
    pub belt: &'a Belt,
    pub award: &'a cert_award::Model,
    pub row: &'a badge_credential::Model,
    /// The learner's identifier for the `IdentityObject` and its type (`emailAddress`…).
    pub identity: (&'a str, &'a str),
}

pub fn build(facts: &Facts<'_>) -> Value {
    let _ = facts;
    todo!("helper B")
}
