//! Platform public keys: fetched from the registered JWKS URL, kept in the database
//! with the registration (so every instance, and a restart, starts from the last good
//! copy), and refetched once when an id_token names a `kid` the copy lacks — which is
//! how platforms rotate keys.

use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use sea_orm::ConnectionTrait;

use crate::error::Error;
use crate::sql::Sql;
use entities::lti_platform;

/// Refetching more often than this is refused, so a stream of forged `kid`s cannot
/// turn us into a request amplifier against the platform.
const MIN_REFETCH_US: i64 = 10_000_000;
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// The stored key set, if any.
pub fn cached(platform: &lti_platform::Model) -> Option<JwkSet> {
    platform
        .jwks
        .as_ref()
        .and_then(|json| serde_json::from_value(json.clone()).ok())
}

/// Whether a set holds a key with `kid`.
pub fn has_kid(set: &JwkSet, kid: &str) -> bool {
    set.keys
        .iter()
        .any(|k| k.common.key_id.as_deref() == Some(kid))
}

/// The key set to verify a token with `kid`: the stored one if it has the key, else
/// a fresh copy (stored for next time), within the refetch rate limit.
pub async fn for_kid(
    conn: &impl ConnectionTrait,
    http: &reqwest::Client,
    platform: &lti_platform::Model,
    kid: &str,
) -> Result<JwkSet, Error> {
    if let Some(set) = cached(platform)
        && has_kid(&set, kid)
    {
        return Ok(set);
    }
    let now = jiff::Timestamp::now().as_microsecond();
    if let (Some(set), Some(fetched)) = (cached(platform), platform.jwks_fetched_us)
        && now - fetched < MIN_REFETCH_US
    {
        return Ok(set); // refetched a moment ago; the kid is simply unknown
    }
    let set = fetch(http, &platform.jwks_url).await?;
    let json = serde_json::to_value(&set).map_err(|e| Error::Internal(e.to_string()))?;
    let mut sql = Sql::new("UPDATE lti_platforms SET ");
    sql.bind("jwks = ?", json)
        .bind(", jwks_fetched_us = ?", now)
        .bind(" WHERE id = ?", platform.id);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(set)
}

async fn fetch(http: &reqwest::Client, url: &str) -> Result<JwkSet, Error> {
    let unreachable = |why: String| {
        Error::BadGateway(format!(
            "the platform's key set at {url} could not be read: {why}"
        ))
    };
    let response = http
        .get(url)
        .timeout(FETCH_TIMEOUT)
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    if !response.status().is_success() {
        return Err(unreachable(format!("HTTP {}", response.status())));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    if bytes.len() > MAX_JWKS_BYTES {
        return Err(unreachable(format!("larger than {MAX_JWKS_BYTES} bytes")));
    }
    serde_json::from_slice(&bytes).map_err(|e| unreachable(format!("not a JWK set: {e}")))
}
