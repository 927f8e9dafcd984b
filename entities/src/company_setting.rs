use sea_orm::entity::prelude::*;

/// One company variable set in the console (`company_name`, `policy_url`…): it overrides
/// the `[company]` configuration. Content reads it at run time, so changing it never
/// versions a course.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "company_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub value: String,
    pub updated_us: i64,
    /// The audit actor who set it (`console:<username>`).
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
