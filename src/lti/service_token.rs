//! OAuth 2 access tokens for LTI services (AGS, NRPS): the client-credentials grant
//! with a JWT assertion signed by the tool key (LTI Security Framework §4.1), cached
//! per platform and scope set until shortly before they expire.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::keys;
use super::platforms::deployment_ids;
use crate::db::Db;
use crate::error::Error;
use crate::outbound::{Outbound, OutboundError};
use entities::lti_platform;

/// Tokens are dropped this long before the platform says they expire.
const MARGIN: Duration = Duration::from_secs(60);
const ATTEMPTS: u32 = 3;
/// A token answer is a few hundred bytes; anything near this is not one.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// (platform id, sorted scopes) → (token, good until).
type TokenCache = HashMap<(i64, String), (String, Instant)>;

/// (platform id, sorted scopes) → the lock one token request for that key holds.
type InFlight = HashMap<(i64, String), Arc<tokio::sync::Mutex<()>>>;

#[derive(Clone, Default)]
pub struct ServiceTokens {
    cache: Arc<Mutex<TokenCache>>,
    /// One token request per key at a time: when the cache is empty, many deliveries
    /// start at once, and without this each would ask the platform for its own token.
    in_flight: Arc<Mutex<InFlight>>,
}

/// Why [`ServiceTokens::get_once`] got no token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TokenError {
    /// Worth trying again later (the token URL was down, slow or answered 5xx).
    pub retry: bool,
    pub message: String,
}

/// A failed token request: the error, and whether a later try may succeed.
struct Failed {
    retry: bool,
    error: Error,
}

impl ServiceTokens {
    /// A bearer token for `scopes` at `platform`, from the cache or the token URL
    /// (tried up to three times, a second and then two apart).
    pub async fn get(
        &self,
        db: &Db,
        http: &Outbound,
        platform: &lti_platform::Model,
        scopes: &[&str],
    ) -> Result<String, Error> {
        self.fetch(db, http, platform, scopes, ATTEMPTS)
            .await
            .map_err(|f| f.error)
    }

    /// As [`ServiceTokens::get`], with a single try: for callers that do their own
    /// backing off (the passback outbox).
    pub async fn get_once(
        &self,
        db: &Db,
        http: &Outbound,
        platform: &lti_platform::Model,
        scopes: &[&str],
    ) -> Result<String, TokenError> {
        self.fetch(db, http, platform, scopes, 1)
            .await
            .map_err(|f| TokenError {
                retry: f.retry,
                message: match f.error {
                    Error::BadGateway(message) => message,
                    // Our own failure (database, signing key): its cause stays in the log.
                    other => {
                        tracing::warn!(error = %other, "signing a token request failed");
                        "the token request could not be signed (see the server log)".into()
                    }
                },
            })
    }

    /// Drops the cached token for `scopes` at `platform` (the service answered 401 to
    /// it), so the next ask fetches a new one.
    pub fn forget(&self, platform_id: i64, scopes: &[&str]) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&cache_key(platform_id, scopes));
        }
    }

    async fn fetch(
        &self,
        db: &Db,
        http: &Outbound,
        platform: &lti_platform::Model,
        scopes: &[&str],
        attempts: u32,
    ) -> Result<String, Failed> {
        let key = cache_key(platform.id, scopes);
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let lock = match self.in_flight.lock() {
            Ok(mut in_flight) => Some(in_flight.entry(key.clone()).or_default().clone()),
            Err(_) => None,
        };
        let _one_request = match &lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        // Whoever held the lock before us may have fetched the token meanwhile.
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let (token, lifetime) = request(db, http, platform, &key.1, attempts).await?;
        let until = Instant::now() + lifetime.saturating_sub(MARGIN);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, (token.clone(), until));
        }
        Ok(token)
    }
}

impl ServiceTokens {
    fn cached(&self, key: &(i64, String)) -> Option<String> {
        let cache = self.cache.lock().ok()?;
        let (token, until) = cache.get(key)?;
        (Instant::now() < *until).then(|| token.clone())
    }
}

fn cache_key(platform_id: i64, scopes: &[&str]) -> (i64, String) {
    let mut sorted: Vec<&str> = scopes.to_vec();
    sorted.sort_unstable();
    (platform_id, sorted.join(" "))
}

/// The signed assertion the token request carries.
pub async fn assertion(db: &Db, platform: &lti_platform::Model) -> Result<String, Error> {
    let now = jiff::Timestamp::now().as_second();
    let mut claims = json!({
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.token_url,
        "iat": now,
        "exp": now + 300,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    if let Some(deployment) = deployment_ids(&platform.deployment_ids).first() {
        claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = json!(deployment);
    }
    keys::sign(db, &claims).await
}

fn refused(why: OutboundError) -> Failed {
    Failed {
        retry: false,
        error: Error::BadGateway(format!("the platform's token URL could not be used: {why}")),
    }
}

async fn request(
    db: &Db,
    http: &Outbound,
    platform: &lti_platform::Model,
    scope: &str,
    attempts: u32,
) -> Result<(String, Duration), Failed> {
    let mut last = OutboundError::Unreachable;
    for attempt in 0..attempts {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_secs(1 << (attempt - 1))).await;
        }
        // A fresh assertion each time: platforms may refuse a reused `jti`.
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            (
                "client_assertion",
                assertion(db, platform)
                    .await
                    .map_err(|error| Failed { retry: true, error })?,
            ),
            ("scope", scope.to_owned()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let answer = match http
            .post_form(&platform.token_url, &form, MAX_ANSWER_BYTES)
            .await
        {
            Ok(answer) => answer,
            Err(OutboundError::Unreachable) => {
                last = OutboundError::Unreachable;
                continue;
            }
            // A refused address, a redirect or an oversized answer stays so on retry.
            Err(err) => return Err(refused(err)),
        };
        if answer.status >= 500 {
            last = OutboundError::Status(answer.status);
            continue;
        }
        if !answer.is_success() {
            // 4xx: our request is wrong (registration, key); retrying will not help.
            // The platform's own words go to the log, not to whoever sees the error.
            let detail = answer.json().ok();
            let code = detail
                .as_ref()
                .and_then(|b| b.get("error"))
                .and_then(|e| e.as_str());
            tracing::warn!(
                platform = platform.id,
                status = answer.status,
                error = code,
                "the platform's token URL refused the request"
            );
            // Except "too many requests" and "too slow", which pass with time.
            let retry = matches!(answer.status, 408 | 425 | 429);
            return Err(Failed {
                retry,
                ..refused(OutboundError::Status(answer.status))
            });
        }
        // Not a token answer (a proxy's page, a half-deployed LMS): may pass.
        let garbled = |why: &str| Failed {
            retry: true,
            error: Error::BadGateway(format!("the token answer {why}")),
        };
        let body = answer.json().map_err(|_| garbled("is not JSON"))?;
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| garbled("has no access_token"))?;
        let lifetime = body
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(3600);
        return Ok((token.to_owned(), Duration::from_secs(lifetime)));
    }
    let times = if attempts == 1 {
        "once".to_owned()
    } else {
        format!("{attempts} times")
    };
    Err(Failed {
        retry: true,
        error: Error::BadGateway(format!(
            "the platform's token URL {} failed {times}; last: {last}",
            platform.token_url
        )),
    })
}
