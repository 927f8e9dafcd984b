//! OIDC third-party-initiated login (LTI Security Framework §5.1.1): the platform asks
//! us to start; we answer with a redirect to its registered authorization URL only,
//! carrying a fresh single-use `state` and `nonce` kept server-side (no cookie: LMSs
//! launch in iframes, where third-party cookies are gone).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::ConnectionTrait;

use super::failure::Failure;
use super::platforms;
use crate::auth::secret::random_bytes;
use crate::error::Error;
use crate::packages::digest::sha256_hex;
use crate::sql::Sql;

/// How long a login may take to come back as a launch.
const STATE_TTL_US: i64 = 10 * 60 * 1_000_000;

/// The login request's parameters (query string or form).
#[derive(Debug, Default, Clone, poem_openapi::Object, serde::Deserialize)]
pub struct LoginParams {
    pub iss: Option<String>,
    pub login_hint: Option<String>,
    pub target_link_uri: Option<String>,
    pub lti_message_hint: Option<String>,
    pub client_id: Option<String>,
    pub lti_deployment_id: Option<String>,
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, Failure> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Failure::new(
                400,
                "missing_parameter",
                format!("the login request has no `{name}`"),
            )
        })
}

/// The URL to redirect the browser to.
pub async fn start(
    conn: &impl ConnectionTrait,
    public_url: &str,
    params: &LoginParams,
) -> Result<String, Failure> {
    let issuer = required(&params.iss, "iss")?;
    let login_hint = required(&params.login_hint, "login_hint")?;
    let target = required(&params.target_link_uri, "target_link_uri")?;
    if !same_origin(target, public_url) {
        return Err(Failure::new(
            400,
            "foreign_target",
            format!("target_link_uri {target:?} is not on this tool ({public_url})"),
        ));
    }
    let platform = platforms::for_issuer(conn, issuer, params.client_id.as_deref())
        .await
        .map_err(|e| match e {
            // Registered, not yet approved: 403 with the approve command, not "register it".
            Error::ForbiddenBecause(m) => Failure::new(403, "pending_approval", m),
            other => Failure::from(other),
        })?;
    if let Some(deployment) = params.lti_deployment_id.as_deref()
        && !platforms::deployment_ids(&platform.deployment_ids)
            .iter()
            .any(|d| d == deployment)
    {
        return Err(Failure::new(
            400,
            "unknown_deployment",
            format!("deployment {deployment:?} is not registered for this platform"),
        ));
    }
    let state = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let nonce = URL_SAFE_NO_PAD.encode(random_bytes::<24>());
    let now = jiff::Timestamp::now().as_microsecond();
    let mut sql = Sql::new(
        "INSERT INTO lti_states (state_hash, platform_id, nonce, target_link_uri, expires_us, used) VALUES (",
    );
    sql.bind("?", sha256_hex(state.as_bytes()))
        .bind(", ?", platform.id)
        .bind(", ?", nonce.clone())
        .bind(", ?", target.to_owned())
        .bind(", ?", now + STATE_TTL_US)
        .bind(", ?)", false);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut url = url::Url::parse(&platform.auth_login_url).map_err(|e| {
        Failure::new(
            500,
            "bad_registration",
            format!("the platform's auth login URL is invalid: {e}"),
        )
    })?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("scope", "openid")
            .append_pair("response_type", "id_token")
            .append_pair("response_mode", "form_post")
            .append_pair("prompt", "none")
            .append_pair("client_id", &platform.client_id)
            .append_pair("redirect_uri", &format!("{public_url}/lti/launch"))
            .append_pair("login_hint", login_hint)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce);
        if let Some(hint) = params.lti_message_hint.as_deref() {
            query.append_pair("lti_message_hint", hint);
        }
    }
    Ok(url.to_string())
}

fn same_origin(url: &str, base: &str) -> bool {
    match (url::Url::parse(url), url::Url::parse(base)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// Takes a state for good: its platform, nonce and target. `None` when unknown,
/// expired or already used.
pub async fn consume_state(
    conn: &impl ConnectionTrait,
    state: &str,
) -> Result<Option<(i64, String, String)>, Failure> {
    let now = jiff::Timestamp::now().as_microsecond();
    let mut sql = Sql::new("UPDATE lti_states SET ");
    sql.bind("used = ?", true)
        .bind(" WHERE state_hash = ?", sha256_hex(state.as_bytes()))
        .bind(" AND used = ?", false)
        .bind(" AND expires_us > ?", now)
        .push(" RETURNING platform_id, nonce, target_link_uri");
    let Some(row) = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((
        row.try_get("", "platform_id")?,
        row.try_get("", "nonce")?,
        row.try_get("", "target_link_uri")?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_must_be_on_this_tool() {
        assert!(same_origin(
            "https://bb.example/lti/launch?x=1",
            "https://bb.example"
        ));
        assert!(!same_origin(
            "https://evil.example/lti/launch",
            "https://bb.example"
        ));
        assert!(!same_origin(
            "https://bb.example:8443/x",
            "https://bb.example"
        ));
    }
}
