use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One channel to the LMS per (gradebook cell or LTI 1.1 outcome row, user, AU): the
/// unit of ordering and of leasing for passback deliveries.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PassbackTargets::Table)
                    .col(big_pk_auto(PassbackTargets::Id))
                    .col(string(PassbackTargets::TargetKey))
                    .col(string(PassbackTargets::Registration))
                    .col(string(PassbackTargets::ObjectId))
                    .col(string(PassbackTargets::Protocol))
                    .col(string(PassbackTargets::Source))
                    .col(string(PassbackTargets::UserId))
                    .col(string_null(PassbackTargets::DeploymentId))
                    .col(string_null(PassbackTargets::ResourceLinkId))
                    .col(string_null(PassbackTargets::ContextId))
                    .col(string(PassbackTargets::Label))
                    .col(text_null(PassbackTargets::LineitemUrl))
                    .col(text_null(PassbackTargets::LineitemsUrl))
                    .col(text(PassbackTargets::Scopes))
                    .col(text_null(PassbackTargets::OutcomeUrl))
                    .col(text_null(PassbackTargets::Sourcedid))
                    .col(big_integer_null(PassbackTargets::LastSentTsUs))
                    .col(integer(PassbackTargets::ConsecutiveFailures).default(0))
                    .col(big_integer_null(PassbackTargets::BlockedUntilUs))
                    .col(string_null(PassbackTargets::LeaseOwner))
                    .col(big_integer_null(PassbackTargets::LeaseUntilUs))
                    .col(big_integer(PassbackTargets::LeaseEpoch).default(0))
                    .col(big_integer(PassbackTargets::CreatedUs))
                    .col(big_integer(PassbackTargets::UpdatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_passback_targets_key")
                    .table(PassbackTargets::Table)
                    .col(PassbackTargets::TargetKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_passback_targets_reg_object")
                    .table(PassbackTargets::Table)
                    .col(PassbackTargets::Registration)
                    .col(PassbackTargets::ObjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PassbackTargets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PassbackTargets {
    Table,
    Id,
    TargetKey,
    Registration,
    ObjectId,
    Protocol,
    Source,
    UserId,
    DeploymentId,
    ResourceLinkId,
    ContextId,
    Label,
    LineitemUrl,
    LineitemsUrl,
    Scopes,
    OutcomeUrl,
    Sourcedid,
    LastSentTsUs,
    ConsecutiveFailures,
    BlockedUntilUs,
    LeaseOwner,
    LeaseUntilUs,
    LeaseEpoch,
    CreatedUs,
    UpdatedUs,
}
