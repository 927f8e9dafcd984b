use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One imported version of a certification program file (`packages/**/program.toml`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertPrograms::Table)
                    .col(big_pk_auto(CertPrograms::Seq))
                    .col(string(CertPrograms::ProgramId))
                    .col(integer(CertPrograms::Version))
                    .col(string(CertPrograms::ContentHash))
                    .col(string(CertPrograms::Name))
                    .col(json_binary(CertPrograms::Definition))
                    .col(big_integer(CertPrograms::ImportedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_cert_programs_id_version")
                    .table(CertPrograms::Table)
                    .col(CertPrograms::ProgramId)
                    .col(CertPrograms::Version)
                    .unique()
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
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertPrograms::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum CertPrograms {
    Table,
    Seq,
    ProgramId,
    Version,
    ContentHash,
    Name,
    Definition,
    ImportedUs,
}
