//! Credential queries.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::scope::Scopes;
use super::secret;
use entities::credential;

/// What `credentials create` shows once.
#[derive(Debug, serde::Serialize)]
pub struct CreatedCredential {
    pub key: String,
    pub secret: String,
    pub name: String,
    pub scopes: String,
}

/// Creates a credential; its authority Agent is an account on `public_url`.
pub async fn create(
    conn: &impl ConnectionTrait,
    name: &str,
    scopes: Scopes,
    public_url: &str,
) -> Result<CreatedCredential, DbErr> {
    let made = secret::generate();
    let authority = json!({
        "objectType": "Agent",
        "name": name,
        "account": {"homePage": public_url, "name": made.key},
    });
    credential::ActiveModel {
        key: Set(made.key.clone()),
        name: Set(name.to_owned()),
        salt: Set(made.salt),
        secret_hash: Set(made.hash),
        scopes: Set(scopes.to_list()),
        authority: Set(authority),
        created_at_ms: Set(jiff::Timestamp::now().as_millisecond()),
        revoked_at_ms: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(CreatedCredential {
        key: made.key,
        secret: made.secret,
        name: name.to_owned(),
        scopes: scopes.to_list(),
    })
}

pub async fn find_active(
    conn: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<credential::Model>, DbErr> {
    credential::Entity::find()
        .filter(credential::Column::Key.eq(key))
        .filter(credential::Column::RevokedAtMs.is_null())
        .one(conn)
        .await
}

pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<credential::Model>, DbErr> {
    credential::Entity::find()
        .order_by_asc(credential::Column::Id)
        .all(conn)
        .await
}

pub async fn count_active(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    credential::Entity::find()
        .filter(credential::Column::RevokedAtMs.is_null())
        .count(conn)
        .await
}

/// Marks a credential revoked; returns false when no active credential has that key.
pub async fn revoke(conn: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    let Some(found) = find_active(conn, key).await? else {
        return Ok(false);
    };
    let mut active: credential::ActiveModel = found.into();
    active.revoked_at_ms = Set(Some(jiff::Timestamp::now().as_millisecond()));
    active.update(conn).await?;
    Ok(true)
}
