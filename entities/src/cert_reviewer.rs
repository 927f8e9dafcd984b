use sea_orm::entity::prelude::*;

/// Who may review evidence of a belt: a credential or a learner.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_reviewers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub belt_id: String,
    /// `credential:<id>` or `learner:<learner_key>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub reviewer_key: String,
    pub added_us: i64,
    pub added_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
