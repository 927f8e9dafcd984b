//! The unsigned `OpenBadgeCredential` of an award (OB 3.0 final, VC Data Model 2.0):
//! contexts, types, issuer `Profile`, `validFrom` (the award, or its last renewal),
//! `validUntil` (the belt's validity), `awardedDate` (kept across renewals), `name`,
//! `credentialSubject` (`AchievementSubject` with a `urn:uuid:` id, the hashed
//! `IdentityObject` and the belt's `Achievement`), `evidence`, `credentialStatus`,
//! `credentialSchema`.

mod evidence;

use serde_json::{Value, json};

use super::status::last_renewal_us;
use super::{Issuer, achievement, identity, status_list};
use crate::certification::program::model::{Belt, Program};
use entities::{badge_credential, cert_award};

pub const CONTEXT_VC2: &str = "https://www.w3.org/ns/credentials/v2";
pub const CONTEXT_OB3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// 1EdTech's extension terms, third: it defines `1EdTechJsonSchemaValidator2019`, the
/// `credentialSchema` type, which the first two do not (Data Integrity signing would
/// refuse an undefined type; see `integrity::contexts`).
pub const CONTEXT_OB3_EXTENSIONS: &str = super::integrity::OB3_EXTENSIONS;
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

/// The credential, without proof. Renewal changes `validFrom`/`validUntil` only: the id,
/// issuer and `awardedDate` stay, so holders and verifiers see a newer version of the
/// same credential (OB 3.0 "Credential equality and comparison").
pub fn build(facts: &Facts<'_>) -> Value {
    let Facts {
        issuer,
        program,
        belt,
        award,
        row,
        identity: (identifier, identity_type),
    } = facts;
    let renewed_us = last_renewal_us(award);
    let achievement = achievement::achievement(&issuer.urls, program, belt);
    let mut credential = json!({
        "@context": [CONTEXT_VC2, CONTEXT_OB3, CONTEXT_OB3_EXTENSIONS],
        "id": issuer.urls.credential(&row.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement::title(program, belt),
        "description": format!(
            "{} certifies that the holder earned the {} of the {} program.",
            issuer.name, belt.name, program.program.name
        ),
        "image": achievement["image"].clone(),
        "issuer": issuer.profile(),
        "validFrom": rfc3339(renewed_us.unwrap_or(award.earned_us)),
        "awardedDate": rfc3339(award.earned_us),
        "credentialSubject": {
            "id": row.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [identity::identity_object(identifier, identity_type, &row.subject_salt)],
            "achievement": achievement,
        },
        "credentialStatus": status_list::entry(issuer, row.status_list, row.status_index),
        "credentialSchema": [{"id": SCHEMA_OB3, "type": "1EdTechJsonSchemaValidator2019"}],
    });
    if let Some(until) = award.valid_until_us {
        credential["validUntil"] = json!(rfc3339(until));
    }
    let mut found = evidence::evidence(program, belt, &award.evidence, None);
    if let Some(last) = award.renewals.as_array().and_then(|r| r.last()) {
        let date = rfc3339(renewed_us.unwrap_or(award.updated_us));
        let met = last.get("evidence").unwrap_or(&Value::Null);
        found.extend(evidence::evidence(program, belt, met, date.get(..10)));
    }
    if !found.is_empty() {
        credential["evidence"] = Value::Array(found);
    }
    credential
}

/// RFC 3339 UTC to the second (`2026-12-07T08:00:00Z`), as `DateTimeZ` and the JWT's
/// whole-second `nbf`/`exp` need; times past year 9999 are written as its end.
pub fn rfc3339(us: i64) -> String {
    let ts = jiff::Timestamp::from_microsecond(us).unwrap_or(if us < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    });
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::program::model::{ProgramInfo, Requirement, Standing};
    use crate::config::Config;

    const DAY: i64 = 86_400_000_000;
    /// 2026-01-01T00:00:00Z.
    const JAN_2026: i64 = 1_767_225_600_000_000;

    fn program() -> Program {
        Program {
            program: ProgramInfo {
                id: "smac".into(),
                name: "Social Media".into(),
                description: String::new(),
            },
            belts: vec![Belt {
                id: "white".into(),
                name: "White Belt".into(),
                colour: "#ffffff".into(),
                description: "The first belt.".into(),
                audiences: Vec::new(),
                requires: Requirement::Au(Standing {
                    id: "https://x/au".into(),
                    min_score: None,
                    within_months: None,
                }),
                validity_months: Some(12),
                grace_days: 30,
                recertify: None,
            }],
        }
    }

    fn award() -> cert_award::Model {
        cert_award::Model {
            id: 7,
            learner_key: "k".into(),
            program_id: "smac".into(),
            program_version: 1,
            belt_id: "white".into(),
            status: "active".into(),
            active_key: None,
            earned_us: JAN_2026 + 123_456,
            valid_until_us: Some(JAN_2026 + 365 * DAY),
            expires_us: None,
            evidence: json!([{"kind": "au", "object_id": "https://x/au", "score": 0.9, "at": "2026-01-01T00:00:00Z"}]),
            renewals: json!([]),
            source: "rules".into(),
            reason: None,
            awarded_by: None,
            revoked_us: None,
            revoked_reason: None,
            revoked_by: None,
            statement_id: None,
            updated_us: JAN_2026,
        }
    }

    fn row() -> badge_credential::Model {
        badge_credential::Model {
            id: "0b8f4e4e-6a43-4a5e-9d3c-6f5f2c1d7a10".into(),
            award_id: 7,
            learner_key: "k".into(),
            status_list: 1,
            status_index: 4242,
            subject_id: "urn:uuid:1d5e0f7c-1111-4c4c-8888-222233334444".into(),
            subject_salt: "Kosher".into(),
            show_name: false,
            signed_for: None,
            signed_json: None,
            signed_jwt: None,
            created_us: JAN_2026,
            updated_us: JAN_2026,
        }
    }

    fn built(award: &cert_award::Model) -> Value {
        let issuer = Issuer::from_config(&Config::default());
        let program = program();
        build(&Facts {
            issuer: &issuer,
            program: &program,
            belt: &program.belts[0],
            award,
            row: &row(),
            identity: ("a@example.com", "emailAddress"),
        })
    }

    #[test]
    fn contexts_are_vc2_then_ob_3_0_3_in_that_order_then_the_ob_extensions() {
        assert_eq!(
            built(&award())["@context"],
            json!([CONTEXT_VC2, CONTEXT_OB3, CONTEXT_OB3_EXTENSIONS])
        );
    }

    #[test]
    fn types_id_name_and_issuer_are_those_of_an_open_badge_credential() {
        let c = built(&award());
        assert_eq!(
            c["type"],
            json!(["VerifiableCredential", "OpenBadgeCredential"])
        );
        assert!(
            c["id"]
                .as_str()
                .unwrap()
                .ends_with("/ob/credentials/0b8f4e4e-6a43-4a5e-9d3c-6f5f2c1d7a10")
        );
        assert_eq!(c["name"], "White Belt — Social Media");
        assert_eq!(c["issuer"]["type"], json!(["Profile"]));
        assert!(c["issuer"]["id"].as_str().unwrap().ends_with("/ob/issuer"));
    }

    #[test]
    fn dates_are_utc_seconds_with_awarded_date_the_earning() {
        let c = built(&award());
        assert_eq!(c["validFrom"], "2026-01-01T00:00:00Z");
        assert_eq!(c["awardedDate"], "2026-01-01T00:00:00Z");
        assert_eq!(c["validUntil"], "2027-01-01T00:00:00Z");
    }

    #[test]
    fn a_renewal_moves_valid_from_and_keeps_awarded_date() {
        let mut a = award();
        a.renewals = json!([{"at_us": JAN_2026 + 360 * DAY, "evidence": [{"kind": "statements", "label": "Posts", "statement_ids": ["s"]}]}]);
        a.valid_until_us = Some(JAN_2026 + 730 * DAY);
        let c = built(&a);
        assert_eq!(c["validFrom"], "2026-12-27T00:00:00Z");
        assert_eq!(c["awardedDate"], "2026-01-01T00:00:00Z");
        assert_eq!(c["validUntil"], "2028-01-01T00:00:00Z");
        assert_eq!(c["evidence"][1]["name"], "Posts (renewal, 2026-12-27)");
    }

    #[test]
    fn a_belt_that_never_expires_has_no_valid_until() {
        let mut a = award();
        a.valid_until_us = None;
        assert!(built(&a).get("validUntil").is_none());
    }

    #[test]
    fn the_subject_is_a_urn_uuid_named_only_by_a_salted_hash() {
        let c = built(&award());
        let subject = &c["credentialSubject"];
        assert_eq!(
            subject["id"],
            "urn:uuid:1d5e0f7c-1111-4c4c-8888-222233334444"
        );
        assert_eq!(subject["type"], json!(["AchievementSubject"]));
        assert_eq!(
            subject["identifier"][0]["identityHash"],
            "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
        );
        assert_eq!(subject["achievement"]["achievementType"], "Certification");
        assert!(!c.to_string().contains("a@example.com"));
    }

    #[test]
    fn status_schema_and_evidence_are_present() {
        let c = built(&award());
        assert_eq!(c["credentialStatus"]["statusListIndex"], "4242");
        assert_eq!(c["credentialStatus"]["type"], "BitstringStatusListEntry");
        assert_eq!(c["credentialSchema"][0]["id"], SCHEMA_OB3);
        assert_eq!(
            c["credentialSchema"][0]["type"],
            "1EdTechJsonSchemaValidator2019"
        );
        assert_eq!(c["evidence"][0]["name"], "Learning module completed");
    }

    #[test]
    fn an_award_with_nothing_recorded_has_no_evidence_array() {
        let mut a = award();
        a.evidence = json!({});
        assert!(built(&a).get("evidence").is_none());
    }

    #[test]
    fn rfc3339_clamps_the_far_future_to_year_9999() {
        assert!(rfc3339(i64::MAX).starts_with("9999-12-"));
    }
}
