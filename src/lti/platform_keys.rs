//! Platform public keys: fetched from the registered JWKS URL, kept in the database
//! with the registration (so every instance, and a restart, starts from the last good
//! copy), and refetched once when an id_token names a `kid` the copy lacks — which is
//! how platforms rotate keys.

use jsonwebtoken::jwk::JwkSet;
use sea_orm::ConnectionTrait;

use crate::error::Error;
use crate::outbound::{Outbound, OutboundError};
use crate::sql::Sql;
use entities::lti_platform;

/// Fetching more often than this is refused, whether the last try worked or not and
/// whether a key set is cached or not, so a stream of forged `kid`s (or launches
/// against a failing key set URL) cannot turn us into a request amplifier.
const MIN_REFETCH_US: i64 = 10_000_000;
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
    http: &Outbound,
    platform: &lti_platform::Model,
    kid: &str,
) -> Result<JwkSet, Error> {
    let stored = cached(platform);
    if let Some(set) = &stored
        && has_kid(set, kid)
    {
        return Ok(set.clone());
    }
    let now = jiff::Timestamp::now().as_microsecond();
    if !claim_attempt(conn, platform.id, now).await? {
        // Fetched or tried a moment ago (here or on another instance).
        return stored.ok_or_else(|| {
            Error::BadGateway(format!(
                "the platform's key set at {} could not be read a moment ago; \
                 it is tried again at most every {} s",
                platform.jwks_url,
                MIN_REFETCH_US / 1_000_000
            ))
        });
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

/// Records a fetch attempt at `now` unless one was made within the limit; true when
/// this caller may fetch. One conditional UPDATE, so concurrent launches (on any
/// instance) let exactly one through.
async fn claim_attempt(conn: &impl ConnectionTrait, id: i64, now: i64) -> Result<bool, Error> {
    let mut sql = Sql::new("UPDATE lti_platforms SET ");
    sql.bind("jwks_attempted_us = ?", now)
        .bind(" WHERE id = ?", id)
        .bind(
            " AND (jwks_attempted_us IS NULL OR jwks_attempted_us <= ?)",
            now - MIN_REFETCH_US,
        );
    Ok(conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?
        .rows_affected()
        == 1)
}

async fn fetch(http: &Outbound, url: &str) -> Result<JwkSet, Error> {
    let unreadable = |why: OutboundError| {
        Error::BadGateway(format!(
            "the platform's key set at {url} could not be read: {why}"
        ))
    };
    let answer = http
        .get(url, None, MAX_JWKS_BYTES)
        .await
        .map_err(unreadable)?;
    let json = answer.success_json().map_err(unreadable)?;
    serde_json::from_value(json)
        .map_err(|_| Error::BadGateway(format!("the platform's key set at {url} is not a JWK set")))
}
