use sea_orm_migration::prelude::*;

use super::m20261207_200000_create_cert_programs::CertPrograms;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A program may go back to an earlier version's content (A, B, then A again is version
/// 3): the content hash stays indexed for lookups, but no longer unique; versions stay
/// unique per program (`ux_cert_programs_id_version`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_cert_programs_hash")
                    .table(CertPrograms::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_programs_hash")
                    .table(CertPrograms::Table)
                    .col(CertPrograms::ContentHash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_cert_programs_hash")
                    .table(CertPrograms::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_cert_programs_hash")
                    .table(CertPrograms::Table)
                    .col(CertPrograms::ContentHash)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
