//! `last_attempt_us`: when the last delivery attempt of a message was recorded (the admin
//! view shows it; a retrying message has no other time for it). And an index on
//! `(state, id)` for the admin listing, newest first within a state.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_passback_messages_state_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PassbackMessages::Table)
                    .add_column(big_integer_null(PassbackMessages::LastAttemptUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(PassbackMessages::Table)
                    .col(PassbackMessages::State)
                    .col(PassbackMessages::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(PassbackMessages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PassbackMessages::Table)
                    .drop_column(PassbackMessages::LastAttemptUs)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PassbackMessages {
    Table,
    State,
    Id,
    LastAttemptUs,
}
