//! Indexes on `expires_us` of `lti_states` and `lti_nonces`, for the pruning deletes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_lti_states_expires")
                    .table(Expiring::LtiStates)
                    .col(Expiring::ExpiresUs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lti_nonces_expires")
                    .table(Expiring::LtiNonces)
                    .col(Expiring::ExpiresUs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("ix_lti_states_expires", Expiring::LtiStates),
            ("ix_lti_nonces_expires", Expiring::LtiNonces),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Expiring {
    LtiStates,
    LtiNonces,
    ExpiresUs,
}
