use sea_orm::entity::prelude::*;

/// One file of a package version; its bytes are in `blobs` under `sha256`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "package_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub package_seq: i64,
    /// Relative path with `/` separators, as in the package.
    #[sea_orm(primary_key, auto_increment = false)]
    pub path: String,
    pub sha256: String,
    pub content_type: String,
    pub length: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
