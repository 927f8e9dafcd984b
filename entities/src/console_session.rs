use sea_orm::entity::prelude::*;

/// A signed-in console session (the cookie's token is never stored, only its SHA-256).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "console_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// A password user's session.
    pub user_id: Option<i64>,
    /// A manager launched from an LMS course: scoped to that context's roster.
    pub lti_context_id: Option<i64>,
    pub lti_name: Option<String>,
    /// The console role an LTI session has (`manager`).
    pub lti_role: Option<String>,
    pub created_us: i64,
    /// Idle timeout counts from here.
    pub last_seen_us: i64,
    /// Absolute timeout.
    pub expires_us: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
