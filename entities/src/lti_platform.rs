use sea_orm::entity::prelude::*;

/// An LMS registered as an LTI 1.3 platform.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_platforms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub auth_login_url: String,
    pub token_url: String,
    pub jwks_url: String,
    /// Deployment ids this registration accepts (JSON array of strings).
    pub deployment_ids: Json,
    /// `active`, or `pending` until an administrator approves a dynamic registration.
    pub status: String,
    /// The platform's key set as last fetched; refetched once on an unknown `kid`.
    pub jwks: Option<Json>,
    pub jwks_fetched_us: Option<i64>,
    /// When the key set was last fetched or tried, success or failure: the refetch
    /// limit counts from here.
    pub jwks_attempted_us: Option<i64>,
    pub created_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
