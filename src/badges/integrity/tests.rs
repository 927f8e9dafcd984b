//! Data Integrity: the W3C eddsa-rdfc-2022 vector reproduced, our proofs verified and
//! refused when changed, and the safe-mode guard naming what JSON-LD would drop.

use serde_json::json;

use super::*;
use crate::badges::keys::SigningKeys;

const VM: &str = "https://bb.example/ob/keys/k1";
const CREATED: &str = "2026-01-15T10:00:00Z";

/// The W3C VC-DI-EDDSA test vector, `TestVectors/eddsa-rdfc-2022/` and
/// `TestVectors/keyPair.json` in github.com/w3c/vc-di-eddsa.
mod w3c {
    pub const PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    pub const PRIVATE: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
    pub const VM: &str =
        "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    pub const CREATED: &str = "2023-02-24T23:36:38Z";
    /// combinedHashDataInt.txt
    pub const COMBINED_HASH: &str = "4c4d3890a157f8d611b13c265c2c22f39aa0a567c7c7dd9ba3e45cd579784eeb517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017";
    /// sigHexDataInt.txt (at commit 6767a89, the one signedDataInt.json matches; an older
    /// version of that file holds the signature of an earlier vector).
    pub const SIGNATURE_HEX: &str = "3237ba3b695c09e199540507ead17a58300cc4efe91ce19d582ad7e001455190f1ea3d13bdeff2cbaf7f30da7fe9f24b475511ef3875b6efe7cc9f49d3f55b02";
    /// signedDataInt.json proof.proofValue
    pub const PROOF_VALUE: &str =
        "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9";
    /// proofCanonDataInt.txt
    pub const PROOF_CANON: &str = r#"_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .
_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString> .
_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .
_:c14n0 <https://w3id.org/security#verificationMethod> <https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2> .
"#;

    pub fn unsecured() -> serde_json::Value {
        serde_json::json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://www.w3.org/ns/credentials/examples/v2"
            ],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {
                "id": "did:example:abcdefgh",
                "alumniOf": "The School of Examples"
            }
        })
    }

    /// The examples context as the vector's authors load it: a catch-all vocabulary.
    pub fn loader() -> super::Loader {
        super::Loader::bundled().with(
            "https://www.w3.org/ns/credentials/examples/v2",
            serde_json::json!({"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}),
        )
    }

    pub fn signer() -> crate::badges::keys::Ed25519Signer {
        let private = bs58::decode(&PRIVATE[1..]).into_vec().unwrap();
        let public = bs58::decode(&PUBLIC[1..]).into_vec().unwrap();
        // Multicodec prefixes: ed25519-priv 0x80 0x26, ed25519-pub 0xed 0x01.
        assert_eq!(&private[..2], &[0x80, 0x26]);
        crate::badges::keys::Ed25519Signer::from_seed("w3c", &private[2..], &public[2..]).unwrap()
    }
}

#[test]
fn the_w3c_eddsa_rdfc_2022_vector_gives_the_published_hashes_and_signature() {
    let loader = w3c::loader();
    let signer = w3c::signer();
    assert_eq!(signer.multibase, w3c::PUBLIC);
    let signed = sign_with(&w3c::unsecured(), &signer, w3c::VM, w3c::CREATED, &loader).unwrap();
    let proof = signed["proof"][0].as_object().unwrap();
    let mut options = proof.clone();
    options.remove("proofValue");
    options.insert("@context".into(), signed["@context"].clone());
    assert_eq!(
        canonical(&Value::Object(options.clone()), &loader).unwrap(),
        w3c::PROOF_CANON
    );
    options.remove("@context");
    let data = hash_data(&w3c::unsecured(), &options, &loader).unwrap();
    assert_eq!(hex::encode(&data), w3c::COMBINED_HASH);
    let value = proof["proofValue"].as_str().unwrap();
    assert_eq!(
        hex::encode(bs58::decode(&value[1..]).into_vec().unwrap()),
        w3c::SIGNATURE_HEX
    );
    assert_eq!(value, w3c::PROOF_VALUE);
    verify_with(&signed, w3c::PUBLIC, &loader).unwrap();
}

#[test]
fn our_own_signature_verifies_and_the_proof_has_the_required_fields() {
    let keys = SigningKeys::ephemeral().unwrap();
    let signed = sign(&samples::credential(), &keys.ed25519, VM, CREATED).unwrap();
    let proof = &signed["proof"][0];
    assert_eq!(proof["type"], "DataIntegrityProof");
    assert_eq!(proof["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(proof["proofPurpose"], "assertionMethod");
    assert_eq!(proof["verificationMethod"], VM);
    assert_eq!(proof["created"], CREATED);
    assert!(proof["proofValue"].as_str().unwrap().starts_with('z'));
    assert!(proof.get("@context").is_none());
    verify(&signed, &keys.ed25519.multibase).unwrap();
}

#[test]
fn one_changed_field_fails_verification() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut signed = sign(&samples::credential(), &keys.ed25519, VM, CREATED).unwrap();
    signed["credentialSubject"]["achievement"]["name"] = json!("Black belt");
    let err = verify(&signed, &keys.ed25519.multibase).unwrap_err();
    assert!(
        err.to_string().contains("signature does not match"),
        "{err}"
    );
}

#[test]
fn another_key_fails_verification() {
    let keys = SigningKeys::ephemeral().unwrap();
    let other = SigningKeys::ephemeral().unwrap();
    let signed = sign(&samples::credential(), &keys.ed25519, VM, CREATED).unwrap();
    assert!(verify(&signed, &other.ed25519.multibase).is_err());
}

#[test]
fn a_property_added_after_signing_is_refused_even_though_json_ld_would_drop_it() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut signed = sign(&samples::credential(), &keys.ed25519, VM, CREATED).unwrap();
    signed["credentialSubject"]["grade"] = json!("A+");
    let err = verify(&signed, &keys.ed25519.multibase).unwrap_err();
    assert!(err.to_string().contains("credentialSubject.grade"), "{err}");
}

#[test]
fn an_undefined_property_is_refused_naming_it() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential["credentialSubject"]["undefinedTerm"] = json!("x");
    let err = sign(&credential, &keys.ed25519, VM, CREATED).unwrap_err();
    assert!(
        err.to_string().contains("credentialSubject.undefinedTerm"),
        "{err}"
    );
}

#[test]
fn the_schema_validator_type_without_the_extensions_context_is_refused_naming_it() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential["@context"] = json!([VC2, OB3]);
    let err = sign(&credential, &keys.ed25519, VM, CREATED).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("credentialSchema[0].type"), "{text}");
    assert!(text.contains("1EdTechJsonSchemaValidator2019"), "{text}");
}

#[test]
fn a_relative_iri_is_refused_naming_where_it_is() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential["evidence"][0]["id"] = json!("evidence/1");
    let err = sign(&credential, &keys.ed25519, VM, CREATED).unwrap_err();
    assert!(err.to_string().contains("evidence[0].id"), "{err}");
    let mut credential = samples::credential();
    credential["credentialStatus"]["statusListCredential"] = json!("status/1");
    let err = sign(&credential, &keys.ed25519, VM, CREATED).unwrap_err();
    assert!(
        err.to_string()
            .contains("credentialStatus.statusListCredential"),
        "{err}"
    );
}

#[test]
fn an_unknown_context_is_an_error_naming_it_never_a_fetch() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut credential = samples::credential();
    credential["@context"][2] = json!("https://example.org/unknown-context.json");
    let err = sign(&credential, &keys.ed25519, VM, CREATED).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("https://example.org/unknown-context.json"),
        "{text}"
    );
    assert!(text.contains("never fetched"), "{text}");
}

#[test]
fn signing_again_replaces_the_proof_and_the_result_verifies() {
    let keys = SigningKeys::ephemeral().unwrap();
    let once = sign(&samples::credential(), &keys.ed25519, VM, CREATED).unwrap();
    let twice = sign(&once, &keys.ed25519, VM, "2026-02-01T00:00:00Z").unwrap();
    assert_eq!(twice["proof"][0]["created"], "2026-02-01T00:00:00Z");
    verify(&twice, &keys.ed25519.multibase).unwrap();
}

/// Writes a signed sample for the external check with DCC's verifier-core when
/// `BB_DI_SAMPLE_OUT` names a file (see the report of issue 17, helper A).
#[test]
fn a_signed_sample_can_be_written_for_the_external_verifier() {
    let Ok(path) = std::env::var("BB_DI_SAMPLE_OUT") else {
        return;
    };
    let base = std::env::var("BB_DI_SAMPLE_BASE").unwrap_or_else(|_| "https://bb.example".into());
    let keys = SigningKeys::ephemeral().unwrap();
    let text = serde_json::to_string(&samples::credential()).unwrap();
    let credential: Value =
        serde_json::from_str(&text.replace("https://bb.example", &base)).unwrap();
    let vm = format!("{base}/ob/keys/{}", keys.ed25519.kid);
    let signed = sign(&credential, &keys.ed25519, &vm, CREATED).unwrap();
    let list = samples::status_list(&base, CREATED);
    let list = sign(&list, &keys.ed25519, &vm, CREATED).unwrap();
    // The same credential as a VC-JWT, and its JWK as served (kid = the key's URL).
    let kid_url = format!("{base}/ob/keys/{}", keys.es256.kid);
    let jwt = crate::badges::jwt::sign(&credential, &keys.es256, &kid_url).unwrap();
    let mut jwk = keys.es256.jwk.clone();
    jwk["kid"] = json!(kid_url);
    let out = json!({
        "credential": signed, "statusList": list, "jwt": jwt, "jwk": jwk,
        "kid": keys.ed25519.kid, "publicKeyMultibase": keys.ed25519.multibase,
    });
    std::fs::write(path, serde_json::to_string_pretty(&out).unwrap()).unwrap();
}

#[test]
fn a_proof_for_another_purpose_is_refused_naming_the_field() {
    let keys = SigningKeys::ephemeral().unwrap();
    let mut signed = sign(&samples::credential(), &keys.ed25519, VM, CREATED).unwrap();
    signed["proof"][0]["proofPurpose"] = json!("authentication");
    let err = verify(&signed, &keys.ed25519.multibase).unwrap_err();
    assert!(err.to_string().contains("proof.proofPurpose"), "{err}");
}

#[test]
fn a_status_list_credential_with_only_the_vc_context_signs_and_verifies() {
    let keys = SigningKeys::ephemeral().unwrap();
    let list = samples::status_list("https://bb.example", CREATED);
    let signed = sign(&list, &keys.ed25519, VM, CREATED).unwrap();
    verify(&signed, &keys.ed25519.multibase).unwrap();
}
