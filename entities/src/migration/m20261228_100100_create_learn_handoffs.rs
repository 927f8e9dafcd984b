use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Single-use codes that open a learner's home: made from an AU's launch token or an
/// LTI launch, redeemed once within two minutes. Only the code's SHA-256 is stored.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LearnHandoffs::Table)
                    .col(string(LearnHandoffs::CodeHash).primary_key())
                    .col(string(LearnHandoffs::LearnerKey))
                    .col(json(LearnHandoffs::Actor))
                    .col(string_null(LearnHandoffs::Email))
                    .col(big_integer(LearnHandoffs::CreatedUs))
                    .col(big_integer(LearnHandoffs::ExpiresUs))
                    .col(big_integer_null(LearnHandoffs::UsedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_learn_handoffs_expires")
                    .table(LearnHandoffs::Table)
                    .col(LearnHandoffs::ExpiresUs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LearnHandoffs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LearnHandoffs {
    Table,
    CodeHash,
    LearnerKey,
    Actor,
    Email,
    CreatedUs,
    ExpiresUs,
    UsedUs,
}
