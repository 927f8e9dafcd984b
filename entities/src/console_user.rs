use sea_orm::entity::prelude::*;

/// A person who uses the L&D console.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "console_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-case, unique; what the person types to sign in.
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// `admin`, `program`, `reviewer`, `manager` or `viewer`.
    pub role: String,
    /// A manager's team: `{"org_units": [..]}` (learners whose `org_unit` attribute is one of them).
    pub team: Option<Json>,
    /// Argon2id PHC string; `None` until the person sets a password through a setup link.
    pub password_hash: Option<String>,
    pub disabled_us: Option<i64>,
    pub created_us: i64,
    pub updated_us: i64,
    /// The last password sign-in; `None` before the first.
    pub last_sign_in_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
