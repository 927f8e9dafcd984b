use sea_orm::entity::prelude::*;

/// An LMS course (LTI context) whose launches carried the NRPS claim, keyed by
/// (source, context id). The row is also its roster sync job: due time and cause,
/// lease (fenced by `lease_epoch`), and the last outcome.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lti_contexts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `platform:<id>`.
    pub source: String,
    /// The LMS's context id (`…/claim/context` `id`).
    pub context_id: String,
    pub title: Option<String>,
    /// The NRPS claim's `context_memberships_url`.
    pub memberships_url: String,
    /// The claim's `service_versions`, space-joined.
    pub service_versions: String,
    /// When the next sync is due; `None` when none is.
    pub sync_due_us: Option<i64>,
    /// Why the sync is due (`first launch`, `launch`, `requested`, `retry`).
    pub due_cause: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_until_us: Option<i64>,
    /// Fencing token: +1 per claim.
    pub lease_epoch: i64,
    /// Sync attempts ever made.
    pub attempts: i32,
    /// Failed attempts since the last success (drives backoff).
    pub consecutive_failures: i32,
    pub last_attempt_us: Option<i64>,
    /// The last successful sync.
    pub last_synced_us: Option<i64>,
    /// `ok` or `failed`.
    pub last_status: Option<String>,
    pub last_error: Option<String>,
    pub member_count: i32,
    pub created_us: i64,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
