//! `last_sign_in_us`: when the console user last signed in with a password (the users
//! page shows it; the audit log has the full history but is not indexed by actor).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ConsoleUsers::Table)
                    .add_column(big_integer_null(ConsoleUsers::LastSignInUs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ConsoleUsers::Table)
                    .drop_column(ConsoleUsers::LastSignInUs)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ConsoleUsers {
    Table,
    LastSignInUs,
}
