//! Key material, without storage: new ES256 (P-256) and Ed25519 key pairs as PKCS#8,
//! their public JWKs (never `d`) and the Ed25519 Multikey `publicKeyMultibase`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
use aws_lc_rs::signature::{ED25519, KeyPair as _, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{ED25519 as ALG_ED25519, ES256};
use crate::error::Error;

/// The multicodec prefix of an Ed25519 public key (`ed25519-pub`, varint 0xed 0x01).
const ED25519_PUB_CODEC: [u8; 2] = [0xed, 0x01];

/// A key just made: its private half as PKCS#8 (to seal) and its public forms.
pub struct NewKey {
    pub kid: String,
    pub alg: &'static str,
    pub pkcs8: Vec<u8>,
    pub jwk: Value,
    pub multibase: Option<String>,
}

/// A random key id, URL-safe (it is the last segment of the key's URL).
pub fn new_kid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Makes a key pair of `alg` (`ES256` or `Ed25519`).
pub fn generate(alg: &str) -> Result<NewKey, Error> {
    let failed = |_| Error::Internal(format!("{alg} key generation failed"));
    let kid = new_kid();
    match alg {
        ES256 => {
            let rng = SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(failed)?;
            let pair = open_es256(pkcs8.as_ref())?;
            let jwk = es256_jwk(&kid, pair.public_key().as_ref())?;
            Ok(NewKey {
                kid,
                alg: ES256,
                pkcs8: pkcs8.as_ref().to_vec(),
                jwk,
                multibase: None,
            })
        }
        ALG_ED25519 => {
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(failed)?;
            let pair = open_ed25519(pkcs8.as_ref())?;
            let public = pair.public_key().as_ref();
            Ok(NewKey {
                jwk: ed25519_jwk(&kid, public),
                multibase: Some(multibase(public)),
                kid,
                alg: ALG_ED25519,
                pkcs8: pkcs8.as_ref().to_vec(),
            })
        }
        other => Err(Error::Internal(format!(
            "badge key alg {other:?} is neither {ES256} nor {ALG_ED25519}"
        ))),
    }
}

pub fn open_es256(pkcs8: &[u8]) -> Result<EcdsaKeyPair, Error> {
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
        .map_err(|e| Error::Internal(format!("ES256 PKCS#8 is unusable: {e}")))
}

pub fn open_ed25519(pkcs8: &[u8]) -> Result<Ed25519KeyPair, Error> {
    Ed25519KeyPair::from_pkcs8(pkcs8)
        .map_err(|e| Error::Internal(format!("Ed25519 PKCS#8 is unusable: {e}")))
}

/// The public JWK of a P-256 key from its uncompressed point (`04 ‖ x ‖ y`).
pub fn es256_jwk(kid: &str, point: &[u8]) -> Result<Value, Error> {
    if point.len() != 65 || point[0] != 4 {
        return Err(Error::Internal(
            "P-256 public key is not an uncompressed point".into(),
        ));
    }
    Ok(json!({
        "kty": "EC", "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..]),
        "kid": kid, "alg": ES256, "use": "sig",
    }))
}

/// The public JWK of an Ed25519 key (RFC 8037 `OKP`).
fn ed25519_jwk(kid: &str, public: &[u8]) -> Value {
    json!({
        "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public),
        "kid": kid, "alg": "EdDSA", "use": "sig",
    })
}

/// Multikey `publicKeyMultibase`: `z` + base58btc(0xed 0x01 ‖ key), i.e. `z6Mk…`.
pub fn multibase(public: &[u8]) -> String {
    let mut bytes = ED25519_PUB_CODEC.to_vec();
    bytes.extend_from_slice(public);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The Ed25519 public key inside a Multikey `publicKeyMultibase`.
pub fn ed25519_public(multibase: &str) -> Result<UnparsedPublicKey<Vec<u8>>, Error> {
    let bad = |rule: &str| Error::BadRequest(format!("publicKeyMultibase {rule}"));
    let encoded = multibase
        .strip_prefix('z')
        .ok_or_else(|| bad("must start with z (base58btc)"))?;
    let bytes = bs58::decode(encoded)
        .into_vec()
        .map_err(|_| bad("is not base58btc"))?;
    match bytes.strip_prefix(&ED25519_PUB_CODEC) {
        Some(key) if key.len() == 32 => Ok(UnparsedPublicKey::new(&ED25519, key.to_vec())),
        _ => Err(bad(
            "must be the ed25519-pub multicodec (0xed 0x01) and 32 bytes",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multibase_of_an_ed25519_key_starts_with_z6mk_and_decodes_back() {
        let key = generate(ALG_ED25519).unwrap();
        let mb = key.multibase.unwrap();
        assert!(mb.starts_with("z6Mk"), "{mb}");
        let pair = open_ed25519(&key.pkcs8).unwrap();
        let public = ed25519_public(&mb).unwrap();
        public.verify(b"m", pair.sign(b"m").as_ref()).unwrap();
    }

    #[test]
    fn the_w3c_multikey_example_round_trips_through_decode_and_encode() {
        // VC-DI-EDDSA test vector key (TestVectors/keys).
        let example = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let public = ed25519_public(example).unwrap();
        assert_eq!(public.as_ref().len(), 32);
        assert_eq!(multibase(public.as_ref()), example);
    }

    #[test]
    fn an_es256_jwk_has_the_public_point_and_no_d() {
        let key = generate(ES256).unwrap();
        assert_eq!(key.jwk["kty"], "EC");
        assert_eq!(key.jwk["crv"], "P-256");
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(key.jwk["x"].as_str().unwrap())
                .unwrap()
                .len(),
            32
        );
        assert!(key.jwk.get("d").is_none());
        assert!(key.kid.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn a_multibase_of_another_codec_is_refused_with_the_rule() {
        let err = ed25519_public(&format!(
            "z{}",
            bs58::encode([0x12, 0x00, 1, 2]).into_string()
        ))
        .unwrap_err();
        assert!(err.to_string().contains("ed25519-pub"), "{err}");
    }
}
