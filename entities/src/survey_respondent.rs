use sea_orm::entity::prelude::*;

/// That someone has answered a survey: a keyed hash of (survey, registration), so a
/// registration answers once. No time, no link to `survey_answers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_respondents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub survey_id: String,
    /// Hex HMAC-SHA256 of the survey id and the registration, keyed by a server secret.
    #[sea_orm(primary_key, auto_increment = false)]
    pub registration_hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
