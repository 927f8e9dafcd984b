use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "statements")]
pub struct Model {
    /// Insertion sequence: the tie-breaker of stored order and of paging cursors.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The statement UUID, lower-case hyphenated.
    #[sea_orm(unique)]
    pub id: String,
    /// `stored` in microseconds since the Unix epoch.
    pub stored_us: i64,
    /// Hidden from ordinary queries once a voiding statement targets it.
    pub voided: bool,
    /// Set on voiding statements: the id of the statement they void.
    pub voids_id: Option<String>,
    /// Set when the object is a StatementRef: the id it targets (filters follow it).
    pub object_ref_id: Option<String>,
    /// Credential that sent it (for `statements/read/mine`).
    pub credential_id: i64,
    /// The statement as stored, including `stored`, `authority` and `version`.
    pub payload: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
