use sea_orm::entity::prelude::*;

/// One channel to the LMS: a gradebook cell (AGS line item × user) or an LTI 1.1 outcome
/// row, for one AU of one registration. Leased by one dispatcher at a time.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "passback_targets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Hex SHA-256 of what identifies the channel (unique).
    pub target_key: String,
    pub registration: String,
    /// The AU's publisher id.
    pub object_id: String,
    /// `ags` or `lti11`.
    pub protocol: String,
    /// `platform:<id>` or `consumer:<key>`.
    pub source: String,
    pub user_id: String,
    pub deployment_id: Option<String>,
    pub resource_link_id: Option<String>,
    pub context_id: Option<String>,
    pub label: String,
    pub lineitem_url: Option<String>,
    /// `claim` (the launch named it) or `found` (found or created by us); NULL: `claim`.
    pub lineitem_origin: Option<String>,
    pub lineitems_url: Option<String>,
    /// AGS scopes, space-joined.
    pub scopes: String,
    pub outcome_url: Option<String>,
    pub sourcedid: Option<String>,
    pub last_sent_ts_us: Option<i64>,
    pub consecutive_failures: i32,
    pub blocked_until_us: Option<i64>,
    pub lease_owner: Option<String>,
    pub lease_until_us: Option<i64>,
    /// Fencing token: +1 per claim.
    pub lease_epoch: i64,
    pub created_us: i64,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
