use sea_orm::entity::prelude::*;

/// Statement attachment bytes, stored once per SHA-256 however many statements carry them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    /// Lower-case hex SHA-256 of the content.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sha2: String,
    pub content_type: String,
    pub length: i64,
    pub content: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
