//! The public documents a credential's links dereference to: the issuer `Profile`
//! (also the controller document of the Data Integrity keys), each key, the JWK Set,
//! and the issuer's logo. Built from the issuer and the published keys; no I/O.

use serde_json::{Value, json};

use crate::badges::Issuer;
use crate::badges::credential::{CONTEXT_OB3, CONTEXT_VC2};
use crate::badges::keys::{ED25519, ES256, PublicKey};

/// DID v1 first: verifiers of Data Integrity proofs (DCC's verifier-core) then read
/// `assertionMethod` as plain JSON instead of framing the document, which they can only
/// do for a controller document (see /work/notes/verifier-core.md, layout B).
const CONTEXT_DID: &str = "https://www.w3.org/ns/did/v1";
const CONTEXT_MULTIKEY: &str = "https://w3id.org/security/multikey/v1";

/// The issuer `Profile` with `assertionMethod` naming every Ed25519 key, current and
/// retired, so a credential signed before a rotation still verifies.
pub fn issuer(issuer: &Issuer, keys: &[PublicKey]) -> Value {
    let mut document = issuer.profile();
    document["@context"] = json!([CONTEXT_DID, CONTEXT_VC2, CONTEXT_OB3]);
    document["assertionMethod"] = keys
        .iter()
        .filter(|k| k.alg == ED25519)
        .map(|k| Value::String(issuer.urls.key(&k.kid)))
        .collect();
    document
}

/// What a key URL returns: a `Multikey` for Ed25519 (the Data Integrity
/// `verificationMethod`), the public JWK for ES256 (the VC-JWT `kid`).
pub fn key(issuer: &Issuer, key: &PublicKey) -> Value {
    match key.multibase.as_deref() {
        Some(multibase) if key.alg == ED25519 => json!({
            "@context": CONTEXT_MULTIKEY,
            "id": issuer.urls.key(&key.kid),
            "type": "Multikey",
            "controller": issuer.urls.issuer(),
            "publicKeyMultibase": multibase,
        }),
        _ => public_jwk(issuer, key),
    }
}

/// Every ES256 key as a JWK Set (RFC 7517 §5).
pub fn jwks(issuer: &Issuer, keys: &[PublicKey]) -> Value {
    json!({
        "keys": keys
            .iter()
            .filter(|k| k.alg == ES256)
            .map(|k| public_jwk(issuer, k))
            .collect::<Vec<_>>()
    })
}

/// The JWK, never with a private member even if one were stored, its `kid` the key's
/// URL: the VC-JWT header's `kid` is that URL, and JOSE libraries pick a key from a set
/// by comparing the two (npm `jose` found none with the bare id).
fn public_jwk(issuer: &Issuer, key: &PublicKey) -> Value {
    let mut jwk = key.jwk.clone();
    if let Some(members) = jwk.as_object_mut() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            members.remove(private);
        }
        members.insert("kid".into(), Value::String(issuer.urls.key(&key.kid)));
    }
    jwk
}

/// The issuer's logo: its initials in a disc (an `Image` must be PNG or SVG; nothing is
/// fetched from elsewhere).
pub fn logo(name: &str) -> String {
    let initials: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let title = crate::lti::page::escape(name);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 200\" role=\"img\" \
         aria-labelledby=\"t\"><title id=\"t\">{title}</title>\
         <circle cx=\"100\" cy=\"100\" r=\"96\" fill=\"#1e3a8a\"/>\
         <text x=\"100\" y=\"100\" dy=\"0.35em\" text-anchor=\"middle\" \
         font-family=\"system-ui, sans-serif\" font-size=\"72\" font-weight=\"700\" \
         fill=\"#ffffff\">{}</text></svg>",
        crate::lti::page::escape(&initials)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn issuer_of() -> Issuer {
        Issuer::from_config(&Config {
            public_url: "https://bb.example".into(),
            ..Config::default()
        })
    }

    fn key_of(kid: &str, alg: &str, retired: bool) -> PublicKey {
        PublicKey {
            kid: kid.into(),
            alg: alg.into(),
            jwk: json!({"kty": "EC", "crv": "P-256", "x": "x", "y": "y", "d": "secret"}),
            multibase: (alg == ED25519).then(|| "z6MkTest".to_owned()),
            created_us: 0,
            retired_us: retired.then_some(1),
        }
    }

    #[test]
    fn the_issuer_document_starts_with_did_v1_and_lists_every_ed25519_key() {
        let keys = [
            key_of("new", ED25519, false),
            key_of("old", ED25519, true),
            key_of("jwt", ES256, false),
        ];
        let document = issuer(&issuer_of(), &keys);
        assert_eq!(document["@context"][0], CONTEXT_DID);
        assert_eq!(document["id"], "https://bb.example/ob/issuer");
        assert_eq!(document["type"], json!(["Profile"]));
        assert_eq!(
            document["assertionMethod"],
            json!([
                "https://bb.example/ob/keys/new",
                "https://bb.example/ob/keys/old"
            ])
        );
    }

    #[test]
    fn an_ed25519_key_url_gives_a_multikey_controlled_by_the_issuer() {
        let document = key(&issuer_of(), &key_of("k1", ED25519, false));
        assert_eq!(document["type"], "Multikey");
        assert_eq!(document["id"], "https://bb.example/ob/keys/k1");
        assert_eq!(document["controller"], "https://bb.example/ob/issuer");
        assert_eq!(document["publicKeyMultibase"], "z6MkTest");
    }

    #[test]
    fn jwks_hold_es256_keys_only_and_never_a_private_member() {
        let set = jwks(
            &issuer_of(),
            &[key_of("a", ES256, false), key_of("b", ED25519, false)],
        );
        let keys = set["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(
            keys[0]["kid"], "https://bb.example/ob/keys/a",
            "the header's kid"
        );
        assert!(keys[0].get("d").is_none());
        assert!(
            key(&issuer_of(), &key_of("a", ES256, false))
                .get("d")
                .is_none()
        );
    }

    #[test]
    fn the_logo_shows_escaped_initials() {
        let svg = logo("<Acme> & Co");
        assert!(svg.contains("&lt;Acme&gt; &amp; Co"), "{svg}");
        assert!(svg.contains(">AC<"), "{svg}");
        assert!(!svg.contains("<Acme>"));
    }
}
