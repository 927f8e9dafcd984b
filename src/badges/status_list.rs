//! Revocation as a W3C Bitstring Status List v1.0: each credential has a bit at a random
//! index of a list of 131,072 bits (16 KiB, the spec's minimum, for herd privacy); the
//! list is a `BitstringStatusListCredential` whose `encodedList` is multibase
//! base64url (`u`) of the GZIP'd bits, index 0 the most significant bit of byte 0. It
//! is signed like a credential (Data Integrity) and remade when a bit changes.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use super::Issuer;
use super::credential::CONTEXT_VC2;
use crate::error::Error;

/// Bits per list.
pub const LIST_BITS: usize = 131_072;

/// The most a decoded list may inflate to (a GZIP bomb stops here).
const MAX_DECODED_BYTES: u64 = 16 * 1024 * 1024;

/// A list's bits.
pub struct Bits(pub Vec<u8>);

impl Bits {
    pub fn new() -> Bits {
        Bits(vec![0; LIST_BITS / 8])
    }

    /// Sets the bit at `index` (MSB-first: byte `index / 8`, mask `0x80 >> index % 8`);
    /// an index past the end is ignored (indexes are chosen below `LIST_BITS`).
    pub fn set(&mut self, index: usize) {
        if let Some(byte) = self.0.get_mut(index / 8) {
            *byte |= 0x80 >> (index % 8);
        }
    }

    /// The bit at `index`; `false` past the end.
    pub fn get(&self, index: usize) -> bool {
        self.0
            .get(index / 8)
            .is_some_and(|byte| byte & (0x80 >> (index % 8)) != 0)
    }

    /// `u` + base64url (no padding) of GZIP(bits).
    pub fn encode(&self) -> Result<String, Error> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&self.0)
            .and_then(|()| gz.finish())
            .map(|zipped| format!("u{}", URL_SAFE_NO_PAD.encode(zipped)))
            .map_err(|e| Error::Internal(format!("GZIP of a status list failed: {e}")))
    }

    /// The bits of an `encodedList`; refuses a value without the `u` prefix, that is not
    /// base64url or GZIP, or whose list is shorter than the spec's 16 KiB minimum.
    pub fn decode(encoded: &str) -> Result<Bits, Error> {
        let bad = |rule: &str| Error::BadRequest(format!("encodedList {rule}"));
        let body = encoded
            .strip_prefix('u')
            .ok_or_else(|| bad("must start with the multibase prefix `u` (base64url)"))?;
        let zipped = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| bad("is not base64url without padding"))?;
        let mut bits = Vec::new();
        GzDecoder::new(zipped.as_slice())
            .take(MAX_DECODED_BYTES + 1)
            .read_to_end(&mut bits)
            .map_err(|_| bad("is not GZIP data"))?;
        if bits.len() as u64 > MAX_DECODED_BYTES {
            return Err(bad("inflates past 16 MiB"));
        }
        if bits.len() < LIST_BITS / 8 {
            return Err(bad("holds fewer than the 131,072 bits the spec requires"));
        }
        Ok(Bits(bits))
    }
}

impl std::fmt::Debug for Bits {
    /// The size and how many bits are set, not 16 KiB of bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set: u32 = self.0.iter().map(|b| b.count_ones()).sum();
        write!(f, "Bits({} bits, {set} set)", self.0.len() * 8)
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
    let url = issuer.urls.status_list(list);
    json!({
        "id": format!("{url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": url,
    })
}

/// The unsigned `BitstringStatusListCredential` of list `list`. Its `issuer` is the
/// issuer's id: verifiers require it to be the controller of the signing key.
pub fn list_credential(
    issuer: &Issuer,
    list: i32,
    bits: &Bits,
    valid_from: &str,
) -> Result<Value, Error> {
    let url = issuer.urls.status_list(list);
    Ok(json!({
        "@context": [CONTEXT_VC2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.urls.issuer(),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode()?,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The spec's example list: 131,072 bits, all zero.
    const SPEC_EMPTY: &str =
        "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

    #[test]
    fn index_zero_is_the_most_significant_bit_of_the_first_byte() {
        let mut bits = Bits::new();
        bits.set(0);
        bits.set(9);
        assert_eq!(bits.0[0], 0x80);
        assert_eq!(bits.0[1], 0x40);
        assert!(bits.get(0) && bits.get(9) && !bits.get(1));
    }

    #[test]
    fn the_last_index_is_the_least_significant_bit_of_the_last_byte() {
        let mut bits = Bits::new();
        bits.set(LIST_BITS - 1);
        assert_eq!(bits.0[LIST_BITS / 8 - 1], 0x01);
    }

    #[test]
    fn an_index_past_the_end_is_ignored_and_reads_as_unset() {
        let mut bits = Bits::new();
        bits.set(LIST_BITS);
        assert!(!bits.get(LIST_BITS));
        assert!(bits.0.iter().all(|b| *b == 0));
    }

    #[test]
    fn encoding_starts_with_u_and_round_trips() {
        let mut bits = Bits::new();
        bits.set(94_567);
        let encoded = bits.encode().unwrap();
        assert!(encoded.starts_with('u'));
        assert!(!encoded.contains('=') && !encoded.contains('+') && !encoded.contains('/'));
        let back = Bits::decode(&encoded).unwrap();
        assert!(back.get(94_567));
        assert_eq!(back.0.len(), LIST_BITS / 8);
    }

    #[test]
    fn the_spec_example_decodes_to_an_empty_list_of_the_minimum_size() {
        let bits = Bits::decode(SPEC_EMPTY).unwrap();
        assert_eq!(bits.0.len() * 8, LIST_BITS);
        assert!(bits.0.iter().all(|b| *b == 0));
    }

    #[test]
    fn decoding_refuses_a_value_without_the_multibase_prefix() {
        let err = Bits::decode(&SPEC_EMPTY[1..]).unwrap_err();
        assert!(err.to_string().contains("prefix `u`"), "{err}");
    }

    #[test]
    fn decoding_refuses_a_list_shorter_than_the_minimum() {
        let short = Bits(vec![0; 100]).encode().unwrap();
        let err = Bits::decode(&short).unwrap_err();
        assert!(err.to_string().contains("131,072"), "{err}");
    }

    #[test]
    fn entry_names_the_list_and_a_string_index_with_an_id_that_is_not_the_list() {
        let issuer = Issuer::from_config(&Config::default());
        let entry = entry(&issuer, 3, 94_567);
        let list = issuer.urls.status_list(3);
        assert_eq!(entry["type"], "BitstringStatusListEntry");
        assert_eq!(entry["statusPurpose"], "revocation");
        assert_eq!(entry["statusListIndex"], "94567");
        assert_eq!(entry["statusListCredential"], list.as_str());
        assert_eq!(entry["id"], format!("{list}#94567"));
    }

    #[test]
    fn list_credential_has_the_types_subject_and_issuer_verifiers_check() {
        let issuer = Issuer::from_config(&Config::default());
        let mut bits = Bits::new();
        bits.set(7);
        let list = list_credential(&issuer, 1, &bits, "2026-12-07T08:00:00Z").unwrap();
        let url = issuer.urls.status_list(1);
        assert_eq!(list["@context"], json!([CONTEXT_VC2]));
        assert_eq!(
            list["type"],
            json!(["VerifiableCredential", "BitstringStatusListCredential"])
        );
        assert_eq!(list["id"], url.as_str());
        assert_eq!(list["issuer"], issuer.urls.issuer().as_str());
        assert_eq!(list["validFrom"], "2026-12-07T08:00:00Z");
        let subject = &list["credentialSubject"];
        assert_eq!(subject["id"], format!("{url}#list"));
        assert_eq!(subject["type"], "BitstringStatusList");
        assert_eq!(subject["statusPurpose"], "revocation");
        let decoded = Bits::decode(subject["encodedList"].as_str().unwrap()).unwrap();
        assert!(decoded.get(7));
    }
}
