//! Console passwords: Argon2id (PHC strings), verified in constant time.

use crate::error::Error;

/// The PHC string of `password` (Argon2id, a fresh random salt).
pub fn hash(password: &str) -> Result<String, Error> {
    let _ = password;
    todo!("console: argon2id hash")
}

/// Whether `password` matches the PHC string `phc`.
pub fn verify(password: &str, phc: &str) -> bool {
    let _ = (password, phc);
    todo!("console: argon2id verify")
}
