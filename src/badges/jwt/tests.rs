//! VC-JWT: verified by `jsonwebtoken` with the published JWK, header and claims as OB 3.0
//! final requires, tampering and other keys refused.

use std::collections::HashSet;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::Jwk};

use super::*;
use crate::badges::integrity::samples;
use crate::badges::keys::SigningKeys;

const KID_URL: &str = "https://bb.example/ob/keys/abc";

fn decoding_key(keys: &SigningKeys) -> DecodingKey {
    let jwk: Jwk = serde_json::from_value(keys.es256.jwk.clone()).unwrap();
    DecodingKey::from_jwk(&jwk).unwrap()
}

fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::ES256);
    v.required_spec_claims = HashSet::from(["iss".into(), "sub".into(), "nbf".into()]);
    // The sample's validUntil is a fixed date; the signature is what is checked here.
    v.validate_exp = false;
    v
}

#[test]
fn a_signed_credential_verifies_with_the_published_jwk_and_carries_the_claims() {
    let keys = SigningKeys::ephemeral().unwrap();
    let credential = samples::credential();
    let jwt = sign(&credential, &keys.es256, KID_URL).unwrap();
    let data = decode::<Value>(&jwt, &decoding_key(&keys), &validation()).unwrap();
    let claims = data.claims;
    assert_eq!(claims["iss"], "https://bb.example/ob/issuer");
    assert_eq!(claims["jti"], credential["id"]);
    assert_eq!(claims["sub"], credential["credentialSubject"]["id"]);
    assert_eq!(claims["nbf"].as_i64(), Some(1_768_471_200));
    assert_eq!(claims["exp"].as_i64(), Some(1_800_007_200));
    // The payload is the credential itself (VC 2.0 form, no `vc` claim).
    assert_eq!(claims["credentialSubject"], credential["credentialSubject"]);
    assert!(claims.get("vc").is_none());
    assert_eq!(payload_unverified(&jwt).unwrap(), claims);
}

#[test]
fn the_header_has_only_alg_kid_and_typ() {
    let keys = SigningKeys::ephemeral().unwrap();
    let jwt = sign(&samples::credential(), &keys.es256, KID_URL).unwrap();
    let header = jwt.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(
        header,
        json!({"alg": "ES256", "kid": KID_URL, "typ": "JWT"})
    );
    assert_eq!(decode_header(&jwt).unwrap().kid.as_deref(), Some(KID_URL));
}

#[test]
fn a_tampered_payload_fails_verification() {
    let keys = SigningKeys::ephemeral().unwrap();
    let jwt = sign(&samples::credential(), &keys.es256, KID_URL).unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload = payload_unverified(&jwt).unwrap();
    payload["credentialSubject"]["achievement"]["name"] = json!("Black belt");
    let forged = format!("{}.{}.{}", parts[0], encode(&payload).unwrap(), parts[2]);
    let err = decode::<Value>(&forged, &decoding_key(&keys), &validation()).unwrap_err();
    assert_eq!(
        err.kind(),
        &jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
}

#[test]
fn another_key_does_not_verify_it() {
    let keys = SigningKeys::ephemeral().unwrap();
    let other = SigningKeys::ephemeral().unwrap();
    let jwt = sign(&samples::credential(), &keys.es256, KID_URL).unwrap();
    assert!(decode::<Value>(&jwt, &decoding_key(&other), &validation()).is_err());
}

#[test]
fn exp_is_absent_when_the_credential_has_no_valid_until() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential.as_object_mut().unwrap().remove("validUntil");
    let jwt = sign(&credential, &keys.es256, KID_URL).unwrap();
    let claims = payload_unverified(&jwt).unwrap();
    assert!(claims.get("exp").is_none());
    assert!(claims.get("validUntil").is_none());
}

#[test]
fn the_proof_is_left_out_of_the_payload_and_an_issuer_uri_is_iss() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential["proof"] = json!({"type": "DataIntegrityProof"});
    credential["issuer"] = json!("https://bb.example/ob/issuer");
    let claims = payload_unverified(&sign(&credential, &keys.es256, KID_URL).unwrap()).unwrap();
    assert!(claims.get("proof").is_none());
    assert_eq!(claims["iss"], "https://bb.example/ob/issuer");
}

#[test]
fn a_credential_without_a_subject_id_is_refused_naming_the_field() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    let err = sign(&credential, &keys.es256, KID_URL).unwrap_err();
    assert!(err.to_string().contains("credentialSubject.id"), "{err}");
}

#[test]
fn a_valid_from_with_fractional_seconds_is_refused_as_nbf_could_not_equal_it() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential["validFrom"] = json!("2026-01-15T10:00:00.5Z");
    let err = sign(&credential, &keys.es256, KID_URL).unwrap_err();
    assert!(err.to_string().contains("validFrom"), "{err}");
}

#[test]
fn a_malformed_jwt_payload_is_an_error_not_a_panic() {
    assert!(payload_unverified("a.b").is_err());
    assert!(payload_unverified("a.!!.c").is_err());
    assert!(payload_unverified(&format!("a.{}.c", URL_SAFE_NO_PAD.encode("[1]"))).is_err());
}
