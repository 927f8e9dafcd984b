use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(string(Registrations::Registration).primary_key())
                    .col(string(Registrations::LearnerKey))
                    .col(string(Registrations::CourseKey))
                    .col(text(Registrations::CourseId))
                    .col(big_integer(Registrations::PackageSeq))
                    .col(json_binary(Registrations::Actor))
                    .col(string_null(Registrations::Email))
                    .col(big_integer(Registrations::CreatedUs))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Registrations::Table, Registrations::PackageSeq)
                            .to(Packages::Table, Packages::Seq),
                    )
                    .to_owned(),
            )
            .await?;
        // cmi5 §10: one registration per learner and course, reused on relaunch.
        manager
            .create_index(
                Index::create()
                    .name("ux_registrations_learner_course")
                    .table(Registrations::Table)
                    .col(Registrations::LearnerKey)
                    .col(Registrations::CourseKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LaunchSessions::Table)
                    .col(string(LaunchSessions::SessionId).primary_key())
                    .col(string(LaunchSessions::Registration))
                    .col(text(LaunchSessions::AuId))
                    .col(string(LaunchSessions::LaunchMode))
                    .col(double_null(LaunchSessions::MasteryScore))
                    .col(string(LaunchSessions::MoveOn))
                    .col(string(LaunchSessions::Salt))
                    .col(string(LaunchSessions::FetchHash))
                    .col(string_null(LaunchSessions::TokenHash))
                    .col(big_integer(LaunchSessions::CreatedUs))
                    .col(big_integer(LaunchSessions::ExpiresUs))
                    .col(big_integer_null(LaunchSessions::InitializedUs))
                    .col(big_integer_null(LaunchSessions::TerminatedUs))
                    .col(boolean(LaunchSessions::Abandoned))
                    .col(string(LaunchSessions::DefinedVerbs))
                    .col(text_null(LaunchSessions::ReturnUrl))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LaunchSessions::Table, LaunchSessions::Registration)
                            .to(Registrations::Table, Registrations::Registration),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_launch_sessions_registration")
                    .table(LaunchSessions::Table)
                    .col(LaunchSessions::Registration)
                    .col(LaunchSessions::CreatedUs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Progress::Table)
                    .col(string(Progress::Registration))
                    .col(text(Progress::ObjectId))
                    .col(string(Progress::Kind))
                    .col(boolean(Progress::Attempted))
                    .col(boolean(Progress::Completed))
                    .col(boolean(Progress::Passed))
                    .col(boolean(Progress::Failed))
                    .col(boolean(Progress::Satisfied))
                    .col(double_null(Progress::Score))
                    .col(integer_null(Progress::ProgressPercent))
                    .col(big_integer(Progress::UpdatedUs))
                    .primary_key(
                        Index::create()
                            .col(Progress::Registration)
                            .col(Progress::ObjectId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Progress::Table, Progress::Registration)
                            .to(Registrations::Table, Registrations::Registration),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Progress::Table.into_iden(),
            LaunchSessions::Table.into_iden(),
            Registrations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Packages {
    Table,
    Seq,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Registration,
    LearnerKey,
    CourseKey,
    CourseId,
    PackageSeq,
    Actor,
    Email,
    CreatedUs,
}

#[derive(DeriveIden)]
enum LaunchSessions {
    Table,
    SessionId,
    Registration,
    AuId,
    LaunchMode,
    MasteryScore,
    MoveOn,
    Salt,
    FetchHash,
    TokenHash,
    CreatedUs,
    ExpiresUs,
    InitializedUs,
    TerminatedUs,
    Abandoned,
    DefinedVerbs,
    ReturnUrl,
}

// `ProgressPercent` names the column `progress_percent`.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Progress {
    Table,
    Registration,
    ObjectId,
    Kind,
    Attempted,
    Completed,
    Passed,
    Failed,
    Satisfied,
    Score,
    ProgressPercent,
    UpdatedUs,
}
