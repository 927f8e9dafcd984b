use sea_orm::entity::prelude::*;

/// One value of one anonymous survey answer (a multi-select answer is one row per
/// value). Nothing here names the learner, the registration or the session, and the
/// date has no time: see the migration `create_survey_responses`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_answers")]
pub struct Model {
    /// Random (UUID v4), so key order says nothing of write order.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Random per response (UUID v4): groups one response's rows, nothing more.
    pub respondent: String,
    /// The survey AU's publisher id (its cmi5.xml `au@id`).
    pub survey_id: String,
    /// `fieldset[data-bb-question]` of the AU page.
    pub question_id: String,
    /// An option value, or the free text of a fill-in question.
    pub answer: String,
    /// The UTC date (`YYYY-MM-DD`) the response was stored.
    pub answered_on: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
