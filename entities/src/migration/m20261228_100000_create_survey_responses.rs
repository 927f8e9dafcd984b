use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Anonymous survey responses (issue 20 contract §6), in two tables with nothing in
/// common but the survey id:
/// - `survey_answers`: one row per answer value, under a random respondent id and the
///   UTC date only; no learner, registration, session or time column. Its key is a
///   random id too, so neither the key nor its order says when a row was written.
/// - `survey_respondents`: that a registration has answered a survey, as a keyed hash
///   of (survey, registration), with no time and no respondent id.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SurveyAnswers::Table)
                    .col(string(SurveyAnswers::Id).primary_key())
                    .col(string(SurveyAnswers::Respondent))
                    .col(text(SurveyAnswers::SurveyId))
                    .col(text(SurveyAnswers::QuestionId))
                    .col(text(SurveyAnswers::Answer))
                    .col(string(SurveyAnswers::AnsweredOn))
                    .to_owned(),
            )
            .await?;
        // Counts per question, and the export (one respondent's rows together).
        manager
            .create_index(
                Index::create()
                    .name("ix_survey_answers_question")
                    .table(SurveyAnswers::Table)
                    .col(SurveyAnswers::SurveyId)
                    .col(SurveyAnswers::QuestionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_survey_answers_respondent")
                    .table(SurveyAnswers::Table)
                    .col(SurveyAnswers::SurveyId)
                    .col(SurveyAnswers::Respondent)
                    .col(SurveyAnswers::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyRespondents::Table)
                    .col(text(SurveyRespondents::SurveyId))
                    .col(string(SurveyRespondents::RegistrationHash))
                    .primary_key(
                        Index::create()
                            .col(SurveyRespondents::SurveyId)
                            .col(SurveyRespondents::RegistrationHash),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SurveyRespondents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SurveyAnswers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    Id,
    Respondent,
    SurveyId,
    QuestionId,
    Answer,
    AnsweredOn,
}

#[derive(DeriveIden)]
enum SurveyRespondents {
    Table,
    SurveyId,
    RegistrationHash,
}
