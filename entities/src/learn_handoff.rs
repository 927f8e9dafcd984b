use sea_orm::entity::prelude::*;

/// A single-use code that opens a learner's home (`/learn/enter/<code>`), made from a
/// launch token or an LTI launch. Only the code's SHA-256 is stored; it lives two
/// minutes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "learn_handoffs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code_hash: String,
    /// The learner's registry key (`agent_key` of their actor).
    pub learner_key: String,
    /// The learner's xAPI Agent (an `account`), as their launches name them.
    pub actor: Json,
    /// `mailto:` IRI, when the launch gave one.
    pub email: Option<String>,
    pub created_us: i64,
    pub expires_us: i64,
    pub used_us: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
