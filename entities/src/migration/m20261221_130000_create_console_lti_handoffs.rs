use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Single-use handoffs from an LTI launch of the console link to a console session: the
/// launch happens inside the LMS's frame, where the session cookie cannot be relied on,
/// so it hands a short-lived token to a window of its own. Only the token's SHA-256 is
/// stored.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleLtiHandoffs::Table)
                    .col(string(ConsoleLtiHandoffs::TokenHash).primary_key())
                    .col(big_integer(ConsoleLtiHandoffs::PlatformId))
                    .col(big_integer(ConsoleLtiHandoffs::ContextRowId))
                    .col(string(ConsoleLtiHandoffs::Subject))
                    .col(string_null(ConsoleLtiHandoffs::Name))
                    .col(string(ConsoleLtiHandoffs::LtiRole))
                    .col(big_integer(ConsoleLtiHandoffs::CreatedUs))
                    .col(big_integer(ConsoleLtiHandoffs::ExpiresUs))
                    .col(big_integer_null(ConsoleLtiHandoffs::UsedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_console_lti_handoffs_expires")
                    .table(ConsoleLtiHandoffs::Table)
                    .col(ConsoleLtiHandoffs::ExpiresUs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleLtiHandoffs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum ConsoleLtiHandoffs {
    Table,
    TokenHash,
    PlatformId,
    ContextRowId,
    Subject,
    Name,
    LtiRole,
    CreatedUs,
    ExpiresUs,
    UsedUs,
}
