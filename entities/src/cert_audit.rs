use sea_orm::entity::prelude::*;

/// The certification audit log: every award, renewal, expiry, revocation, evidence decision and manual change.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_audit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at_us: i64,
    /// Who: `system`, `credential:<id>`, `learner:<key>`, `console:<user>`.
    pub actor: String,
    /// `award`, `renew`, `expire`, `revoke`, `extend`, `evidence.submit`, `evidence.approve`, `evidence.reject`, `reviewer.add`, `reviewer.remove`, `program.import`…
    pub action: String,
    pub learner_key: Option<String>,
    pub belt_id: Option<String>,
    pub award_id: Option<i64>,
    pub evidence_id: Option<i64>,
    pub reason: Option<String>,
    pub details: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
