//! One stored secret sealed with AES-256-GCM: `v1:<nonce>:<ciphertext>`, both base64,
//! with what names the row (the consumer key, the key id) as associated data, so a
//! sealed value copied onto another row does not open. The version prefix lets a later
//! scheme or key live beside this one.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The prefix of every sealed value of this version.
pub const PREFIX: &str = "v1:";
/// AES-256: 32 bytes of key.
pub const KEY_BYTES: usize = 32;

/// The key that seals and opens stored secrets. Cheap to clone; never printed.
#[derive(Clone)]
pub struct SecretsKey {
    key: Arc<LessSafeKey>,
}

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

/// Why a stored value did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("it is not a sealed value (v1:<nonce>:<ciphertext>)")]
    Malformed,
    #[error("it does not open with the configured key")]
    WrongKey,
}

impl SecretsKey {
    /// A key from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<SecretsKey, String> {
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| {
            format!(
                "must be {KEY_BYTES} bytes, got {} (make one with `openssl rand -base64 32`)",
                bytes.len()
            )
        })?;
        Ok(SecretsKey {
            key: Arc::new(LessSafeKey::new(unbound)),
        })
    }

    /// A key from its base64 text (surrounding white space ignored).
    pub fn from_base64(text: &str) -> Result<SecretsKey, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "is not base64 (make one with `openssl rand -base64 32`)".to_owned())?;
        SecretsKey::from_bytes(&bytes)
    }

    /// 32 fresh random bytes, as base64: a new key's text.
    pub fn generate_base64() -> Result<String, String> {
        let mut bytes = [0u8; KEY_BYTES];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| "the system random generator failed".to_owned())?;
        Ok(STANDARD.encode(bytes))
    }

    /// Seals `plain`, bound to `aad` (what names its row).
    pub fn seal(&self, plain: &[u8], aad: &str) -> Result<String, String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| "the system random generator failed".to_owned())?;
        let mut sealed = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| "sealing a secret failed".to_owned())?;
        Ok(format!(
            "{PREFIX}{}:{}",
            STANDARD.encode(nonce),
            STANDARD.encode(sealed)
        ))
    }

    /// Opens a value [`SecretsKey::seal`] made with the same `aad`.
    pub fn open(&self, stored: &str, aad: &str) -> Result<Vec<u8>, OpenError> {
        let rest = stored.strip_prefix(PREFIX).ok_or(OpenError::Malformed)?;
        let (nonce, sealed) = rest.split_once(':').ok_or(OpenError::Malformed)?;
        let nonce: [u8; NONCE_LEN] = STANDARD
            .decode(nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or(OpenError::Malformed)?;
        let mut sealed = STANDARD.decode(sealed).map_err(|_| OpenError::Malformed)?;
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| OpenError::WrongKey)?;
        Ok(plain.to_vec())
    }

    /// As [`SecretsKey::open`], for text.
    pub fn open_text(&self, stored: &str, aad: &str) -> Result<String, OpenError> {
        String::from_utf8(self.open(stored, aad)?).map_err(|_| OpenError::Malformed)
    }
}

/// Whether a stored value is sealed (else it is a plain value from before sealing).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretsKey {
        SecretsKey::from_bytes(&[7u8; 32]).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_and_row_and_is_not_the_secret() {
        let sealed = key().seal(b"s3cret-value", "bb11_key").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("s3cret"));
        assert_eq!(
            key().open_text(&sealed, "bb11_key").unwrap(),
            "s3cret-value"
        );
    }

    #[test]
    fn sealing_twice_gives_different_text() {
        assert_ne!(
            key().seal(b"x", "a").unwrap(),
            key().seal(b"x", "a").unwrap()
        );
    }

    #[test]
    fn another_key_or_another_row_does_not_open_it() {
        let sealed = key().seal(b"s3cret", "bb11_key").unwrap();
        let other = SecretsKey::from_bytes(&[8u8; 32]).unwrap();
        assert_eq!(other.open(&sealed, "bb11_key"), Err(OpenError::WrongKey));
        assert_eq!(key().open(&sealed, "bb11_other"), Err(OpenError::WrongKey));
    }

    #[test]
    fn plain_or_broken_values_are_malformed() {
        assert_eq!(key().open("plain-secret", "k"), Err(OpenError::Malformed));
        assert_eq!(key().open("v1:AAAA", "k"), Err(OpenError::Malformed));
        assert_eq!(key().open("v1:!!:AAAA", "k"), Err(OpenError::Malformed));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(
            SecretsKey::from_bytes(&[1u8; 16])
                .unwrap_err()
                .contains("32 bytes, got 16")
        );
        assert!(
            SecretsKey::from_base64("not base64!")
                .unwrap_err()
                .contains("base64")
        );
        let text = SecretsKey::generate_base64().unwrap();
        assert!(SecretsKey::from_base64(&format!("{text}\n")).is_ok());
    }
}
