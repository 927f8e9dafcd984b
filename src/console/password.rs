//! Console passwords: Argon2id (RustCrypto's `argon2`, OWASP parameters m=19456 KiB,
//! t=2, p=1) as PHC strings. Hashing costs ~19 MiB and tens of milliseconds of CPU, so
//! it runs on the blocking pool behind a small semaphore: a flood of sign-ins waits in
//! line instead of exhausting memory or starving the request threads.

use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use tokio::sync::Semaphore;

use crate::error::Error;

/// Password rules (NIST SP 800-63B: length, not composition).
pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// At most this many hashes at once, whatever the load.
static HASHING: Semaphore = Semaphore::const_new(2);

/// A real hash of a password nobody knows: an unknown username is verified against it,
/// so answering "no such user" takes as long as "wrong password".
static DUMMY: LazyLock<Option<String>> =
    LazyLock::new(|| hash_now("an unguessable placeholder password").ok());

fn argon2() -> Result<Argon2<'static>, Error> {
    let params = Params::new(19_456, 2, 1, None)
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Why `password` is not acceptable for `username`, naming the rule; `None` when it is.
pub fn problem(password: &str, username: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Some(format!(
            "The password must be at least {MIN_CHARS} characters long (it has {chars})."
        ));
    }
    if chars > MAX_CHARS {
        return Some(format!(
            "The password must be at most {MAX_CHARS} characters long (it has {chars})."
        ));
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Some("The password must not be the username.".to_owned());
    }
    None
}

fn hash_now(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| Error::Internal("the system random generator failed".into()))?;
    argon2()?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2 hash: {e}")))
}

fn verify_now(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Runs `work` on the blocking pool, at most `HASHING` at a time.
async fn limited<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|_| Error::Internal("password hashing is shut down".into()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("password hashing task: {e}")))
}

/// The PHC string of `password` (Argon2id, a fresh random salt).
pub async fn hash(password: &str) -> Result<String, Error> {
    let password = password.to_owned();
    limited(move || hash_now(&password)).await?
}

/// Whether `password` matches the PHC string `phc`; with `None` (an unknown user, or
/// one without a password yet) a dummy hash is verified so the time is the same, and
/// the answer is always `false`.
pub async fn verify(password: &str, phc: Option<&str>) -> Result<bool, Error> {
    let password = password.to_owned();
    let known = phc.map(str::to_owned);
    limited(move || match known {
        Some(phc) => verify_now(&password, &phc),
        None => {
            if let Some(dummy) = DUMMY.as_deref() {
                verify_now(&password, dummy);
            }
            false
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let phc = hash_now("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_now("correct horse battery", &phc));
        assert!(!verify_now("correct horse batterx", &phc));
        assert!(!verify_now("anything", "not a phc string"));
    }

    #[test]
    fn two_hashes_of_one_password_differ_by_salt() {
        assert_ne!(
            hash_now("same password!").unwrap(),
            hash_now("same password!").unwrap()
        );
    }

    #[test]
    fn the_rules_name_what_is_wrong() {
        assert!(problem("short", "ada").unwrap().contains("at least 12"));
        assert!(
            problem(&"x".repeat(129), "ada")
                .unwrap()
                .contains("at most 128")
        );
        assert!(
            problem("ada.lovelace1", "Ada.Lovelace1")
                .unwrap()
                .contains("not be the username")
        );
        assert_eq!(problem("a long enough passphrase", "ada"), None);
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify("whatever it is", None).await.unwrap());
    }
}
