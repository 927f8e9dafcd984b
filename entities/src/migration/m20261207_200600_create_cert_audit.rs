use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The certification audit log: every award, renewal, expiry, revocation, evidence decision and manual change.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertAudit::Table)
                    .col(big_pk_auto(CertAudit::Id))
                    .col(big_integer(CertAudit::AtUs))
                    .col(string(CertAudit::Actor))
                    .col(string(CertAudit::Action))
                    .col(string_null(CertAudit::LearnerKey))
                    .col(string_null(CertAudit::BeltId))
                    .col(big_integer_null(CertAudit::AwardId))
                    .col(big_integer_null(CertAudit::EvidenceId))
                    .col(text_null(CertAudit::Reason))
                    .col(json_binary(CertAudit::Details))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_audit_at")
                    .table(CertAudit::Table)
                    .col(CertAudit::AtUs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_audit_learner")
                    .table(CertAudit::Table)
                    .col(CertAudit::LearnerKey)
                    .col(CertAudit::AtUs)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertAudit::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum CertAudit {
    Table,
    Id,
    AtUs,
    Actor,
    Action,
    LearnerKey,
    BeltId,
    AwardId,
    EvidenceId,
    Reason,
    Details,
}
