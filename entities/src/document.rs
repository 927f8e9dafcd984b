use sea_orm::entity::prelude::*;

/// One State, Activity Profile or Agent Profile document, stored byte-exact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// 1 State, 2 Activity Profile, 3 Agent Profile.
    pub kind: i16,
    /// activityId (SHA-256 when long); empty for Agent Profiles.
    pub activity_key: String,
    /// The agent's IFI key; empty for Activity Profiles.
    pub agent_key: String,
    /// Registration UUID of a State document; empty when none.
    pub registration: String,
    /// stateId / profileId (SHA-256 when long), the last part of the unique key.
    pub doc_key: String,
    /// stateId / profileId as given, returned by id listings.
    pub doc_id: String,
    pub content_type: String,
    pub content: Vec<u8>,
    /// Quoted SHA-1 of the content.
    pub etag: String,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
