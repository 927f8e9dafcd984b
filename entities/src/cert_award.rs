use sea_orm::entity::prelude::*;

/// A belt held (or once held) by a learner.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_awards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub learner_key: String,
    pub program_id: String,
    /// The program version the belt was earned under.
    pub program_version: i32,
    pub belt_id: String,
    /// `active`, `expired` or `revoked`.
    pub status: String,
    /// `learner_key` + space + `belt_id` while active, else NULL: a unique index makes a second active award of one belt impossible, on both databases.
    #[sea_orm(unique)]
    pub active_key: Option<String>,
    pub earned_us: i64,
    /// End of validity; NULL when the belt never expires.
    pub valid_until_us: Option<i64>,
    /// validity + grace: when the sweep expires it; NULL when never.
    pub expires_us: Option<i64>,
    /// What satisfied the requirements (statements, standings, evidence ids).
    pub evidence: Json,
    /// History: `[{at_us, valid_until_us, program_version, evidence, by}]`.
    pub renewals: Json,
    /// `rules` (earned from statements) or `manual` (awarded by a person).
    pub source: String,
    /// Why a manual award was made.
    pub reason: Option<String>,
    /// Who made a manual award (`credential:<id>`…).
    pub awarded_by: Option<String>,
    pub revoked_us: Option<i64>,
    pub revoked_reason: Option<String>,
    pub revoked_by: Option<String>,
    /// The id of the xAPI statement that announced the award.
    pub statement_id: Option<String>,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
