use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Company variables (company name, policy URL, contacts, logo) set in the console:
/// one row per variable, overriding the `[company]` configuration.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CompanySettings::Table)
                    .col(string(CompanySettings::Name).primary_key())
                    .col(text(CompanySettings::Value))
                    .col(big_integer(CompanySettings::UpdatedUs))
                    .col(string(CompanySettings::UpdatedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CompanySettings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CompanySettings {
    Table,
    Name,
    Value,
    UpdatedUs,
    UpdatedBy,
}
