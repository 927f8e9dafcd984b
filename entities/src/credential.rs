use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credentials")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Public half of the credential (the Basic-auth user name).
    #[sea_orm(unique)]
    pub key: String,
    pub name: String,
    /// Random per-credential salt, hex.
    pub salt: String,
    /// HMAC-SHA256(salt, secret), hex. The secret itself is never stored.
    pub secret_hash: String,
    /// Comma-separated scope names.
    pub scopes: String,
    /// The xAPI Agent written as `authority` on statements sent with this credential.
    pub authority: Json,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
