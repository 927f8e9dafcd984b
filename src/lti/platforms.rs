//! LTI 1.3 platform registrations: what an administrator (or Dynamic Registration)
//! records about an LMS.

use poem_openapi::Object;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::error::Error;
use crate::sql::Sql;
use entities::lti_platform;

/// A platform as the admin API and CLI take it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewPlatform {
    /// A name for people, e.g. "Moodle (production)".
    pub name: String,
    /// The platform's issuer (`iss` of its id_tokens), e.g. https://moodle.example.com.
    pub issuer: String,
    /// The client id the platform gave this tool.
    pub client_id: String,
    /// Deployment ids to accept (at least one).
    pub deployment_ids: Vec<String>,
    /// OIDC authentication request URL of the platform.
    pub auth_login_url: String,
    /// OAuth 2 token URL (for AGS and NRPS service tokens).
    pub token_url: String,
    /// The platform's public key set URL.
    pub jwks_url: String,
}

/// A registered platform.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct Platform {
    pub id: i64,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub deployment_ids: Vec<String>,
    pub auth_login_url: String,
    pub token_url: String,
    pub jwks_url: String,
    /// `active`, or `pending` until approved.
    pub status: String,
}

impl From<lti_platform::Model> for Platform {
    fn from(m: lti_platform::Model) -> Self {
        Platform {
            id: m.id,
            name: m.name,
            issuer: m.issuer,
            client_id: m.client_id,
            deployment_ids: deployment_ids(&m.deployment_ids),
            auth_login_url: m.auth_login_url,
            token_url: m.token_url,
            jwks_url: m.jwks_url,
            status: m.status,
        }
    }
}

pub fn deployment_ids(json: &serde_json::Value) -> Vec<String> {
    json.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn check_url(field: &str, value: &str) -> Result<(), Error> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => Ok(()),
        _ => Err(Error::BadRequest(format!(
            "{field} must be an absolute http(s) URL, got {value:?}"
        ))),
    }
}

impl NewPlatform {
    pub fn check(&self) -> Result<(), Error> {
        if self.name.trim().is_empty() {
            return Err(Error::BadRequest("name must not be empty".into()));
        }
        check_url("issuer", &self.issuer)?;
        if self.client_id.trim().is_empty() {
            return Err(Error::BadRequest("clientId must not be empty".into()));
        }
        if self.deployment_ids.is_empty() || self.deployment_ids.iter().any(|d| d.trim().is_empty())
        {
            return Err(Error::BadRequest(
                "deploymentIds must list at least one non-empty id".into(),
            ));
        }
        check_url("authLoginUrl", &self.auth_login_url)?;
        check_url("tokenUrl", &self.token_url)?;
        check_url("jwksUrl", &self.jwks_url)
    }
}

pub async fn add(
    conn: &impl ConnectionTrait,
    new: &NewPlatform,
    status: &str,
) -> Result<Platform, Error> {
    new.check()?;
    let mut sql = Sql::new(
        "INSERT INTO lti_platforms (name, issuer, client_id, auth_login_url, token_url, jwks_url, \
         deployment_ids, status, jwks, jwks_fetched_us, created_us) VALUES (",
    );
    sql.bind("?", new.name.trim().to_owned())
        .bind(", ?", new.issuer.trim().to_owned())
        .bind(", ?", new.client_id.trim().to_owned())
        .bind(", ?", new.auth_login_url.clone())
        .bind(", ?", new.token_url.clone())
        .bind(", ?", new.jwks_url.clone())
        .bind(", ?", json!(new.deployment_ids))
        .bind(", ?", status.to_owned())
        .bind(", ?", None::<serde_json::Value>)
        .bind(", ?", None::<i64>)
        .bind(", ?) RETURNING id", jiff::Timestamp::now().as_microsecond());
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(format!(
                "a platform with issuer {} and client id {} is already registered",
                new.issuer, new.client_id
            )),
            _ => Error::Db(e),
        })?
        .ok_or_else(|| Error::Internal("platform insert returned nothing".into()))?;
    let id: i64 = row.try_get("", "id")?;
    find(conn, id)
        .await?
        .map(Platform::from)
        .ok_or_else(|| Error::Internal("platform vanished".into()))
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<lti_platform::Model>, Error> {
    Ok(lti_platform::Entity::find_by_id(id).one(conn).await?)
}

pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Platform>, Error> {
    Ok(lti_platform::Entity::find()
        .order_by_asc(lti_platform::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(Platform::from)
        .collect())
}

pub async fn remove(conn: &impl ConnectionTrait, id: i64) -> Result<bool, Error> {
    Ok(lti_platform::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}

pub async fn set_status(conn: &impl ConnectionTrait, id: i64, status: &str) -> Result<bool, Error> {
    let mut sql = Sql::new("UPDATE lti_platforms SET ");
    sql.bind("status = ?", status.to_owned())
        .bind(" WHERE id = ?", id);
    Ok(conn
        .execute_raw(sql.build(conn.get_database_backend()))
        .await?
        .rows_affected()
        == 1)
}

/// The active registration for an issuer; `client_id` picks one when an issuer has
/// several (one LMS, several tool registrations). A registration still pending
/// approval is refused with `ForbiddenBecause`, naming the command that approves it:
/// the LMS administrator who just registered must not be told to register again.
pub async fn for_issuer(
    conn: &impl ConnectionTrait,
    issuer: &str,
    client_id: Option<&str>,
) -> Result<lti_platform::Model, Error> {
    let mut query = lti_platform::Entity::find()
        .filter(lti_platform::Column::Issuer.eq(issuer))
        .order_by_asc(lti_platform::Column::Id);
    if let Some(client) = client_id {
        query = query.filter(lti_platform::Column::ClientId.eq(client));
    }
    let (mut active, waiting): (Vec<_>, Vec<_>) = query
        .all(conn)
        .await?
        .into_iter()
        .partition(|p| p.status == "active");
    let named = client_id
        .map(|c| format!(" and client id {c:?}"))
        .unwrap_or_default();
    match (active.len(), waiting.first()) {
        (0, Some(pending)) => Err(Error::ForbiddenBecause(format!(
            "the LTI 1.3 platform with issuer {issuer:?}{named} is registered (registration {id}) \
             but is pending approval; a Black Belt administrator approves it with \
             `blackbelt lti platforms approve {id}` (or POST /api/lti/platforms/{id}/approve)",
            id = pending.id
        ))),
        (0, None) => Err(Error::NotFound(format!(
            "no LTI 1.3 platform is registered with issuer {issuer:?}{named}; register it with `blackbelt lti platforms add` or Dynamic Registration"
        ))),
        (1, _) => Ok(active.remove(0)),
        _ => Err(Error::BadRequest(format!(
            "several registrations share issuer {issuer:?}; the login request must name client_id"
        ))),
    }
}
