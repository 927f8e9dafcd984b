use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// People who use the L&D console, with their role. A password is set through a
/// one-time link (`console_setup_links`), never sent in the clear.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleUsers::Table)
                    .col(big_integer(ConsoleUsers::Id).auto_increment().primary_key())
                    .col(string(ConsoleUsers::Username))
                    .col(string(ConsoleUsers::DisplayName))
                    .col(string_null(ConsoleUsers::Email))
                    .col(string(ConsoleUsers::Role))
                    .col(json_binary_null(ConsoleUsers::Team))
                    .col(text_null(ConsoleUsers::PasswordHash))
                    .col(big_integer_null(ConsoleUsers::DisabledUs))
                    .col(big_integer(ConsoleUsers::CreatedUs))
                    .col(big_integer(ConsoleUsers::UpdatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_console_users_username")
                    .table(ConsoleUsers::Table)
                    .col(ConsoleUsers::Username)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleUsers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum ConsoleUsers {
    Table,
    Id,
    Username,
    DisplayName,
    Email,
    Role,
    Team,
    PasswordHash,
    DisabledUs,
    CreatedUs,
    UpdatedUs,
}
