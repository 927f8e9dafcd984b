use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LtiPlatforms::Table)
                    .col(big_pk_auto(LtiPlatforms::Id))
                    .col(string(LtiPlatforms::Name))
                    .col(string(LtiPlatforms::Issuer))
                    .col(string(LtiPlatforms::ClientId))
                    .col(text(LtiPlatforms::AuthLoginUrl))
                    .col(text(LtiPlatforms::TokenUrl))
                    .col(text(LtiPlatforms::JwksUrl))
                    .col(json_binary(LtiPlatforms::DeploymentIds))
                    .col(string(LtiPlatforms::Status))
                    .col(json_binary_null(LtiPlatforms::Jwks))
                    .col(big_integer_null(LtiPlatforms::JwksFetchedUs))
                    .col(big_integer(LtiPlatforms::CreatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_lti_platforms_issuer_client")
                    .table(LtiPlatforms::Table)
                    .col(LtiPlatforms::Issuer)
                    .col(LtiPlatforms::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiKeys::Table)
                    .col(string(LtiKeys::Kid).primary_key())
                    .col(text(LtiKeys::PrivatePem))
                    .col(json_binary(LtiKeys::PublicJwk))
                    .col(big_integer(LtiKeys::CreatedUs))
                    .col(big_integer_null(LtiKeys::RetiredUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiStates::Table)
                    .col(string(LtiStates::StateHash).primary_key())
                    .col(big_integer(LtiStates::PlatformId))
                    .col(string(LtiStates::Nonce))
                    .col(text(LtiStates::TargetLinkUri))
                    .col(big_integer(LtiStates::ExpiresUs))
                    .col(boolean(LtiStates::Used))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LtiStates::Table, LtiStates::PlatformId)
                            .to(LtiPlatforms::Table, LtiPlatforms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiConsumers::Table)
                    .col(string(LtiConsumers::ConsumerKey).primary_key())
                    .col(string(LtiConsumers::Name))
                    .col(string(LtiConsumers::Secret))
                    .col(big_integer(LtiConsumers::CreatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiNonces::Table)
                    .col(string(LtiNonces::Scope))
                    .col(string(LtiNonces::Nonce))
                    .col(big_integer(LtiNonces::ExpiresUs))
                    .primary_key(Index::create().col(LtiNonces::Scope).col(LtiNonces::Nonce))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LtiLaunches::Table)
                    .col(big_pk_auto(LtiLaunches::Id))
                    .col(string(LtiLaunches::SessionId))
                    .col(string(LtiLaunches::Registration))
                    .col(string(LtiLaunches::Version))
                    .col(string(LtiLaunches::Source))
                    .col(json_binary(LtiLaunches::Services))
                    .col(big_integer(LtiLaunches::CreatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lti_launches_registration")
                    .table(LtiLaunches::Table)
                    .col(LtiLaunches::Registration)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LtiLaunches::Table.into_iden(),
            LtiNonces::Table.into_iden(),
            LtiConsumers::Table.into_iden(),
            LtiStates::Table.into_iden(),
            LtiKeys::Table.into_iden(),
            LtiPlatforms::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum LtiPlatforms {
    Table,
    Id,
    Name,
    Issuer,
    ClientId,
    AuthLoginUrl,
    TokenUrl,
    JwksUrl,
    DeploymentIds,
    Status,
    Jwks,
    JwksFetchedUs,
    CreatedUs,
}

#[derive(DeriveIden)]
enum LtiKeys {
    Table,
    Kid,
    PrivatePem,
    PublicJwk,
    CreatedUs,
    RetiredUs,
}

#[derive(DeriveIden)]
enum LtiStates {
    Table,
    StateHash,
    PlatformId,
    Nonce,
    TargetLinkUri,
    ExpiresUs,
    Used,
}

#[derive(DeriveIden)]
enum LtiConsumers {
    Table,
    ConsumerKey,
    Name,
    Secret,
    CreatedUs,
}

#[derive(DeriveIden)]
enum LtiNonces {
    Table,
    Scope,
    Nonce,
    ExpiresUs,
}

#[derive(DeriveIden)]
enum LtiLaunches {
    Table,
    Id,
    SessionId,
    Registration,
    Version,
    Source,
    Services,
    CreatedUs,
}
