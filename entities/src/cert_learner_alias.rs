use sea_orm::entity::prelude::*;

/// Other IFIs of a learner (the `mbox` of their email…), so statements that other tools make about them count.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_learner_aliases")]
pub struct Model {
    /// An `agent_key` form (`mbox:mailto:…`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub alias_key: String,
    pub learner_key: String,
    pub created_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
