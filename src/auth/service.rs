//! Authentication with an in-memory cache, so checking credentials costs microseconds.
//! A revocation evicts the key at once on the instance that makes it; other instances
//! sharing the database hear of it within a second (`revocation.rs`). Entries also
//! expire after `TTL`, a backstop should a notice ever go astray.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, TransactionTrait};
use serde_json::{Value, json};

use super::principal::Principal;
use super::revocation::{self, Watch};
use super::scheme::{KeyScheme, KeySchemes};
use super::scope::Scopes;
use super::{secret, store};
use crate::error::Error;

const TTL: Duration = Duration::from_secs(30);

struct Cached {
    principal: Arc<Principal>,
    salt: String,
    secret_hash: String,
    loaded: Instant,
}

/// The checks this instance remembers, and whether it may rely on them.
pub(super) struct Cache {
    entries: RwLock<HashMap<String, Arc<Cached>>>,
    /// Bumped by every eviction: a check loaded before one is not remembered, since it
    /// may have been read before the revocation committed.
    evictions: AtomicU64,
    /// False while this instance cannot hear of revocations (its PostgreSQL listener is
    /// reconnecting): every check then goes to the database.
    trusted: AtomicBool,
}

impl Cache {
    pub(super) fn new(trusted: bool) -> Cache {
        Cache {
            entries: RwLock::default(),
            evictions: AtomicU64::new(0),
            trusted: AtomicBool::new(trusted),
        }
    }

    pub(super) fn evict(&self, key: &str) {
        self.evictions.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(key);
        }
    }

    pub(super) fn clear(&self) {
        self.evictions.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    pub(super) fn set_trusted(&self, trusted: bool) {
        self.trusted.store(trusted, Ordering::SeqCst);
    }

    fn get(&self, key: &str) -> Option<Arc<Cached>> {
        if !self.trusted.load(Ordering::SeqCst) {
            return None;
        }
        let entries = self.entries.read().ok()?;
        entries
            .get(key)
            .filter(|entry| entry.loaded.elapsed() < TTL)
            .cloned()
    }

    /// Remembers `entry` unless something was evicted since `evictions_before`.
    fn keep(&self, key: String, entry: Arc<Cached>, evictions_before: u64) {
        if let Ok(mut entries) = self.entries.write()
            && self.evictions.load(Ordering::SeqCst) == evictions_before
        {
            entries.insert(key, entry);
        }
    }
}

#[derive(Clone)]
pub struct AuthService {
    conn: DatabaseConnection,
    cache: Arc<Cache>,
    /// How revocations made elsewhere reach the cache.
    watch: Arc<Watch>,
    /// Keys checked by the layer that issued them (launch tokens).
    schemes: KeySchemes,
}

/// The Agent this server signs as when it acts as the LMS (launches, satisfied...).
pub fn lms_authority(public_url: &str) -> Value {
    json!({
        "objectType": "Agent",
        "name": "Black Belt",
        "account": {"homePage": public_url, "name": "blackbelt-lms"},
    })
}

impl AuthService {
    /// Starts listening for revocations (PostgreSQL: `database_url` is where the
    /// listener connects) before the first credential is checked. `schemes` check the
    /// keys that are not stored credentials, in order.
    pub async fn start(
        conn: DatabaseConnection,
        database_url: &str,
        schemes: Vec<Arc<dyn KeyScheme>>,
    ) -> AuthService {
        let (cache, watch) = revocation::watch(&conn, database_url).await;
        AuthService {
            conn,
            cache,
            watch: Arc::new(watch),
            schemes: schemes.into(),
        }
    }

    /// Checks a key and secret; `Unauthorized` for unknown keys, revoked credentials and
    /// wrong secrets alike, so callers cannot tell which.
    pub async fn authenticate(&self, key: &str, presented: &str) -> Result<Arc<Principal>, Error> {
        // Launch tokens are checked by their scheme on every request: an abandoned or
        // expired session must stop working at once, not after a TTL.
        if let Some(scheme) = self.schemes.iter().find(|scheme| scheme.owns(key)) {
            return scheme.authenticate(&self.conn, key, presented).await;
        }
        self.watch.catch_up(&self.conn, &self.cache).await;
        let entry = match self.cache.get(key) {
            Some(entry) => entry,
            None => self.load(key).await?.ok_or(Error::Unauthorized)?,
        };
        if secret::verify(&entry.salt, &entry.secret_hash, presented) {
            Ok(entry.principal.clone())
        } else {
            Err(Error::Unauthorized)
        }
    }

    /// Revokes a credential: refused here at once, on other instances sharing the
    /// database within a second. Returns false when no active credential has that key.
    /// Drops `key` from the cache after a revocation committed elsewhere (the console's
    /// audited transaction), so it is refused at once on this node.
    pub fn forget(&self, key: &str) {
        self.cache.evict(key);
    }

    pub async fn revoke(&self, key: &str) -> Result<bool, Error> {
        let txn = self.conn.begin().await?;
        let revoked = store::revoke(&txn, key).await?;
        txn.commit().await?;
        self.cache.evict(key);
        Ok(revoked)
    }

    async fn load(&self, key: &str) -> Result<Option<Arc<Cached>>, Error> {
        let evictions_before = self.cache.evictions.load(Ordering::SeqCst);
        let Some(model) = store::find_active(&self.conn, key).await? else {
            return Ok(None);
        };
        let scopes = Scopes::parse_list(&model.scopes)
            .map_err(|why| Error::Internal(format!("credential {key} has bad scopes: {why}")))?;
        let entry = Arc::new(Cached {
            principal: Arc::new(Principal {
                credential_id: model.id,
                key: model.key.clone(),
                scopes,
                authority: model.authority,
                grant: None,
            }),
            salt: model.salt,
            secret_hash: model.secret_hash,
            loaded: Instant::now(),
        });
        self.cache.keep(model.key, entry.clone(), evictions_before);
        Ok(Some(entry))
    }
}
