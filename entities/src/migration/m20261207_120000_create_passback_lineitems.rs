use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row per gradebook column Black Belt finds or creates in a line item container
/// (source, container, resource link, AU, tag): the URL once known, and the lease of
/// the one delivery allowed to look for or create it, so that learners' first scores
/// racing through several dispatchers make one column, not one each.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PassbackLineitems::Table)
                    .col(big_pk_auto(PassbackLineitems::Id))
                    .col(string(PassbackLineitems::LineitemKey))
                    .col(string(PassbackLineitems::Source))
                    .col(text(PassbackLineitems::LineitemsUrl))
                    .col(string_null(PassbackLineitems::ResourceLinkId))
                    .col(string(PassbackLineitems::ObjectId))
                    .col(string(PassbackLineitems::Tag))
                    .col(text_null(PassbackLineitems::LineitemUrl))
                    .col(string_null(PassbackLineitems::LeaseOwner))
                    .col(big_integer_null(PassbackLineitems::LeaseUntilUs))
                    .col(big_integer(PassbackLineitems::CreatedUs))
                    .col(big_integer(PassbackLineitems::UpdatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_passback_lineitems_key")
                    .table(PassbackLineitems::Table)
                    .col(PassbackLineitems::LineitemKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PassbackLineitems::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PassbackLineitems {
    Table,
    Id,
    LineitemKey,
    Source,
    LineitemsUrl,
    ResourceLinkId,
    ObjectId,
    Tag,
    LineitemUrl,
    LeaseOwner,
    LeaseUntilUs,
    CreatedUs,
    UpdatedUs,
}
