use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A person who can hold belts, keyed by the IFI statements are made for (`agent_key`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertLearners::Table)
                    .col(string(CertLearners::LearnerKey))
                    .col(json_binary(CertLearners::Actor))
                    .col(text_null(CertLearners::Name))
                    .col(text_null(CertLearners::Email))
                    .col(json_binary(CertLearners::Attributes))
                    .col(big_integer(CertLearners::CreatedUs))
                    .col(big_integer(CertLearners::UpdatedUs))
                    .primary_key(Index::create().col(CertLearners::LearnerKey))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertLearners::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum CertLearners {
    Table,
    LearnerKey,
    Actor,
    Name,
    Email,
    Attributes,
    CreatedUs,
    UpdatedUs,
}
