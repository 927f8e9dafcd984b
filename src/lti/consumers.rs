//! LTI 1.1 consumers: a key and a shared secret per LMS. OAuth 1.0a signs with the
//! secret itself, so it cannot be hashed: it is stored sealed (AES-256-GCM, the consumer
//! key as associated data) with the secrets key, which is not in the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem_openapi::Object;
use sea_orm::ConnectionTrait;

use crate::auth::secret::random_bytes;
use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;

/// A consumer as listed (never its secret).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Consumer {
    pub consumer_key: String,
    pub name: String,
    /// The LMS origin allowed to frame the modules, when one was given.
    pub origin: Option<String>,
}

/// A new consumer: the secret is shown once.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct NewConsumer {
    pub consumer_key: String,
    pub secret: String,
    pub name: String,
    /// Where the LMS sends launches.
    pub launch_url: String,
    /// The LMS origin now allowed to frame the modules (`frame-ancestors`), when one was
    /// given.
    pub origin: Option<String>,
}

/// The rule an LMS origin must follow, for error messages.
pub const ORIGIN_RULE: &str = "must be an http(s) origin: scheme, host and optional port, such as https://lms.example.com, with no path, query or user";

/// An LMS origin as `frame-ancestors` takes it (`https://lms.example.com:8443`), or the
/// rule it breaks ([`ORIGIN_RULE`]); callers name the field (`origin`, `--origin`).
pub fn parse_origin(value: &str) -> Result<String, &'static str> {
    let url = url::Url::parse(value.trim()).map_err(|_| ORIGIN_RULE)?;
    let bare = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !bare {
        return Err(ORIGIN_RULE);
    }
    Ok(url.origin().ascii_serialization())
}

pub async fn create(
    db: &Db,
    name: &str,
    origin: Option<&str>,
    public_url: &str,
) -> Result<NewConsumer, Error> {
    create_on(db, db.writer(), name, origin, public_url).await
}

/// `create`, written on `conn`: the caller's transaction, so a console change commits
/// with its audit entry. `db` gives the secrets key.
pub async fn create_on(
    db: &Db,
    conn: &impl ConnectionTrait,
    name: &str,
    origin: Option<&str>,
    public_url: &str,
) -> Result<NewConsumer, Error> {
    if name.trim().is_empty() {
        return Err(Error::BadRequest("name must not be empty".into()));
    }
    let origin = origin
        .map(parse_origin)
        .transpose()
        .map_err(|rule| Error::BadRequest(format!("origin {rule}")))?;
    let key = format!("bb11_{}", hex::encode(random_bytes::<10>()));
    let secret = URL_SAFE_NO_PAD.encode(random_bytes::<24>());
    let sealed = db
        .secrets()?
        .seal(secret.as_bytes(), &key)
        .map_err(Error::Internal)?;
    let mut sql = Sql::new(
        "INSERT INTO lti_consumers (consumer_key, name, secret, origin, created_us) VALUES (",
    );
    sql.bind("?", key.clone())
        .bind(", ?", name.trim().to_owned())
        .bind(", ?", sealed)
        .bind(", ?", origin.clone())
        .bind(", ?)", jiff::Timestamp::now().as_microsecond());
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(NewConsumer {
        consumer_key: key,
        secret,
        name: name.trim().to_owned(),
        launch_url: format!("{public_url}/lti/11/launch"),
        origin,
    })
}

/// The consumer's secret, opened with the secrets key.
pub async fn secret_of(db: &Db, key: &str) -> Result<Option<String>, Error> {
    let conn = db.writer();
    let mut sql = Sql::new("SELECT secret FROM lti_consumers");
    sql.bind(" WHERE consumer_key = ?", key.to_owned());
    let Some(row) = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
    else {
        return Ok(None);
    };
    let stored: String = row.try_get("", "secret")?;
    // Checked at start (`crypto::seal_stored`): only a row changed since fails here.
    let secret = db
        .secrets()?
        .open_text(&stored, key)
        .map_err(|e| Error::Internal(format!("the stored secret of consumer {key}: {e}")))?;
    Ok(Some(secret))
}

pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Consumer>, Error> {
    let sql = Sql::new("SELECT consumer_key, name, origin FROM lti_consumers ORDER BY created_us");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Consumer {
                consumer_key: r.try_get("", "consumer_key")?,
                name: r.try_get("", "name")?,
                origin: r.try_get("", "origin")?,
            })
        })
        .collect()
}

/// The consumers' LMS origins, for the `frame-ancestors` policy.
pub async fn origins(conn: &impl ConnectionTrait) -> Result<Vec<String>, Error> {
    let sql = Sql::new("SELECT origin FROM lti_consumers WHERE origin IS NOT NULL");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "origin").ok())
        .collect())
}

pub async fn remove(conn: &impl ConnectionTrait, key: &str) -> Result<bool, Error> {
    let mut sql = Sql::new("DELETE FROM lti_consumers");
    sql.bind(" WHERE consumer_key = ?", key.to_owned());
    Ok(conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?
        .rows_affected()
        == 1)
}

/// Records a nonce for `scope`; false when it was seen before (a replay).
pub async fn first_use(
    conn: &impl ConnectionTrait,
    scope: &str,
    nonce: &str,
    expires_us: i64,
) -> Result<bool, Error> {
    let now = jiff::Timestamp::now().as_microsecond();
    // Expired nonces can no longer be replayed (their timestamps fail the window), so
    // they are dropped as we go.
    let mut sql = Sql::new("DELETE FROM lti_nonces");
    sql.bind(" WHERE scope = ?", scope.to_owned())
        .bind(" AND expires_us < ?", now);
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut sql = Sql::new("INSERT INTO lti_nonces (scope, nonce, expires_us) VALUES (");
    sql.bind("?", scope.to_owned())
        .bind(", ?", nonce.to_owned())
        .bind(", ?) ON CONFLICT DO NOTHING", expires_us);
    Ok(conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?
        .rows_affected()
        == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_scheme_host_and_port_only() {
        assert_eq!(
            parse_origin("https://lms.example.com"),
            Ok("https://lms.example.com".into())
        );
        assert_eq!(
            parse_origin("https://LMS.example.com:8443/"),
            Ok("https://lms.example.com:8443".into())
        );
        for bad in [
            "lms.example.com",
            "ftp://lms.example.com",
            "https://lms.example.com/moodle",
            "https://lms.example.com?x=1",
            "https://user@lms.example.com",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(parse_origin(bad), Err(ORIGIN_RULE), "{bad}");
        }
    }
}
