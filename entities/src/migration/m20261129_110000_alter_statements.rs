use sea_orm_migration::{prelude::*, schema::*};

/// PostgreSQL's `jsonb` cannot hold a string containing `\u0000` (error 22P05) and
/// rewrites numbers (`-0` becomes `0`, `1e400` four hundred digits); `json` keeps the
/// text as sent, as SQLite's text column always did. Statements are returned exactly
/// as stored, so their payload is kept as `json` text (issue 12).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Statements::Table)
                    .modify_column(json(Statements::Payload))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Statements::Table)
                    .modify_column(json_binary(Statements::Payload))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Statements {
    Table,
    Payload,
}
