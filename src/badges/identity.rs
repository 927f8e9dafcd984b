//! The subject's `IdentityObject`: the learner is named by a salted SHA-256 of their
//! email (or account), never in clear (OB 3.0 `IdentityHash`: `sha256$` + hex of
//! SHA-256(identifier ‖ salt)).
//!
//! CONTRACT (helper B).

use serde_json::Value;

/// `{"type": "IdentityObject", "hashed": true, "identityHash": "sha256$…",
/// "identityType": …, "salt": …}`; `identity_type` is `emailAddress` or `ext:…`.
pub fn identity_object(identifier: &str, identity_type: &str, salt: &str) -> Value {
    let _ = (identifier, identity_type, salt);
    todo!("helper B")
}

/// A fresh random salt (hex).
pub fn new_salt() -> String {
    todo!("helper B")
}
