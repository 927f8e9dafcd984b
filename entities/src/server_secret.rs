use sea_orm::entity::prelude::*;

/// A random key every instance sharing the database uses alike (e.g. the key that signs
/// statement-query cursors). Made once, on first use.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "server_secrets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// Needed in clear to sign, so it cannot be hashed; protect the database.
    pub value_hex: String,
    pub created_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
