//! One-time links an administrator makes for LTI Dynamic Registration: without one,
//! `/lti/register` fetches nothing. The secret half of the link is stored hashed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LtiRegistrationLinks::Table)
                    .col(string(LtiRegistrationLinks::Key).primary_key())
                    .col(string(LtiRegistrationLinks::Salt))
                    .col(string(LtiRegistrationLinks::SecretHash))
                    .col(string(LtiRegistrationLinks::Label))
                    .col(big_integer(LtiRegistrationLinks::CreatedUs))
                    .col(big_integer(LtiRegistrationLinks::ExpiresUs))
                    .col(big_integer_null(LtiRegistrationLinks::UsedUs))
                    .col(big_integer_null(LtiRegistrationLinks::PlatformId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LtiRegistrationLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LtiRegistrationLinks {
    Table,
    Key,
    Salt,
    SecretHash,
    Label,
    CreatedUs,
    ExpiresUs,
    UsedUs,
    PlatformId,
}
