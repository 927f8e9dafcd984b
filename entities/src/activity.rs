use sea_orm::entity::prelude::*;

/// The canonical definition of an Activity, merged from the statements that define it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    /// The activity IRI (SHA-256 when long).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_key: String,
    pub id: String,
    pub definition: Json,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
