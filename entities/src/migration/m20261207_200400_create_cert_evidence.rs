use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Evidence a learner submitted for an evidence requirement of a belt, and its review.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertEvidence::Table)
                    .col(big_pk_auto(CertEvidence::Id))
                    .col(string(CertEvidence::LearnerKey))
                    .col(string(CertEvidence::BeltId))
                    .col(string(CertEvidence::RequirementId))
                    .col(string(CertEvidence::Kind))
                    .col(text_null(CertEvidence::Text))
                    .col(text_null(CertEvidence::Url))
                    .col(string_null(CertEvidence::FileSha256))
                    .col(text_null(CertEvidence::FileName))
                    .col(string_null(CertEvidence::MediaType))
                    .col(big_integer_null(CertEvidence::FileBytes))
                    .col(string(CertEvidence::Status))
                    .col(big_integer(CertEvidence::SubmittedUs))
                    .col(string(CertEvidence::SubmittedBy))
                    .col(big_integer_null(CertEvidence::DecidedUs))
                    .col(string_null(CertEvidence::DecidedBy))
                    .col(text_null(CertEvidence::Comment))
                    .to_owned(),
            )
            .await?;
        // The review queue.
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_evidence_queue")
                    .table(CertEvidence::Table)
                    .col(CertEvidence::Status)
                    .col(CertEvidence::SubmittedUs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_evidence_learner")
                    .table(CertEvidence::Table)
                    .col(CertEvidence::LearnerKey)
                    .col(CertEvidence::BeltId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertEvidence::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum CertEvidence {
    Table,
    Id,
    LearnerKey,
    BeltId,
    RequirementId,
    Kind,
    Text,
    Url,
    FileSha256,
    FileName,
    MediaType,
    FileBytes,
    Status,
    SubmittedUs,
    SubmittedBy,
    DecidedUs,
    DecidedBy,
    Comment,
}
