//! `prefs_read_us`: when the launched AU first read its learner's
//! `cmi5LearnerPreferences` Agent Profile document in this session (cmi5 §11: the AU
//! must retrieve it on startup, before it sends statements). NULL until then.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LaunchSessions::Table)
                    .add_column(big_integer_null(LaunchSessions::PrefsReadUs))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LaunchSessions::Table)
                    .drop_column(LaunchSessions::PrefsReadUs)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum LaunchSessions {
    Table,
    PrefsReadUs,
}
