//! `origin`: the LMS origin of an LTI 1.1 consumer (`https://lms.example.com`), so the
//! modules' `frame-ancestors` policy lets that LMS frame them without editing
//! `frame_ancestors` by hand. Nullable: consumers made before keep working as they did.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LtiConsumers::Table)
                    .add_column(string_null(LtiConsumers::Origin))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LtiConsumers::Table)
                    .drop_column(LtiConsumers::Origin)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum LtiConsumers {
    Table,
    Origin,
}
