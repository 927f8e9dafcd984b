use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One LMS course (LTI context) per platform whose launches carried the NRPS claim: its
/// membership service, and the sync job (due time, cause, lease, outcome) in the row.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LtiContexts::Table)
                    .col(big_pk_auto(LtiContexts::Id))
                    .col(string(LtiContexts::Source))
                    .col(string(LtiContexts::ContextId))
                    .col(text_null(LtiContexts::Title))
                    .col(text(LtiContexts::MembershipsUrl))
                    .col(text(LtiContexts::ServiceVersions))
                    .col(big_integer_null(LtiContexts::SyncDueUs))
                    .col(string_null(LtiContexts::DueCause))
                    .col(string_null(LtiContexts::LeaseOwner))
                    .col(big_integer_null(LtiContexts::LeaseUntilUs))
                    .col(big_integer(LtiContexts::LeaseEpoch).default(0))
                    .col(integer(LtiContexts::Attempts).default(0))
                    .col(integer(LtiContexts::ConsecutiveFailures).default(0))
                    .col(big_integer_null(LtiContexts::LastAttemptUs))
                    .col(big_integer_null(LtiContexts::LastSyncedUs))
                    .col(string_null(LtiContexts::LastStatus))
                    .col(text_null(LtiContexts::LastError))
                    .col(integer(LtiContexts::MemberCount).default(0))
                    .col(big_integer(LtiContexts::CreatedUs))
                    .col(big_integer(LtiContexts::UpdatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_lti_contexts_source_context")
                    .table(LtiContexts::Table)
                    .col(LtiContexts::Source)
                    .col(LtiContexts::ContextId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The sync task's poll: due rows, earliest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_lti_contexts_due")
                    .table(LtiContexts::Table)
                    .col(LtiContexts::SyncDueUs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LtiContexts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum LtiContexts {
    Table,
    Id,
    Source,
    ContextId,
    Title,
    MembershipsUrl,
    ServiceVersions,
    SyncDueUs,
    DueCause,
    LeaseOwner,
    LeaseUntilUs,
    LeaseEpoch,
    Attempts,
    ConsecutiveFailures,
    LastAttemptUs,
    LastSyncedUs,
    LastStatus,
    LastError,
    MemberCount,
    CreatedUs,
    UpdatedUs,
}
