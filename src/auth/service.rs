//! Authentication with a short-lived in-memory cache, so checking credentials costs
//! microseconds. Entries expire after `TTL`, which bounds how long a credential revoked
//! on another instance keeps working here.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use super::principal::Principal;
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

#[derive(Clone)]
pub struct AuthService {
    conn: DatabaseConnection,
    cache: Arc<RwLock<HashMap<String, Arc<Cached>>>>,
    /// The authority of statements made through launch tokens: this server as the LMS.
    lms_authority: Arc<Value>,
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
    pub fn new(conn: DatabaseConnection, public_url: &str) -> Self {
        AuthService {
            conn,
            cache: Arc::default(),
            lms_authority: Arc::new(lms_authority(public_url)),
        }
    }

    /// Checks a key and secret; `Unauthorized` for unknown keys, revoked credentials and
    /// wrong secrets alike, so callers cannot tell which.
    pub async fn authenticate(&self, key: &str, presented: &str) -> Result<Arc<Principal>, Error> {
        // Launch tokens are checked against their session on every request: an
        // abandoned or expired session must stop working at once, not after a TTL.
        if key.starts_with(crate::launch::token::KEY_PREFIX) {
            return crate::launch::token::authenticate(
                &self.conn,
                key,
                presented,
                &self.lms_authority,
            )
            .await;
        }
        let entry = match self.cached(key) {
            Some(entry) => entry,
            None => self.load(key).await?.ok_or(Error::Unauthorized)?,
        };
        if secret::verify(&entry.salt, &entry.secret_hash, presented) {
            Ok(entry.principal.clone())
        } else {
            Err(Error::Unauthorized)
        }
    }

    /// Drops a key from this instance's cache (after a local revoke).
    pub fn forget(&self, key: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(key);
        }
    }

    fn cached(&self, key: &str) -> Option<Arc<Cached>> {
        let cache = self.cache.read().ok()?;
        cache
            .get(key)
            .filter(|entry| entry.loaded.elapsed() < TTL)
            .cloned()
    }

    async fn load(&self, key: &str) -> Result<Option<Arc<Cached>>, Error> {
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
                launch: None,
            }),
            salt: model.salt,
            secret_hash: model.secret_hash,
            loaded: Instant::now(),
        });
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(model.key, entry.clone());
        }
        Ok(Some(entry))
    }
}
