use sea_orm::entity::prelude::*;

/// A learner's session on their home (`/learn`): a random token in an `HttpOnly`
/// cookie, only its SHA-256 stored. Short: it ends at `expires_us`, whatever happens.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "learn_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub learner_key: String,
    pub actor: Json,
    pub email: Option<String>,
    pub created_us: i64,
    pub expires_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
