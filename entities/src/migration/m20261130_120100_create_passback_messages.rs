use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The passback outbox: one row per standing to report, written in the transaction that
/// changed it, delivered (or superseded, or failed) by the dispatcher.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PassbackMessages::Table)
                    .col(big_pk_auto(PassbackMessages::Id))
                    .col(big_integer(PassbackMessages::TargetId))
                    .col(string(PassbackMessages::State))
                    .col(json_binary(PassbackMessages::Payload))
                    .col(big_integer(PassbackMessages::EventUs))
                    .col(big_integer(PassbackMessages::DueUs))
                    .col(big_integer(PassbackMessages::ExpiresUs))
                    .col(integer(PassbackMessages::Attempts).default(0))
                    .col(integer_null(PassbackMessages::LastStatus))
                    .col(text_null(PassbackMessages::LastError))
                    .col(text_null(PassbackMessages::LastAnswer))
                    .col(big_integer_null(PassbackMessages::SentTsUs))
                    .col(big_integer(PassbackMessages::CreatedUs))
                    .col(big_integer_null(PassbackMessages::DeliveredUs))
                    .col(big_integer_null(PassbackMessages::FailedUs))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PassbackMessages::Table, PassbackMessages::TargetId)
                            .to(PassbackTargets::Table, PassbackTargets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_passback_messages_due",
                vec![PassbackMessages::State, PassbackMessages::DueUs],
            ),
            (
                "ix_passback_messages_target",
                vec![
                    PassbackMessages::TargetId,
                    PassbackMessages::State,
                    PassbackMessages::EventUs,
                ],
            ),
            (
                "ix_passback_messages_state_created",
                vec![PassbackMessages::State, PassbackMessages::CreatedUs],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(PassbackMessages::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PassbackMessages::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum PassbackMessages {
    Table,
    Id,
    TargetId,
    State,
    Payload,
    EventUs,
    DueUs,
    ExpiresUs,
    Attempts,
    LastStatus,
    LastError,
    LastAnswer,
    SentTsUs,
    CreatedUs,
    DeliveredUs,
    FailedUs,
}

#[derive(DeriveIden)]
enum PassbackTargets {
    Table,
    Id,
}
