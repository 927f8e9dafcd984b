use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A belt held (or once held) by a learner.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertAwards::Table)
                    .col(big_pk_auto(CertAwards::Id))
                    .col(string(CertAwards::LearnerKey))
                    .col(string(CertAwards::ProgramId))
                    .col(integer(CertAwards::ProgramVersion))
                    .col(string(CertAwards::BeltId))
                    .col(string(CertAwards::Status))
                    .col(string_null(CertAwards::ActiveKey))
                    .col(big_integer(CertAwards::EarnedUs))
                    .col(big_integer_null(CertAwards::ValidUntilUs))
                    .col(big_integer_null(CertAwards::ExpiresUs))
                    .col(json_binary(CertAwards::Evidence))
                    .col(json_binary(CertAwards::Renewals))
                    .col(string(CertAwards::Source))
                    .col(text_null(CertAwards::Reason))
                    .col(string_null(CertAwards::AwardedBy))
                    .col(big_integer_null(CertAwards::RevokedUs))
                    .col(text_null(CertAwards::RevokedReason))
                    .col(string_null(CertAwards::RevokedBy))
                    .col(string_null(CertAwards::StatementId))
                    .col(big_integer(CertAwards::UpdatedUs))
                    .to_owned(),
            )
            .await?;
        // At most one active award per (learner, belt).
        manager
            .create_index(
                Index::create()
                    .name("ux_cert_awards_active")
                    .table(CertAwards::Table)
                    .col(CertAwards::ActiveKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_awards_learner")
                    .table(CertAwards::Table)
                    .col(CertAwards::LearnerKey)
                    .col(CertAwards::BeltId)
                    .to_owned(),
            )
            .await?;
        // Holders of a belt.
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_awards_belt")
                    .table(CertAwards::Table)
                    .col(CertAwards::BeltId)
                    .col(CertAwards::Status)
                    .to_owned(),
            )
            .await?;
        // The expiry sweep.
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_awards_expiry")
                    .table(CertAwards::Table)
                    .col(CertAwards::Status)
                    .col(CertAwards::ExpiresUs)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertAwards::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum CertAwards {
    Table,
    Id,
    LearnerKey,
    ProgramId,
    ProgramVersion,
    BeltId,
    Status,
    ActiveKey,
    EarnedUs,
    ValidUntilUs,
    ExpiresUs,
    Evidence,
    Renewals,
    Source,
    Reason,
    AwardedBy,
    RevokedUs,
    RevokedReason,
    RevokedBy,
    StatementId,
    UpdatedUs,
}
