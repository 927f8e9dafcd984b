//! Data Integrity proofs, cryptosuite `eddsa-rdfc-2022` (W3C VC-DI-EDDSA): the document
//! and the proof options are each expanded as JSON-LD with the contexts bundled here
//! (never fetched), canonicalised with RDFC-1.0, hashed with SHA-256, and the two hashes
//! signed with Ed25519.
//!
//! CONTRACT (helper A).

use serde_json::Value;

use super::keys::Ed25519Signer;
use crate::error::Error;

/// `document` with a `proof` (`DataIntegrityProof`, `eddsa-rdfc-2022`,
/// `proofPurpose: assertionMethod`) made by `key`, named by `verification_method`,
/// created at `created` (XML Schema dateTime, UTC).
pub fn sign(
    document: &Value,
    key: &Ed25519Signer,
    verification_method: &str,
    created: &str,
) -> Result<Value, Error> {
    let _ = (document, key, verification_method, created);
    todo!("helper A")
}

/// Checks `document`'s proof against the Ed25519 public key `public_multibase`.
pub fn verify(document: &Value, public_multibase: &str) -> Result<(), Error> {
    let _ = (document, public_multibase);
    todo!("helper A")
}
