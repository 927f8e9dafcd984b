use sea_orm::entity::prelude::*;

/// A person who can hold belts, keyed by the IFI statements are made for (`agent_key`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_learners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub learner_key: String,
    /// The xAPI Agent of the learner's launches.
    pub actor: Json,
    pub name: Option<String>,
    /// `mailto:` IRI as given by the LMS; never put in statements.
    pub email: Option<String>,
    /// Learner attributes: `{"audience": [..], "role": [..], "org_unit": [..]}`.
    pub attributes: Json,
    pub created_us: i64,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
