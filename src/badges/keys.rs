//! The issuer's signing keys: one ES256 key (VC-JWT) and one Ed25519 key (Data
//! Integrity) sign at a time; both are made at first start, their private halves sealed
//! with the secrets key (`crate::crypto`), and rotation retires them without deleting,
//! so every credential signed before still verifies.
//!
//! CONTRACT (helper A fills the bodies; signatures may gain, not lose, capabilities).

use std::sync::Arc;

use serde_json::Value;

use crate::db::Db;
use crate::error::Error;

/// `badge_keys.alg` of the VC-JWT key.
pub const ES256: &str = "ES256";
/// `badge_keys.alg` of the Data Integrity key.
pub const ED25519: &str = "Ed25519";

/// The Ed25519 key that makes Data Integrity proofs.
pub struct Ed25519Signer {
    pub kid: String,
    /// Multikey `publicKeyMultibase` (`z6Mk…`).
    pub multibase: String,
    // private: the opened key pair
}

impl Ed25519Signer {
    /// The 64-byte signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let _ = message;
        todo!("helper A")
    }
}

/// The P-256 key that signs VC-JWTs.
pub struct Es256Signer {
    pub kid: String,
    /// The public JWK (`kty`, `crv`, `x`, `y`, `kid`, `alg`, `use`); never `d`.
    pub jwk: Value,
    // private: what `jsonwebtoken` (or aws-lc-rs) needs to sign
}

/// The keys that sign now.
pub struct SigningKeys {
    pub ed25519: Ed25519Signer,
    pub es256: Es256Signer,
}

/// A published key, current or retired.
#[derive(Clone, Debug)]
pub struct PublicKey {
    pub kid: String,
    pub alg: String,
    pub jwk: Value,
    pub multibase: Option<String>,
    pub created_us: i64,
    pub retired_us: Option<i64>,
}

/// Makes the missing keys (first start, or a database restored without them).
pub async fn ensure(db: &Db) -> Result<(), Error> {
    let _ = db;
    todo!("helper A")
}

/// The newest unretired key of each algorithm, opened (makes them when missing).
pub async fn signing(db: &Db) -> Result<Arc<SigningKeys>, Error> {
    let _ = db;
    todo!("helper A")
}

/// Every key, newest first, current and retired.
pub async fn published(db: &Db) -> Result<Vec<PublicKey>, Error> {
    let _ = db;
    todo!("helper A")
}

/// One key by `kid`.
pub async fn find(db: &Db, kid: &str) -> Result<Option<PublicKey>, Error> {
    let _ = (db, kid);
    todo!("helper A")
}

/// Retires the signing keys and makes new ones; returns the new kids.
pub async fn rotate(db: &Db) -> Result<Vec<String>, Error> {
    let _ = db;
    todo!("helper A")
}
