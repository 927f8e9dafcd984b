use sea_orm::entity::prelude::*;

/// A gradebook column found or created in a line item container, shared by every
/// learner's target on the same resource link and AU. Leased by the one delivery that
/// looks for or creates it; the others wait and then reuse `lineitem_url`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "passback_lineitems")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Hex SHA-256 of source, container URL, resource link, AU and tag (unique).
    pub lineitem_key: String,
    /// `platform:<id>`.
    pub source: String,
    pub lineitems_url: String,
    pub resource_link_id: Option<String>,
    /// The AU's publisher id (the line item's `resourceId`).
    pub object_id: String,
    pub tag: String,
    /// The line item's URL once found or created.
    pub lineitem_url: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_until_us: Option<i64>,
    pub created_us: i64,
    pub updated_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
