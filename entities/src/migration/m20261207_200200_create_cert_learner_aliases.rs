use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Other IFIs of a learner (the `mbox` of their email…), so statements that other tools make about them count.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertLearnerAliases::Table)
                    .col(string(CertLearnerAliases::AliasKey))
                    .col(string(CertLearnerAliases::LearnerKey))
                    .col(big_integer(CertLearnerAliases::CreatedUs))
                    .primary_key(Index::create().col(CertLearnerAliases::AliasKey))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_learner_aliases_learner")
                    .table(CertLearnerAliases::Table)
                    .col(CertLearnerAliases::LearnerKey)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertLearnerAliases::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum CertLearnerAliases {
    Table,
    AliasKey,
    LearnerKey,
    CreatedUs,
}
