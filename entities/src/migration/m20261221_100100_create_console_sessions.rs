use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Signed-in console sessions, kept on the server: the cookie holds a random token and
/// only its SHA-256 is stored. A session is a password user's (`user_id`) or a manager
/// arriving from an LMS course (`lti_context_id`, scoped to that course's roster).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSessions::Table)
                    .col(string(ConsoleSessions::TokenHash).primary_key())
                    .col(big_integer_null(ConsoleSessions::UserId))
                    .col(big_integer_null(ConsoleSessions::LtiContextId))
                    .col(string_null(ConsoleSessions::LtiName))
                    .col(string_null(ConsoleSessions::LtiRole))
                    .col(big_integer(ConsoleSessions::CreatedUs))
                    .col(big_integer(ConsoleSessions::LastSeenUs))
                    .col(big_integer(ConsoleSessions::ExpiresUs))
                    .col(string_null(ConsoleSessions::Ip))
                    .col(string_null(ConsoleSessions::UserAgent))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_console_sessions_user")
                    .table(ConsoleSessions::Table)
                    .col(ConsoleSessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_console_sessions_expires")
                    .table(ConsoleSessions::Table)
                    .col(ConsoleSessions::ExpiresUs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(super) enum ConsoleSessions {
    Table,
    TokenHash,
    UserId,
    LtiContextId,
    LtiName,
    LtiRole,
    CreatedUs,
    LastSeenUs,
    ExpiresUs,
    Ip,
    UserAgent,
}
