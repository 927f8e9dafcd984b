use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One-time links to set a console user's password (the first admin's, a new user's, a
/// reset). Only the token's SHA-256 is stored; a link works once, until it expires.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSetupLinks::Table)
                    .col(string(ConsoleSetupLinks::TokenHash).primary_key())
                    .col(big_integer(ConsoleSetupLinks::UserId))
                    .col(big_integer(ConsoleSetupLinks::CreatedUs))
                    .col(big_integer(ConsoleSetupLinks::ExpiresUs))
                    .col(big_integer_null(ConsoleSetupLinks::UsedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_console_setup_links_user")
                    .table(ConsoleSetupLinks::Table)
                    .col(ConsoleSetupLinks::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleSetupLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum ConsoleSetupLinks {
    Table,
    TokenHash,
    UserId,
    CreatedUs,
    ExpiresUs,
    UsedUs,
}
