use sea_orm::entity::prelude::*;

/// One query key of one statement. The primary key (kind, key, stored_us, seq) makes every
/// filter of `GET /statements` a single ordered range scan, and every extra filter an
/// index probe.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statement_index")]
pub struct Model {
    /// What the key is: see `blackbelt::xapi::statements::index::KeyKind`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: i16,
    /// The IFI, IRI or UUID (long values are replaced by their SHA-256).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stored_us: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
