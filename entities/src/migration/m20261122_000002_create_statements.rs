use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Statements::Table)
                    .col(big_pk_auto(Statements::Seq))
                    .col(string_uniq(Statements::Id))
                    .col(big_integer(Statements::StoredUs))
                    .col(boolean(Statements::Voided))
                    .col(string_null(Statements::VoidsId))
                    .col(string_null(Statements::ObjectRefId))
                    .col(big_integer(Statements::CredentialId))
                    .col(json_binary(Statements::Payload))
                    .to_owned(),
            )
            .await?;
        // Unfiltered queries page through stored order.
        manager
            .create_index(
                Index::create()
                    .name("ix_statements_stored")
                    .table(Statements::Table)
                    .col(Statements::StoredUs)
                    .col(Statements::Seq)
                    .to_owned(),
            )
            .await?;
        // `statements/read/mine` pages through one credential's statements.
        manager
            .create_index(
                Index::create()
                    .name("ix_statements_credential")
                    .table(Statements::Table)
                    .col(Statements::CredentialId)
                    .col(Statements::StoredUs)
                    .col(Statements::Seq)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Statements::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Statements {
    Table,
    Seq,
    Id,
    StoredUs,
    Voided,
    VoidsId,
    ObjectRefId,
    CredentialId,
    Payload,
}
