//! A credential shaped like the ones Black Belt issues, for the signing tests.

use serde_json::{Value, json};

/// An `OpenBadgeCredential` with every kind of value ours carry.
pub fn credential() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
        ],
        "id": "https://bb.example/ob/credentials/0b6c4f1e-55a4-4d59-9d7a-3c1b1f0e2a10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Social Media Black Belt — \"Green\"\tbelt",
        "issuer": {
            "id": "https://bb.example/ob/issuer",
            "type": ["Profile"],
            "name": "Black Belt Academy",
            "url": "https://bb.example",
            "email": "badges@bb.example",
            "image": {"id": "https://bb.example/ob/issuer/image.svg", "type": "Image"}
        },
        "validFrom": "2026-01-15T10:00:00Z",
        "validUntil": "2027-01-15T10:00:00Z",
        "awardedDate": "2025-01-15T10:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:6f1c3e0a-8a34-4a8b-9a55-0b2d1c4e5f60",
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "hashed": true,
                "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
                "identityType": "emailAddress",
                "salt": "Kosher"
            }],
            "achievement": {
                "id": "https://bb.example/ob/achievements/social/green",
                "type": ["Achievement"],
                "name": "Green belt",
                "description": "Runs a brand account for a quarter. Ünïcode ✓ 🥋",
                "achievementType": "Certification",
                "criteria": {
                    "id": "https://bb.example/ob/achievements/social/green",
                    "narrative": "- Pass the *Green* exam (70%+)\n- Publish 12 posts"
                },
                "image": {"id": "https://bb.example/ob/achievements/social/green/image.svg", "type": "Image", "caption": "Green belt"},
                "tag": ["social media", "certification"]
            }
        },
        "evidence": [{
            "id": "https://bb.example/verify/0b6c4f1e",
            "type": ["Evidence"],
            "name": "Exam",
            "description": "Passed with 85%",
            "narrative": "Scored 85% on 2026-01-14."
        }, {
            "type": ["Evidence"],
            "name": "Posts",
            "narrative": "12 posts reviewed."
        }],
        "credentialSchema": [{
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019"
        }],
        "credentialStatus": {
            "id": "https://bb.example/ob/status/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://bb.example/ob/status/1"
        }
    })
}

/// The status list a sample's `credentialStatus` names: 131,072 bits, none set (the
/// encoded list is the Bitstring Status List spec's own example).
pub fn status_list(base: &str, valid_from: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": format!("{base}/ob/status/1"),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": format!("{base}/ob/issuer"),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{base}/ob/status/1#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
        }
    })
}
