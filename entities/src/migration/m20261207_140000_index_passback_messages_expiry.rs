//! An index on `(state, expires_us)`: every claim first fails the pending messages past
//! their age limit, and every idle poll asks whether one is; without it both read every
//! pending row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_passback_messages_expiry";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(PassbackMessages::Table)
                    .col(PassbackMessages::State)
                    .col(PassbackMessages::ExpiresUs)
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
            .await
    }
}

#[derive(DeriveIden)]
enum PassbackMessages {
    Table,
    State,
    ExpiresUs,
}
