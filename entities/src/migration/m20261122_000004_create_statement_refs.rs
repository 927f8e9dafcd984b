use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Only statements whose object is a StatementRef get a row, so ordinary writes pay
        // nothing for the lookups "who voids / references this id?".
        manager
            .create_table(
                Table::create()
                    .table(StatementRefs::Table)
                    .col(string(StatementRefs::TargetId))
                    .col(big_integer(StatementRefs::ReferrerSeq))
                    .col(boolean(StatementRefs::Voiding))
                    .primary_key(
                        Index::create()
                            .col(StatementRefs::TargetId)
                            .col(StatementRefs::ReferrerSeq),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StatementRefs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StatementRefs {
    Table,
    TargetId,
    ReferrerSeq,
    Voiding,
}
