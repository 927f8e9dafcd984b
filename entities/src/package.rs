use sea_orm::entity::prelude::*;

/// One imported version of a content package (cmi5 course or tincan.xml course).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "packages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The course IRI (SHA-256 when long).
    pub course_key: String,
    pub course_id: String,
    /// 1 for the first import of a course, +1 for each changed re-import.
    pub version: i32,
    /// SHA-256 over the sorted (path, file SHA-256) list: equal content, equal hash.
    #[sea_orm(unique)]
    pub content_hash: String,
    /// The URL segment assets are served under (`/content/{slug}/…`), immutable.
    #[sea_orm(unique)]
    pub slug: String,
    /// `cmi5` or `tincan`.
    pub format: String,
    pub title: String,
    /// The parsed course structure (course, blocks, AUs) as JSON.
    pub structure: Json,
    pub file_count: i32,
    pub total_bytes: i64,
    pub imported_us: i64,
    /// When the course was retired (left the catalog); NULL while it is offered.
    pub retired_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
