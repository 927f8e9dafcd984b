//! Revocation as a W3C Bitstring Status List v1.0: each credential has a bit at a random
//! index of a list of 131,072 bits (16 KiB, the spec's minimum, for herd privacy); the
//! list is a `BitstringStatusListCredential` whose `encodedList` is multibase
//! base64url (`u`) of the GZIP'd bits, index 0 the most significant bit of byte 0. It
//! is signed like a credential (Data Integrity) and remade when a bit changes.
//!
//! CONTRACT (helper B).

use serde_json::Value;

use super::Issuer;
use crate::error::Error;

/// Bits per list.
pub const LIST_BITS: usize = 131_072;

/// A list's bits.
pub struct Bits(pub Vec<u8>);

impl Bits {
    pub fn new() -> Bits {
        Bits(vec![0; LIST_BITS / 8])
    }

    pub fn set(&mut self, index: usize) {
        let _ = index;
        todo!("helper B")
    }

    pub fn get(&self, index: usize) -> bool {
        let _ = index;
        todo!("helper B")
    }

    /// `u` + base64url (no padding) of GZIP(bits).
    pub fn encode(&self) -> Result<String, Error> {
        todo!("helper B")
    }

    pub fn decode(encoded: &str) -> Result<Bits, Error> {
        let _ = encoded;
        todo!("helper B")
    }
}

impl Default for Bits {
    fn default() -> Self {
        Bits::new()
    }
}

/// The credential's `credentialStatus` entry (`BitstringStatusListEntry`, purpose
/// `revocation`, `id` = list URL + `#` + index, as the OB schema requires an `id`).
pub fn entry(issuer: &Issuer, list: i32, index: i32) -> Value {
    let _ = (issuer, list, index);
    todo!("helper B")
}

/// The unsigned `BitstringStatusListCredential` of list `list`.
pub fn list_credential(
    issuer: &Issuer,
    list: i32,
    bits: &Bits,
    valid_from: &str,
) -> Result<Value, Error> {
    let _ = (issuer, list, bits, valid_from);
    todo!("helper B")
}
