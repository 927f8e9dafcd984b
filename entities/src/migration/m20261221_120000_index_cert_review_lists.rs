use sea_orm_migration::prelude::*;

use super::m20261207_200300_create_cert_awards::CertAwards;
use super::m20261207_200400_create_cert_evidence::CertEvidence;
use super::m20261207_200600_create_cert_audit::CertAudit;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The console's review lists page by id (keyset) under one equality filter: the audit
/// log by action, actor or belt; awards by status; the evidence queue by status. With
/// `(filter, id)` each page is one index range read, however rare the filtered value is
/// (without it, `action = 'revoke' ORDER BY id DESC` walks the whole log backwards).
const INDEXES: [&str; 5] = [
    "ix_cert_audit_action_id",
    "ix_cert_audit_actor_id",
    "ix_cert_audit_belt_id",
    "ix_cert_awards_status_id",
    "ix_cert_evidence_status_id",
];

fn index(name: &str) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name);
    match name {
        "ix_cert_audit_action_id" => index
            .table(CertAudit::Table)
            .col(CertAudit::Action)
            .col(CertAudit::Id),
        "ix_cert_audit_actor_id" => index
            .table(CertAudit::Table)
            .col(CertAudit::Actor)
            .col(CertAudit::Id),
        "ix_cert_audit_belt_id" => index
            .table(CertAudit::Table)
            .col(CertAudit::BeltId)
            .col(CertAudit::Id),
        "ix_cert_awards_status_id" => index
            .table(CertAwards::Table)
            .col(CertAwards::Status)
            .col(CertAwards::Id),
        _ => index
            .table(CertEvidence::Table)
            .col(CertEvidence::Status)
            .col(CertEvidence::Id),
    };
    index.to_owned()
}

fn table_of(name: &str) -> DynIden {
    if name.starts_with("ix_cert_audit") {
        CertAudit::Table.into_iden()
    } else if name.starts_with("ix_cert_awards") {
        CertAwards::Table.into_iden()
    } else {
        CertEvidence::Table.into_iden()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in INDEXES {
            manager.create_index(index(name)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(table_of(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
