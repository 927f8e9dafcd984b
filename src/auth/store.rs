//! Credential queries.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::scope::Scopes;
use super::secret;
use crate::sql::Sql;
use entities::{credential, credential_revision};

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

/// Up to `limit` credentials with ids above `after`, oldest first (a keyset page).
pub async fn list_page(
    conn: &impl ConnectionTrait,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<credential::Model>, DbErr> {
    let mut query = credential::Entity::find().order_by_asc(credential::Column::Id);
    if let Some(after) = after {
        query = query.filter(credential::Column::Id.gt(after));
    }
    query.limit(limit).all(conn).await
}

pub async fn count_active(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    credential::Entity::find()
        .filter(credential::Column::RevokedAtMs.is_null())
        .count(conn)
        .await
}

/// The PostgreSQL channel revocations are announced on; the payload is the key.
pub const REVOKED_CHANNEL: &str = "blackbelt_credential_revoked";

/// Marks a credential revoked, bumps the credential revision and, on PostgreSQL,
/// announces it; returns false when no active credential has that key. Run it in a
/// transaction: the announcement then goes out only if the revocation commits.
pub async fn revoke(conn: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    let revoked = credential::Entity::update_many()
        .col_expr(
            credential::Column::RevokedAtMs,
            Expr::value(jiff::Timestamp::now().as_millisecond()),
        )
        .filter(credential::Column::Key.eq(key))
        .filter(credential::Column::RevokedAtMs.is_null())
        .exec(conn)
        .await?;
    if revoked.rows_affected == 0 {
        return Ok(false);
    }
    credential_revision::Entity::update_many()
        .col_expr(
            credential_revision::Column::Revision,
            Expr::col(credential_revision::Column::Revision).add(1),
        )
        .exec(conn)
        .await?;
    if conn.get_database_backend() == DbBackend::Postgres {
        let mut notify = Sql::new("SELECT pg_notify(");
        notify
            .bind("?", REVOKED_CHANNEL)
            .bind(", ?)", key.to_owned());
        conn.execute_raw(notify.build(DbBackend::Postgres)).await?;
    }
    Ok(true)
}

/// How many times credentials have been revoked: a change means cached checks may be
/// stale.
pub async fn revision(conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(credential_revision::Entity::find()
        .one(conn)
        .await?
        .map_or(0, |row| row.revision))
}
