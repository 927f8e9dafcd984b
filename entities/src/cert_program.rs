use sea_orm::entity::prelude::*;

/// One imported version of a certification program file (`packages/**/program.toml`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_programs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The program's id from its file (`[program] id`).
    pub program_id: String,
    /// 1 for the first import of a program, +1 for each changed re-import.
    pub version: i32,
    /// SHA-256 of the normalised definition: equal content, equal hash.
    pub content_hash: String,
    pub name: String,
    /// The validated program (`certification::program::model::Program`) as JSON.
    pub definition: Json,
    pub imported_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
