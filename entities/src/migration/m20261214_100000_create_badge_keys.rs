use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The issuer's signing keys for Open Badges credentials: ES256 (VC-JWT) and Ed25519
/// (Data Integrity). Retired keys stay, so what they signed still verifies.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BadgeKeys::Table)
                    .col(string(BadgeKeys::Kid).primary_key())
                    .col(string(BadgeKeys::Alg))
                    .col(text(BadgeKeys::PrivateSealed))
                    .col(json_binary(BadgeKeys::PublicJwk))
                    .col(string_null(BadgeKeys::PublicMultibase))
                    .col(big_integer(BadgeKeys::CreatedUs))
                    .col(big_integer_null(BadgeKeys::RetiredUs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BadgeKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum BadgeKeys {
    Table,
    Kid,
    Alg,
    PrivateSealed,
    PublicJwk,
    PublicMultibase,
    CreatedUs,
    RetiredUs,
}
