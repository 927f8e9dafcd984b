use sea_orm::entity::prelude::*;

/// A member of an LTI context as the platform's NRPS roster last listed them.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_context_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `lti_contexts.id`.
    pub context_row_id: i64,
    /// The platform's user id (the `sub` of that user's launches).
    pub user_id: String,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    /// `lis_person_sourcedid`, when the platform gives it.
    pub sourced_id: Option<String>,
    /// The role URIs, as a JSON array.
    pub roles: String,
    /// `Active`, `Inactive` or `Deleted`.
    pub status: String,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
