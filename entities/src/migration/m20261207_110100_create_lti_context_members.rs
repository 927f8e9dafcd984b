use sea_orm_migration::{prelude::*, schema::*};

use super::m20261207_110000_create_lti_contexts::LtiContexts;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The members of a context as its platform's NRPS roster last listed them; replaced
/// as a whole by each successful sync.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LtiContextMembers::Table)
                    .col(big_pk_auto(LtiContextMembers::Id))
                    .col(big_integer(LtiContextMembers::ContextRowId))
                    .col(string(LtiContextMembers::UserId))
                    .col(text_null(LtiContextMembers::Name))
                    .col(text_null(LtiContextMembers::GivenName))
                    .col(text_null(LtiContextMembers::FamilyName))
                    .col(text_null(LtiContextMembers::Email))
                    .col(text_null(LtiContextMembers::SourcedId))
                    .col(text(LtiContextMembers::Roles))
                    .col(string(LtiContextMembers::Status))
                    .col(big_integer(LtiContextMembers::UpdatedUs))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lti_context_members_context")
                            .from(LtiContextMembers::Table, LtiContextMembers::ContextRowId)
                            .to(LtiContexts::Table, LtiContexts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per user and context; also the order of the members listing.
        manager
            .create_index(
                Index::create()
                    .name("ux_lti_context_members_user")
                    .table(LtiContextMembers::Table)
                    .col(LtiContextMembers::ContextRowId)
                    .col(LtiContextMembers::UserId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LtiContextMembers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LtiContextMembers {
    Table,
    Id,
    ContextRowId,
    UserId,
    Name,
    GivenName,
    FamilyName,
    Email,
    SourcedId,
    Roles,
    Status,
    UpdatedUs,
}
