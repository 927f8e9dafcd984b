use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credential_revisions")]
pub struct Model {
    /// Always 1: the table has one row.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Incremented in the transaction of every revocation.
    pub revision: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
