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
use entities::lti_platform;

/// Tokens are dropped this long before the platform says they expire.
const MARGIN: Duration = Duration::from_secs(60);
const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(10);

/// (platform id, sorted scopes) → (token, good until).
type TokenCache = HashMap<(i64, String), (String, Instant)>;

#[derive(Clone, Default)]
pub struct ServiceTokens {
    cache: Arc<Mutex<TokenCache>>,
}

impl ServiceTokens {
    /// A bearer token for `scopes` at `platform`, from the cache or the token URL.
    pub async fn get(
        &self,
        db: &Db,
        http: &reqwest::Client,
        platform: &lti_platform::Model,
        scopes: &[&str],
    ) -> Result<String, Error> {
        let mut sorted: Vec<&str> = scopes.to_vec();
        sorted.sort_unstable();
        let key = (platform.id, sorted.join(" "));
        if let Ok(cache) = self.cache.lock()
            && let Some((token, until)) = cache.get(&key)
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = request(db, http, platform, &key.1).await?;
        let until = Instant::now() + lifetime.saturating_sub(MARGIN);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, (token.clone(), until));
        }
        Ok(token)
    }
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
    keys::sign(db.writer(), &claims).await
}

async fn request(
    db: &Db,
    http: &reqwest::Client,
    platform: &lti_platform::Model,
    scope: &str,
) -> Result<(String, Duration), Error> {
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
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
            ("client_assertion", assertion(db, platform).await?),
            ("scope", scope.to_owned()),
        ];
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &form {
            body.append_pair(name, value);
        }
        let sent = http
            .post(&platform.token_url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.finish())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                last = err.to_string();
                continue;
            }
        };
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_server_error() {
            last = format!("HTTP {status}");
            continue;
        }
        if !status.is_success() {
            // 4xx: our request is wrong (registration, key); retrying will not help.
            return Err(Error::BadGateway(format!(
                "the platform's token URL refused the request: HTTP {status} {}",
                body.get("error")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            )));
        }
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::BadGateway("the token answer has no access_token".into()))?;
        let lifetime = body
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(3600);
        return Ok((token.to_owned(), Duration::from_secs(lifetime)));
    }
    Err(Error::BadGateway(format!(
        "the platform's token URL {} failed {ATTEMPTS} times: {last}",
        platform.token_url
    )))
}
