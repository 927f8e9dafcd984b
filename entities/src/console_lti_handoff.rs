use sea_orm::entity::prelude::*;

/// A single-use handoff from an LTI launch (inside the LMS frame) to a console session
/// (in a window of its own). Only the token's SHA-256 is stored; it lives two minutes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "console_lti_handoffs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// `lti_platforms.id` of the launch.
    pub platform_id: i64,
    /// `lti_contexts.id`: the course whose roster the session will see.
    pub context_row_id: i64,
    /// The launching user's `sub`.
    pub subject: String,
    /// The launching user's name, as the platform sent it.
    pub name: Option<String>,
    /// The LTI role that let them in (`instructor`, `administrator`, `manager`).
    pub lti_role: String,
    pub created_us: i64,
    pub expires_us: i64,
    pub used_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
