//! Keys that are not stored credentials (a launch's auth token) are checked by the
//! layer that issued them: each registers a scheme when the app is built, and the
//! authentication service asks the one whose keys they are. Authentication thus names
//! no layer above it.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;

use super::principal::Principal;
use crate::error::Error;

/// A kind of key checked by its issuer rather than against the credentials table.
pub trait KeyScheme: Send + Sync + 'static {
    /// Whether `key` is one of this scheme's: a cheap test (a prefix), run on every
    /// request before the credentials cache is consulted.
    fn owns(&self, key: &str) -> bool;

    /// Checks the key and its secret on every request (no cache: a session that ended
    /// must stop working at once).
    fn authenticate<'a>(
        &'a self,
        conn: &'a DatabaseConnection,
        key: &'a str,
        presented: &'a str,
    ) -> BoxFuture<'a, Result<Arc<Principal>, Error>>;
}

/// The registered schemes, asked in order.
pub type KeySchemes = Arc<[Arc<dyn KeyScheme>]>;
