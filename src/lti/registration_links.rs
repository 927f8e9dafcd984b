//! Registration links: Dynamic Registration starts only from a URL an administrator
//! made (`blackbelt lti registration-link` or `POST /api/lti/registration-links`),
//! pasted into the LMS as the tool's registration URL; the LMS adds its
//! `openid_configuration` and `registration_token`. A link works once and expires.
//! Without a usable link nothing is fetched, so `/lti/register` is no open fetcher.
//!
//! The link carries `<key>.<secret>`; the secret is stored only as HMAC-SHA256 with a
//! per-link salt and compared in constant time (as credential secrets are).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem_openapi::Object;
use sea_orm::ConnectionTrait;

use super::failure::Failure;
use crate::auth::secret::{self, random_bytes};
use crate::error::Error;
use crate::sql::Sql;

/// How long a link works when no validity is given.
pub const DEFAULT_VALID_DAYS: u32 = 7;
/// The longest validity a link may have.
pub const MAX_VALID_DAYS: u32 = 90;
const DAY_US: i64 = 86_400_000_000;

/// A request for a new registration link.
#[derive(Debug, Clone, Default, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewRegistrationLink {
    /// A note for people, e.g. "Moodle (production)".
    #[oai(validator(max_length = 200))]
    pub label: Option<String>,
    /// Days the link works (1 to 90; 7 when absent).
    #[oai(validator(minimum(value = "1"), maximum(value = "90")))]
    pub valid_days: Option<u32>,
}

/// A new registration link: paste `url` into the LMS. Shown only once.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct RegistrationLink {
    /// The link's public id (the part before the dot in `url`'s `link` parameter).
    pub key: String,
    /// The tool registration URL to give the LMS; it holds the secret.
    pub url: String,
    /// The link's note.
    pub label: String,
    /// When the link stops working (RFC 3339).
    pub expires_at: String,
}

/// Makes a link valid for `valid_days` days from now.
pub async fn create(
    conn: &impl ConnectionTrait,
    public_url: &str,
    request: &NewRegistrationLink,
) -> Result<RegistrationLink, Error> {
    let days = request.valid_days.unwrap_or(DEFAULT_VALID_DAYS);
    if !(1..=MAX_VALID_DAYS).contains(&days) {
        return Err(Error::BadRequest(format!(
            "validDays must be between 1 and {MAX_VALID_DAYS}, got {days}"
        )));
    }
    let label = request
        .label
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let key = hex::encode(random_bytes::<9>());
    let secret = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let salt = hex::encode(random_bytes::<16>());
    let now = jiff::Timestamp::now().as_microsecond();
    let expires_us = now + i64::from(days) * DAY_US;
    let mut sql = Sql::new(
        "INSERT INTO lti_registration_links (key, salt, secret_hash, label, created_us, expires_us) VALUES (",
    );
    sql.bind("?", key.clone())
        .bind(", ?", salt.clone())
        .bind(", ?", secret::hash(&salt, &secret))
        .bind(", ?", label.clone())
        .bind(", ?", now)
        .bind(", ?)", expires_us);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    let expires_at = jiff::Timestamp::from_microsecond(expires_us)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let mut url = url::Url::parse(&format!("{public_url}/lti/register"))
        .map_err(|e| Error::Internal(format!("public_url does not make a URL: {e}")))?;
    url.query_pairs_mut()
        .append_pair("link", &format!("{key}.{secret}"));
    Ok(RegistrationLink {
        key,
        url: url.to_string(),
        label,
        expires_at,
    })
}

/// The key of the link `token` names, if it is genuine, unused and unexpired.
pub async fn usable(
    conn: &impl ConnectionTrait,
    token: Option<&str>,
    now_us: i64,
) -> Result<String, Failure> {
    let token = token.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
        Failure::new(
            403,
            "registration_link_required",
            "Dynamic Registration starts from a registration link made by a Black Belt \
             administrator (`blackbelt lti registration-link`), and this request has none. \
             Ask the administrator for a link and give it to the LMS as the tool's registration URL.",
        )
    })?;
    let invalid = || {
        Failure::new(
            403,
            "registration_link_invalid",
            "this registration link is not valid; ask a Black Belt administrator for a new one",
        )
    };
    let (key, presented) = token.split_once('.').ok_or_else(invalid)?;
    let mut sql =
        Sql::new("SELECT salt, secret_hash, expires_us, used_us FROM lti_registration_links");
    sql.bind(" WHERE key = ?", key.to_owned());
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
        .ok_or_else(invalid)?;
    let salt: String = row.try_get("", "salt")?;
    let hash: String = row.try_get("", "secret_hash")?;
    if !secret::verify(&salt, &hash, presented) {
        return Err(invalid());
    }
    if row.try_get::<Option<i64>>("", "used_us")?.is_some() {
        return Err(Failure::new(
            403,
            "registration_link_used",
            "this registration link was already used to register a platform; a link works \
             once, so ask a Black Belt administrator for a new one",
        ));
    }
    if row.try_get::<i64>("", "expires_us")? <= now_us {
        return Err(Failure::new(
            403,
            "registration_link_expired",
            "this registration link has expired; ask a Black Belt administrator for a new one",
        ));
    }
    Ok(key.to_owned())
}

/// Marks the link used by `platform_id`; false when it was used (or expired) since it
/// was checked, so two registrations racing on one link cannot both succeed.
pub async fn consume(
    conn: &impl ConnectionTrait,
    key: &str,
    platform_id: i64,
    now_us: i64,
) -> Result<bool, Error> {
    let mut sql = Sql::new("UPDATE lti_registration_links SET ");
    sql.bind("used_us = ?", now_us)
        .bind(", platform_id = ?", platform_id)
        .bind(" WHERE key = ?", key.to_owned())
        .push(" AND used_us IS NULL")
        .bind(" AND expires_us > ?", now_us);
    Ok(conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?
        .rows_affected()
        == 1)
}
