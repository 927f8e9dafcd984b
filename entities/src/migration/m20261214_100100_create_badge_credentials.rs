use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The Open Badges credential of an award: its public id, its place in a status list,
/// the subject's salt, and the signed forms (re-signed when the award changes).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BadgeCredentials::Table)
                    .col(string(BadgeCredentials::Id).primary_key())
                    .col(big_integer(BadgeCredentials::AwardId))
                    .col(string(BadgeCredentials::LearnerKey))
                    .col(integer(BadgeCredentials::StatusList))
                    .col(integer(BadgeCredentials::StatusIndex))
                    .col(string(BadgeCredentials::SubjectId))
                    .col(string(BadgeCredentials::SubjectSalt))
                    .col(boolean(BadgeCredentials::ShowName))
                    .col(string_null(BadgeCredentials::SignedFor))
                    .col(json_binary_null(BadgeCredentials::SignedJson))
                    .col(text_null(BadgeCredentials::SignedJwt))
                    .col(big_integer(BadgeCredentials::CreatedUs))
                    .col(big_integer(BadgeCredentials::UpdatedUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_badge_credentials_award")
                    .table(BadgeCredentials::Table)
                    .col(BadgeCredentials::AwardId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_badge_credentials_status")
                    .table(BadgeCredentials::Table)
                    .col(BadgeCredentials::StatusList)
                    .col(BadgeCredentials::StatusIndex)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_badge_credentials_learner")
                    .table(BadgeCredentials::Table)
                    .col(BadgeCredentials::LearnerKey)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BadgeCredentials::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum BadgeCredentials {
    Table,
    Id,
    AwardId,
    LearnerKey,
    StatusList,
    StatusIndex,
    SubjectId,
    SubjectSalt,
    ShowName,
    SignedFor,
    SignedJson,
    SignedJwt,
    CreatedUs,
    UpdatedUs,
}
