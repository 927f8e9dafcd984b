use sea_orm::entity::prelude::*;

/// Evidence a learner submitted for an evidence requirement of a belt, and its review.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub learner_key: String,
    pub belt_id: String,
    /// The evidence requirement's id in the program.
    pub requirement_id: String,
    /// `text`, `url` or `file`.
    pub kind: String,
    pub text: Option<String>,
    pub url: Option<String>,
    /// The file's bytes in `blobs`.
    pub file_sha256: Option<String>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub file_bytes: Option<i64>,
    /// `pending`, `approved`, `rejected` or `withdrawn`.
    pub status: String,
    pub submitted_us: i64,
    /// `learner:<key>` or `credential:<id>`.
    pub submitted_by: String,
    pub decided_us: Option<i64>,
    pub decided_by: Option<String>,
    /// The reviewer's comment.
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
