//! `lineitem_origin`: where a target's `lineitem_url` came from — `claim` (the launch's
//! AGS claim named it) or `found` (we found or created it in the `lineitems`
//! container). A retry after a 404 forgets only a found one, so the next attempt finds
//! or re-creates it; a claimed one is the platform's word and is kept. NULL for rows
//! from before this column, treated as `claim`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PassbackTargets::Table)
                    .add_column(string_null(PassbackTargets::LineitemOrigin))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PassbackTargets::Table)
                    .drop_column(PassbackTargets::LineitemOrigin)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PassbackTargets {
    Table,
    LineitemOrigin,
}
