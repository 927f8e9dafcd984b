//! `retired_us`: when a course was retired (NULL while it is in the catalog). Every
//! version row of the course carries it, so a lookup by version or slug agrees with the
//! catalog; a re-import copies it to the new version.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Packages::Table)
                    .add_column(big_integer_null(Packages::RetiredUs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Packages::Table)
                    .drop_column(Packages::RetiredUs)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Packages {
    Table,
    RetiredUs,
}
