//! The VC-JWT proof format of OB 3.0 (final, §8.2 "JSON Web Token Proof Format"): the
//! payload is the credential itself plus `iss`, `jti`, `nbf`, `sub` (and `exp` when it
//! has `validUntil`); the header holds only `alg` (ES256), `kid` (a URL that
//! dereferences to the public JWK) and `typ: "JWT"` ("Additional JOSE Headers are NOT
//! allowed"), which is why the JWS is put together here rather than by a JWT library.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::keys::Es256Signer;
use crate::error::Error;

/// The compact JWS of `credential` (without its `proof`), signed by `key`, whose public
/// JWK is at `kid_url`.
/// <https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof>
pub fn sign(credential: &Value, key: &Es256Signer, kid_url: &str) -> Result<String, Error> {
    let header = json!({"alg": "ES256", "kid": kid_url, "typ": "JWT"});
    let payload = Value::Object(claims(credential)?);
    let input = format!("{}.{}", encode(&header)?, encode(&payload)?);
    let signature = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// The credential with the registered claims the spec requires, taken from its fields.
fn claims(credential: &Value) -> Result<Map<String, Value>, Error> {
    let mut payload = credential
        .as_object()
        .cloned()
        .ok_or_else(|| invalid("the credential", "must be a JSON object"))?;
    payload.remove("proof");
    // `issuer` is a URI or a Profile object with an `id`.
    let issuer = match &credential["issuer"] {
        Value::String(id) => Some(id.clone()),
        profile => profile["id"].as_str().map(str::to_owned),
    };
    let text = |field: &str, value: &Value| {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| invalid(field, "is required (a URI string)"))
    };
    let iss = issuer.ok_or_else(|| invalid("issuer.id", "is required for the iss claim"))?;
    payload.insert("iss".into(), json!(iss));
    payload.insert("jti".into(), json!(text("id", &credential["id"])?));
    let sub = text(
        "credentialSubject.id",
        &credential["credentialSubject"]["id"],
    )?;
    payload.insert("sub".into(), json!(sub));
    let nbf = numeric_date("validFrom", &credential["validFrom"])?
        .ok_or_else(|| invalid("validFrom", "is required for the nbf claim"))?;
    payload.insert("nbf".into(), json!(nbf));
    match numeric_date("validUntil", &credential["validUntil"])? {
        Some(exp) => payload.insert("exp".into(), json!(exp)),
        None => payload.remove("exp"),
    };
    Ok(payload)
}

/// A DateTimeZ as a NumericDate (whole seconds, so `nbf`/`exp` equal the dates exactly).
fn numeric_date(field: &str, value: &Value) -> Result<Option<i64>, Error> {
    let Some(text) = value.as_str() else {
        return match value {
            Value::Null => Ok(None),
            _ => Err(invalid(field, "must be a date-time string")),
        };
    };
    let at: jiff::Timestamp = text.parse().map_err(|e| {
        invalid(
            field,
            &format!("must be an RFC 3339 date-time with offset ({e})"),
        )
    })?;
    if at.subsec_nanosecond() != 0 {
        return Err(invalid(
            field,
            "must be whole seconds (its JWT claim must equal it)",
        ));
    }
    Ok(Some(at.as_second()))
}

fn encode(value: &Value) -> Result<String, Error> {
    serde_json::to_vec(value)
        .map(|bytes| URL_SAFE_NO_PAD.encode(bytes))
        .map_err(|e| Error::Internal(format!("JWT part not serialisable: {e}")))
}

fn invalid(field: &str, rule: &str) -> Error {
    Error::BadRequest(format!("VC-JWT: {field} {rule}"))
}

/// The payload of a compact JWS, signature NOT checked (tests, the verification page).
pub fn payload_unverified(jwt: &str) -> Result<Value, Error> {
    let mut parts = jwt.trim().split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "the JWT",
            "must be three base64url parts joined by dots",
        ));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| invalid("the JWT payload", "is not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(Value::Object(map)),
        _ => Err(invalid("the JWT payload", "is not a JSON object")),
    }
}

#[cfg(test)]
mod tests;
