use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Credentials::Table)
                    .col(big_pk_auto(Credentials::Id))
                    .col(string_uniq(Credentials::Key))
                    .col(string(Credentials::Name))
                    .col(string(Credentials::Salt))
                    .col(string(Credentials::SecretHash))
                    .col(string(Credentials::Scopes))
                    .col(json_binary(Credentials::Authority))
                    .col(big_integer(Credentials::CreatedAtMs))
                    .col(big_integer_null(Credentials::RevokedAtMs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Credentials::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Id,
    Key,
    Name,
    Salt,
    SecretHash,
    Scopes,
    Authority,
    CreatedAtMs,
    RevokedAtMs,
}
