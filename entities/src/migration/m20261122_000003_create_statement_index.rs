use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(StatementIndex::Table)
            .col(small_integer(StatementIndex::Kind))
            .col(string(StatementIndex::Key))
            .col(big_integer(StatementIndex::StoredUs))
            .col(big_integer(StatementIndex::Seq))
            .primary_key(
                Index::create()
                    .col(StatementIndex::Kind)
                    .col(StatementIndex::Key)
                    .col(StatementIndex::StoredUs)
                    .col(StatementIndex::Seq),
            );
        // On SQLite the table *is* its primary key (no rowid table beside it), which
        // halves the pages every statement write touches. PostgreSQL has no such option
        // and needs none: its heap plus one B-tree is the same shape.
        if manager.get_database_backend() == sea_orm::DbBackend::Sqlite {
            table.extra("WITHOUT ROWID");
        }
        manager.create_table(table.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StatementIndex::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StatementIndex {
    Table,
    Kind,
    Key,
    StoredUs,
    Seq,
}
