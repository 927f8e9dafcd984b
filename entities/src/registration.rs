use sea_orm::entity::prelude::*;

/// A learner's enrolment in one course (cmi5 registration), pinned to the package
/// version the learner started, so a re-import never changes a course mid-way.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub registration: String,
    /// The learner's account as `homePage` + space + `name`, hashed when long.
    pub learner_key: String,
    pub course_key: String,
    pub course_id: String,
    pub package_seq: i64,
    /// The xAPI Agent statements are made for.
    pub actor: Json,
    /// The learner's email as given at launch (`mailto:` IRI); never put in statements.
    pub email: Option<String>,
    pub created_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
