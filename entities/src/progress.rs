use sea_orm::entity::prelude::*;

/// Where a learner stands on one AU, block or course of a registration. Updated in the
/// same transaction as the statements it is derived from.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "progress")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub registration: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub object_id: String,
    /// `au`, `block` or `course`.
    pub kind: String,
    pub attempted: bool,
    pub completed: bool,
    pub passed: bool,
    pub failed: bool,
    pub satisfied: bool,
    pub score: Option<f64>,
    pub progress_percent: Option<i32>,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
