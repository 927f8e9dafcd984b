use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Failed console sign-ins counted per account (`account:<username>`) and per client
/// address (`ip:<address>`), in the database so every instance sees the same counts.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSignInFailures::Table)
                    .col(string(ConsoleSignInFailures::Key).primary_key())
                    .col(integer(ConsoleSignInFailures::Failures))
                    .col(big_integer(ConsoleSignInFailures::WindowStartUs))
                    .col(big_integer_null(ConsoleSignInFailures::LockedUntilUs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleSignInFailures::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum ConsoleSignInFailures {
    Table,
    Key,
    Failures,
    WindowStartUs,
    LockedUntilUs,
}
