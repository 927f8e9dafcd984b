use sea_orm_migration::prelude::*;

use super::m20261207_200300_create_cert_awards::CertAwards;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Holders per belt (the console's overview and program pages) count active awards by
/// (program, belt). This index answers that from the index alone once the table is
/// vacuumed, instead of a scan of every award row: at 183,000 awards beside 10 million
/// statements on PostgreSQL the scan read the whole table from disk for each page view
/// (issue 18's console bench).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_awards_holders")
                    .table(CertAwards::Table)
                    .col(CertAwards::Status)
                    .col(CertAwards::ProgramId)
                    .col(CertAwards::BeltId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_cert_awards_holders")
                    .table(CertAwards::Table)
                    .to_owned(),
            )
            .await
    }
}
