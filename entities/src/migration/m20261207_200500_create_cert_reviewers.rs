use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Who may review evidence of a belt: a credential or a learner.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertReviewers::Table)
                    .col(string(CertReviewers::BeltId))
                    .col(string(CertReviewers::ReviewerKey))
                    .col(big_integer(CertReviewers::AddedUs))
                    .col(string(CertReviewers::AddedBy))
                    .primary_key(
                        Index::create()
                            .col(CertReviewers::BeltId)
                            .col(CertReviewers::ReviewerKey),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertReviewers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum CertReviewers {
    Table,
    BeltId,
    ReviewerKey,
    AddedUs,
    AddedBy,
}
