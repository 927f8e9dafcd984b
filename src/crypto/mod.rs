//! Secrets kept in the database, sealed with a key that is not: LTI 1.1 consumer
//! secrets, the tool's LTI 1.3 private keys and the server's own keys. A copy of the
//! database alone (a backup, a dump, a read replica) gives none of them away.

/// AES-256-GCM sealing of one stored value (pure).
pub mod at_rest;
/// Where the key comes from: `secrets_key`, `secrets_key_file`, or a file made once.
pub mod key_file;
/// At start: seal what is still plain, and refuse a key that opens nothing.
pub mod seal_stored;

pub use at_rest::SecretsKey;
