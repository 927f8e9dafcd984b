use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row counting changes to credentials (revocations): servers sharing a SQLite file
/// compare it to what they last saw instead of being told.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CredentialRevisions::Table)
                    .col(integer(CredentialRevisions::Id).primary_key())
                    .col(big_integer(CredentialRevisions::Revision))
                    .to_owned(),
            )
            .await?;
        let mut first = Query::insert();
        first
            .into_table(CredentialRevisions::Table)
            .columns([CredentialRevisions::Id, CredentialRevisions::Revision])
            .values([1.into(), 0.into()])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        manager.exec_stmt(first).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CredentialRevisions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CredentialRevisions {
    Table,
    Id,
    Revision,
}
