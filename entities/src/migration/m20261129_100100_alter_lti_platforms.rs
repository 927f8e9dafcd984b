//! `jwks_attempted_us`: when the platform's key set was last fetched or tried, success
//! or failure, so the refetch limit also holds when no key set is cached.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LtiPlatforms::Table)
                    .add_column(big_integer_null(LtiPlatforms::JwksAttemptedUs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LtiPlatforms::Table)
                    .drop_column(LtiPlatforms::JwksAttemptedUs)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum LtiPlatforms {
    Table,
    JwksAttemptedUs,
}
