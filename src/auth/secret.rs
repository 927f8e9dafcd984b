//! Credential secrets: generated with 256 bits of entropy, stored only as
//! HMAC-SHA256(salt, secret), verified in constant time.
//! A fast keyed hash is enough because the secrets are random, not passwords.

use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `n` random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // SystemRandom only fails if the OS has no entropy source; there is no safe fallback.
    #[allow(clippy::expect_used)]
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random number generator failed");
    bytes
}

/// A fresh credential: public key, secret (shown once), salt and hash to store.
pub struct NewSecret {
    pub key: String,
    pub secret: String,
    pub salt: String,
    pub hash: String,
}

pub fn generate() -> NewSecret {
    let key = format!("bb_{}", hex::encode(random_bytes::<12>()));
    let secret = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let salt = hex::encode(random_bytes::<16>());
    let hash = hex::encode(digest(&salt, &secret));
    NewSecret {
        key,
        secret,
        salt,
        hash,
    }
}

/// The stored form of a random secret: hex HMAC-SHA256 keyed by `salt`.
pub fn hash(salt: &str, secret: &str) -> String {
    hex::encode(digest(salt, secret))
}

fn digest(salt: &str, secret: &str) -> hmac::Tag {
    hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, salt.as_bytes()),
        secret.as_bytes(),
    )
}

/// Constant-time check of a presented secret against the stored hash.
pub fn verify(salt: &str, stored_hash: &str, presented: &str) -> bool {
    let Ok(expected) = hex::decode(stored_hash) else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, salt.as_bytes());
    hmac::verify(&key, presented.as_bytes(), &expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_verifies_and_others_do_not() {
        let made = generate();
        assert!(verify(&made.salt, &made.hash, &made.secret));
        assert!(!verify(&made.salt, &made.hash, "guess"));
        assert!(!made.hash.contains(&made.secret));
    }

    #[test]
    fn keys_are_unique_and_prefixed() {
        let (a, b) = (generate(), generate());
        assert_ne!(a.key, b.key);
        assert!(a.key.starts_with("bb_"));
    }
}
