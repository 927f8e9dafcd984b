use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Learners' sessions on their home (`/learn`): the cookie's token hashed, short-lived.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LearnSessions::Table)
                    .col(string(LearnSessions::TokenHash).primary_key())
                    .col(string(LearnSessions::LearnerKey))
                    .col(json(LearnSessions::Actor))
                    .col(string_null(LearnSessions::Email))
                    .col(big_integer(LearnSessions::CreatedUs))
                    .col(big_integer(LearnSessions::ExpiresUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_learn_sessions_expires")
                    .table(LearnSessions::Table)
                    .col(LearnSessions::ExpiresUs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LearnSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LearnSessions {
    Table,
    TokenHash,
    LearnerKey,
    Actor,
    Email,
    CreatedUs,
    ExpiresUs,
}
