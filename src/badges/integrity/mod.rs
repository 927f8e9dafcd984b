//! Data Integrity proofs, cryptosuite `eddsa-rdfc-2022` (W3C VC-DI-EDDSA): the document
//! and the proof options are each expanded as JSON-LD with the contexts bundled here
//! (never fetched), canonicalised with RDFC-1.0, hashed with SHA-256, and the two hashes
//! signed with Ed25519. A guard refuses documents JSON-LD would silently shorten
//! (`guard`), as jsonld.js "safe mode" does for the verifiers that check our proofs.

use aws_lc_rs::digest::{SHA256, digest};
use serde_json::{Map, Value, json};

use super::keys::Ed25519Signer;
use super::keys::material::ed25519_public;
use crate::error::Error;

mod canon;
pub mod contexts;
mod guard;
#[cfg(test)]
pub mod samples;
mod terms;
#[cfg(test)]
mod tests;

pub use contexts::{Loader, OB3, OB3_EXTENSIONS, VC2};

pub const PROOF_TYPE: &str = "DataIntegrityProof";
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";
/// Credentials are asserted by their issuer (VC Data Integrity `assertionMethod`).
pub const PROOF_PURPOSE: &str = "assertionMethod";

/// `document` with a `proof` (`DataIntegrityProof`, `eddsa-rdfc-2022`,
/// `proofPurpose: assertionMethod`) made by `key`, named by `verification_method`,
/// created at `created` (XML Schema dateTime, UTC), as a set of one proof. A `proof`
/// already there is replaced.
/// <https://www.w3.org/TR/vc-di-eddsa/#add-proof-eddsa-rdfc-2022>
pub fn sign(
    document: &Value,
    key: &Ed25519Signer,
    verification_method: &str,
    created: &str,
) -> Result<Value, Error> {
    sign_with(
        document,
        key,
        verification_method,
        created,
        &Loader::bundled(),
    )
}

pub(crate) fn sign_with(
    document: &Value,
    key: &Ed25519Signer,
    verification_method: &str,
    created: &str,
    loader: &Loader,
) -> Result<Value, Error> {
    let mut unsecured = object(document, "the document")?;
    unsecured.remove("proof");
    created.parse::<jiff::Timestamp>().map_err(|e| {
        invalid(
            "proof.created",
            &format!("must be an XML Schema dateTime ({e})"),
        )
    })?;
    let mut proof = Map::new();
    proof.insert("type".into(), json!(PROOF_TYPE));
    proof.insert("cryptosuite".into(), json!(CRYPTOSUITE));
    proof.insert("created".into(), json!(created));
    proof.insert("verificationMethod".into(), json!(verification_method));
    proof.insert("proofPurpose".into(), json!(PROOF_PURPOSE));
    let unsecured = Value::Object(unsecured);
    let data = hash_data(&unsecured, &proof, loader)?;
    let value = format!("z{}", bs58::encode(key.sign(&data)).into_string());
    proof.insert("proofValue".into(), json!(value));
    let mut secured = unsecured;
    // A one-element set: Data Integrity allows one proof or a set, and OB 3.0's JSON
    // Schema (the one `credentialSchema` names, which 1EdTech's validator applies)
    // requires an array.
    secured["proof"] = Value::Array(vec![Value::Object(proof)]);
    Ok(secured)
}

/// Checks `document`'s proof against the Ed25519 public key `public_multibase`.
/// <https://www.w3.org/TR/vc-di-eddsa/#verify-proof-eddsa-rdfc-2022>
pub fn verify(document: &Value, public_multibase: &str) -> Result<(), Error> {
    verify_with(document, public_multibase, &Loader::bundled())
}

pub(crate) fn verify_with(
    document: &Value,
    public_multibase: &str,
    loader: &Loader,
) -> Result<(), Error> {
    let mut unsecured = object(document, "the document")?;
    let mut proof = match unsecured.remove("proof") {
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(proofs)) => match <[Value; 1]>::try_from(proofs) {
            Ok([Value::Object(proof)]) => proof,
            _ => {
                return Err(invalid(
                    "proof",
                    "must be one proof object (or a set of one)",
                ));
            }
        },
        Some(_) => return Err(invalid("proof", "must be one proof object")),
        None => return Err(invalid("proof", "is missing")),
    };
    let expected = [
        ("type", PROOF_TYPE),
        ("cryptosuite", CRYPTOSUITE),
        ("proofPurpose", PROOF_PURPOSE),
    ];
    for (field, expected) in expected {
        if proof.get(field).and_then(Value::as_str) != Some(expected) {
            return Err(invalid(
                &format!("proof.{field}"),
                &format!("must be {expected}"),
            ));
        }
    }
    let signature = match proof.remove("proofValue") {
        Some(Value::String(v)) => v
            .strip_prefix('z')
            .and_then(|b| bs58::decode(b).into_vec().ok())
            .ok_or_else(|| invalid("proof.proofValue", "must be multibase base58btc (z…)"))?,
        _ => return Err(invalid("proof.proofValue", "is missing")),
    };
    // A proof carrying its own @context must agree with the document's.
    if let Some(context) = proof.remove("@context")
        && context != document["@context"]
    {
        return Err(invalid(
            "proof.@context",
            "must equal the document's @context",
        ));
    }
    let data = hash_data(&Value::Object(unsecured), &proof, loader)?;
    ed25519_public(public_multibase)?
        .verify(&data, &signature)
        .map_err(|_| {
            Error::BadRequest("Data Integrity: the proof's signature does not match".into())
        })
}

/// SHA-256(canonical proof options) ‖ SHA-256(canonical document): what Ed25519 signs.
/// The proof options carry the document's `@context` (VC-DI-EDDSA §3.3.5).
fn hash_data(
    unsecured: &Value,
    proof: &Map<String, Value>,
    loader: &Loader,
) -> Result<Vec<u8>, Error> {
    let mut options = proof.clone();
    options.insert("@context".into(), unsecured["@context"].clone());
    let options = Value::Object(options);
    let mut data = digest(&SHA256, canonical(&options, loader)?.as_bytes())
        .as_ref()
        .to_vec();
    data.extend_from_slice(digest(&SHA256, canonical(unsecured, loader)?.as_bytes()).as_ref());
    Ok(data)
}

/// Canonical N-Quads of `document`, refused when JSON-LD would drop any of it.
pub(crate) fn canonical(document: &Value, loader: &Loader) -> Result<String, Error> {
    let dataset = canon::to_dataset(document, loader)?;
    guard::check(document, &dataset, &terms::Terms::of(document, loader)?)?;
    Ok(canon::canonical_nquads(dataset))
}

fn object(value: &Value, what: &str) -> Result<Map<String, Value>, Error> {
    value
        .as_object()
        .cloned()
        .ok_or_else(|| invalid(what, "must be a JSON object"))
}

fn invalid(field: &str, rule: &str) -> Error {
    Error::BadRequest(format!("Data Integrity: {field} {rule}"))
}
