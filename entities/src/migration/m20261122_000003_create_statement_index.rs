use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
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
                    )
                    .to_owned(),
            )
            .await?;
        // Propagating keys to statements that reference a late-arriving target.
        manager
            .create_index(
                Index::create()
                    .name("ix_statement_index_seq")
                    .table(StatementIndex::Table)
                    .col(StatementIndex::Seq)
                    .to_owned(),
            )
            .await
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
