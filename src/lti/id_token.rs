//! Verifying an LTI 1.3 id_token: Security Framework 1.0 §5.1.3 (authentication
//! response validation) and LTI Core 1.3 §5.1.2.
//!
//! Two steps, because the key is not known until the header is read: [`peek_kid`]
//! names the platform key, the caller finds (or refetches) the platform's key set,
//! then [`verify`] checks the RS256 signature, iss, aud/azp, exp and iat against the
//! registration and the caller's clock, and reads the LTI claims. Time is the
//! caller's `now_s`, not the system clock, so the rules are testable to the second.
//! Nonce single use needs the database and stays with the caller.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::claims::{LaunchClaims, read_claims};

/// How old an `iat` may be (beyond the leeway). A platform signs the id_token just
/// before auto-posting it, so an hour-old one is a replay or a badly wrong clock,
/// whatever its `exp` says.
pub const MAX_TOKEN_AGE_S: i64 = 3600;

/// Why a launch was refused. `code()` is stable (logs, error bodies); the message is
/// written for the LMS administrator who has to fix the platform side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LtiError {
    #[error("the id_token is not a signed JWT: {0}")]
    NotAJwt(String),
    #[error("the id_token is signed with {0}; LTI 1.3 requires RS256")]
    WrongAlgorithm(String),
    #[error("the id_token header has no kid, so the platform key that signed it cannot be chosen")]
    NoKid,
    #[error(
        "the platform's key set has no key with kid {0:?}; check the key set URL registered for this platform"
    )]
    UnknownKid(String),
    #[error("the platform key {kid:?} cannot check an RS256 signature: {reason}")]
    UnusableKey { kid: String, reason: String },
    #[error(
        "the id_token signature does not match the platform key it names: it was altered or signed with another key"
    )]
    BadSignature,
    #[error("the id_token lacks the required claim {0}")]
    MissingClaim(&'static str),
    #[error("the id_token claim {claim} {reason}")]
    InvalidClaim {
        claim: &'static str,
        reason: &'static str,
    },
    #[error(
        "the id_token was issued by {found:?}, but this platform is registered with issuer {expected:?}"
    )]
    WrongIssuer { expected: String, found: String },
    #[error("the id_token is meant for {found}, not for this tool's client id {client_id:?}")]
    WrongAudience { client_id: String, found: String },
    #[error("the id_token names several audiences, so it must name this tool's client id in azp")]
    AzpRequired,
    #[error("the id_token's azp is {found:?}, not this tool's client id {client_id:?}")]
    WrongAzp { client_id: String, found: String },
    #[error("the id_token expired at {exp} (now {now}); check the platform's clock")]
    Expired { exp: i64, now: i64 },
    #[error(
        "the id_token was issued at {iat}, in the future (now {now}); check the platform's clock"
    )]
    IssuedInFuture { iat: i64, now: i64 },
    #[error(
        "the id_token was issued at {iat}, more than an hour ago (now {now}); check the platform's clock"
    )]
    IssuedTooLongAgo { iat: i64, now: i64 },
    #[error("the launch is LTI version {0:?}; this tool speaks LTI 1.3.0")]
    WrongVersion(String),
    #[error(
        "the message type {0:?} is not supported; this tool accepts LtiResourceLinkRequest and LtiDeepLinkingRequest"
    )]
    WrongMessageType(String),
    #[error(
        "the deployment id {0:?} is not registered for this platform; add it to the registration"
    )]
    UnknownDeployment(String),
    /// Raised by the caller, which checks single use against the database.
    #[error("the id_token's nonce was already used or was never issued by this tool")]
    ReplayedNonce,
}

impl LtiError {
    pub fn code(&self) -> &'static str {
        match self {
            LtiError::NotAJwt(_) => "not_a_jwt",
            LtiError::WrongAlgorithm(_) => "wrong_algorithm",
            LtiError::NoKid => "no_kid",
            LtiError::UnknownKid(_) => "unknown_kid",
            LtiError::UnusableKey { .. } => "unusable_key",
            LtiError::BadSignature => "bad_signature",
            LtiError::MissingClaim(_) => "missing_claim",
            LtiError::InvalidClaim { .. } => "invalid_claim",
            LtiError::WrongIssuer { .. } => "wrong_issuer",
            LtiError::WrongAudience { .. } => "wrong_audience",
            LtiError::AzpRequired => "azp_required",
            LtiError::WrongAzp { .. } => "wrong_azp",
            LtiError::Expired { .. } => "expired",
            LtiError::IssuedInFuture { .. } => "issued_in_future",
            LtiError::IssuedTooLongAgo { .. } => "issued_too_long_ago",
            LtiError::WrongVersion(_) => "wrong_version",
            LtiError::WrongMessageType(_) => "wrong_message_type",
            LtiError::UnknownDeployment(_) => "unknown_deployment",
            LtiError::ReplayedNonce => "replayed_nonce",
        }
    }
}

/// Step 1, before any key is known: reads the header without verifying anything and
/// returns the `kid`. Refusing other algorithms here keeps `none` and HS256 (signed
/// with the public key as a secret) from ever reaching a verifier.
pub fn peek_kid(token: &str) -> Result<String, LtiError> {
    let header = header(token)?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => {}
        Some(Value::String(alg)) => return Err(LtiError::WrongAlgorithm(alg.clone())),
        _ => return Err(LtiError::NotAJwt("its header has no alg".into())),
    }
    match header.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => Ok(kid.clone()),
        _ => Err(LtiError::NoKid),
    }
}

/// The message type the token *claims*, read without verifying anything: only to say
/// which flow an error page belongs to (a launch or a Deep Linking request), never to
/// decide anything. `None` when the token is unreadable or names no message type.
pub fn peek_message_type(token: &str) -> Option<String> {
    let payload = part(token, 1, "payload").ok()?;
    payload
        .get(super::claims::MESSAGE_TYPE)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn header(token: &str) -> Result<Map<String, Value>, LtiError> {
    part(token, 0, "header")
}

/// The JSON object in the `index`th dot-separated part of a compact JWT.
fn part(token: &str, index: usize, name: &str) -> Result<Map<String, Value>, LtiError> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(LtiError::NotAJwt(format!(
            "it has {} dot-separated parts instead of 3",
            parts.len()
        )));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[index].trim_end_matches('='))
        .map_err(|_| LtiError::NotAJwt(format!("its {name} is not base64url")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(LtiError::NotAJwt(format!(
            "its {name} is not a JSON object"
        ))),
    }
}

/// What the registration and the clock say a token must match.
#[derive(Debug, Clone, Copy)]
pub struct Expectation<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub deployment_ids: &'a [String],
    pub now_s: i64,
    /// Allowed clock difference with the platform, in seconds.
    pub leeway_s: i64,
}

/// Step 2: verifies `token` with the platform's key set and reads its claims.
/// `UnknownKid` means the caller should refetch the key set once and retry: that is
/// how platforms rotate keys.
pub fn verify(token: &str, jwks: &JwkSet, expect: &Expectation) -> Result<LaunchClaims, LtiError> {
    let kid = peek_kid(token)?;
    let jwk = jwks
        .find(&kid)
        .ok_or_else(|| LtiError::UnknownKid(kid.clone()))?;
    let key = rsa_key(jwk, &kid)?;
    // Signature and algorithm only: iss, aud and times are checked below, by the
    // LTI rules and the caller's clock.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    let payload = jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => LtiError::BadSignature,
            ErrorKind::InvalidAlgorithm
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat
            | ErrorKind::UnsupportedAlgorithm => LtiError::UnusableKey {
                kid: kid.clone(),
                reason: e.to_string(),
            },
            _ => LtiError::NotAJwt(e.to_string()),
        })?
        .claims;
    let c = payload
        .as_object()
        .ok_or_else(|| LtiError::NotAJwt("its payload is not a JSON object".into()))?;
    check_issuer(c, expect)?;
    check_audience(c, expect)?;
    check_times(c, expect)?;
    let claims = read_claims(&payload)?;
    if !expect.deployment_ids.contains(&claims.deployment_id) {
        return Err(LtiError::UnknownDeployment(claims.deployment_id));
    }
    Ok(claims)
}

/// A key published for encryption, or for another algorithm, is refused even if the
/// numbers would verify: the platform did not mean it for this.
fn rsa_key(jwk: &Jwk, kid: &str) -> Result<DecodingKey, LtiError> {
    let unusable = |reason: String| LtiError::UnusableKey {
        kid: kid.to_owned(),
        reason,
    };
    if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) {
        return Err(unusable("it is published for encryption (use: enc)".into()));
    }
    if let Some(alg) = jwk.common.key_algorithm
        && alg != KeyAlgorithm::RS256
    {
        return Err(unusable(format!("it is published for {alg}")));
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => {
            DecodingKey::from_rsa_components(&rsa.n, &rsa.e).map_err(|e| unusable(e.to_string()))
        }
        _ => Err(unusable("it is not an RSA key".into())),
    }
}

fn check_issuer(c: &Map<String, Value>, expect: &Expectation) -> Result<(), LtiError> {
    match c.get("iss") {
        Some(Value::String(iss)) if iss == expect.issuer => Ok(()),
        Some(Value::String(iss)) => Err(LtiError::WrongIssuer {
            expected: expect.issuer.to_owned(),
            found: iss.clone(),
        }),
        None | Some(Value::Null) => Err(LtiError::MissingClaim("iss")),
        Some(_) => Err(LtiError::InvalidClaim {
            claim: "iss",
            reason: "must be a string",
        }),
    }
}

/// OIDC Core §3.1.3.7 via Security Framework §5.1.3: `aud` is a string or an array;
/// with several audiences `azp` must be present, and whenever present it must be us.
fn check_audience(c: &Map<String, Value>, expect: &Expectation) -> Result<(), LtiError> {
    let invalid = LtiError::InvalidClaim {
        claim: "aud",
        reason: "must be a string or an array of strings",
    };
    let aud: Vec<&str> = match c.get("aud") {
        None | Some(Value::Null) => return Err(LtiError::MissingClaim("aud")),
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many
            .iter()
            .map(Value::as_str)
            .collect::<Option<_>>()
            .ok_or(invalid)?,
        Some(_) => return Err(invalid),
    };
    if !aud.contains(&expect.client_id) {
        return Err(LtiError::WrongAudience {
            client_id: expect.client_id.to_owned(),
            found: format!("{aud:?}"),
        });
    }
    match c.get("azp") {
        None | Some(Value::Null) if aud.len() > 1 => Err(LtiError::AzpRequired),
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(azp)) if azp == expect.client_id => Ok(()),
        Some(Value::String(azp)) => Err(LtiError::WrongAzp {
            client_id: expect.client_id.to_owned(),
            found: azp.clone(),
        }),
        Some(_) => Err(LtiError::InvalidClaim {
            claim: "azp",
            reason: "must be a string",
        }),
    }
}

fn check_times(c: &Map<String, Value>, expect: &Expectation) -> Result<(), LtiError> {
    let (now, leeway) = (expect.now_s, expect.leeway_s);
    let exp = numeric_date(c, "exp")?;
    let iat = numeric_date(c, "iat")?;
    if exp <= now.saturating_sub(leeway) {
        return Err(LtiError::Expired { exp, now });
    }
    if iat > now.saturating_add(leeway) {
        return Err(LtiError::IssuedInFuture { iat, now });
    }
    if iat < now.saturating_sub(leeway).saturating_sub(MAX_TOKEN_AGE_S) {
        return Err(LtiError::IssuedTooLongAgo { iat, now });
    }
    Ok(())
}

/// RFC 7519 NumericDate: seconds, possibly fractional.
fn numeric_date(c: &Map<String, Value>, claim: &'static str) -> Result<i64, LtiError> {
    match c.get(claim) {
        None | Some(Value::Null) => Err(LtiError::MissingClaim(claim)),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f.floor() as i64))
            .ok_or(LtiError::InvalidClaim {
                claim,
                reason: "must be a number of seconds",
            }),
        Some(_) => Err(LtiError::InvalidClaim {
            claim,
            reason: "must be a number of seconds",
        }),
    }
}

#[cfg(test)]
mod tests;
