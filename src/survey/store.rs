//! Survey storage: a response's answers and its "has answered" marker in one
//! transaction, and the reads the report and the export make. Nothing here takes or
//! writes a learner, registration, session or time: the marker arrives already hashed
//! (`respondent::marker`), and answers carry a date only.

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};

use super::answers::Answer;
use crate::db::Db;
use crate::error::Error;
use crate::sql::Sql;
use entities::{survey_answer, survey_respondent};

/// Whether the marker `hash` is already stored for `survey_id`.
pub async fn has_answered(
    conn: &impl ConnectionTrait,
    survey_id: &str,
    hash: &str,
) -> Result<bool, Error> {
    Ok(
        survey_respondent::Entity::find_by_id((survey_id.to_owned(), hash.to_owned()))
            .one(conn)
            .await?
            .is_some(),
    )
}

/// Stores one response: the marker, then every answer value under a fresh random
/// respondent id and `date`. A marker already there (a race with another submit of the
/// same registration) is a conflict and nothing is written. Returns the rows written.
pub async fn record(
    db: &Db,
    survey_id: &str,
    hash: &str,
    answers: &[Answer],
    date: &str,
) -> Result<usize, Error> {
    let respondent = uuid::Uuid::new_v4().to_string();
    let rows: Vec<survey_answer::ActiveModel> = answers
        .iter()
        .flat_map(|a| a.values.iter().map(move |v| (&a.question_id, v)))
        .map(|(question, value)| survey_answer::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            respondent: Set(respondent.clone()),
            survey_id: Set(survey_id.to_owned()),
            question_id: Set(question.clone()),
            answer: Set(value.clone()),
            answered_on: Set(date.to_owned()),
        })
        .collect();
    let written = rows.len();
    let _gate = db.write_gate().await;
    let tx = db.writer().begin().await?;
    let marker = survey_respondent::ActiveModel {
        survey_id: Set(survey_id.to_owned()),
        registration_hash: Set(hash.to_owned()),
    };
    match survey_respondent::Entity::insert(marker)
        .exec_without_returning(&tx)
        .await
    {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(already_answered());
        }
        Err(e) => return Err(e.into()),
    }
    if !rows.is_empty() {
        survey_answer::Entity::insert_many(rows)
            .exec_without_returning(&tx)
            .await?;
    }
    tx.commit().await?;
    Ok(written)
}

pub fn already_answered() -> Error {
    Error::Conflict(
        "this registration has already answered this survey; a survey is answered once".into(),
    )
}

/// How many have answered `survey_id` (its markers, so a response that skipped every
/// question counts too).
pub async fn respondents(conn: &impl ConnectionTrait, survey_id: &str) -> Result<u64, Error> {
    Ok(survey_respondent::Entity::find()
        .filter(survey_respondent::Column::SurveyId.eq(survey_id))
        .count(conn)
        .await?)
}

/// Per question, how many respondents answered it.
pub async fn answered_per_question(
    conn: &impl ConnectionTrait,
    survey_id: &str,
) -> Result<HashMap<String, u64>, Error> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new("SELECT question_id, COUNT(DISTINCT respondent) FROM survey_answers");
    sql.bind(" WHERE survey_id = ?", survey_id)
        .push(" GROUP BY question_id");
    let mut out = HashMap::new();
    for row in conn.query_all_raw(sql.build(backend)).await? {
        let n: i64 = row.try_get_by_index(1)?;
        out.insert(row.try_get_by_index(0)?, u64::try_from(n).unwrap_or(0));
    }
    Ok(out)
}

/// Per (question, option value), how often it was chosen, for the questions `ids`
/// (the choice and likert ones: free text is never grouped).
pub async fn option_counts(
    conn: &impl ConnectionTrait,
    survey_id: &str,
    ids: &[&str],
) -> Result<HashMap<(String, String), u64>, Error> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let backend = conn.get_database_backend();
    let mut sql = Sql::new("SELECT question_id, answer, COUNT(*) FROM survey_answers");
    sql.bind(" WHERE survey_id = ?", survey_id)
        .push(" AND question_id IN ")
        .bind_list(ids.iter().map(|id| (*id).to_owned()))
        .push(" GROUP BY question_id, answer");
    for row in conn.query_all_raw(sql.build(backend)).await? {
        let n: i64 = row.try_get_by_index(2)?;
        out.insert(
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?),
            u64::try_from(n).unwrap_or(0),
        );
    }
    Ok(out)
}

/// Up to `limit` free-text answers to one question, in the order of their random row
/// ids: a shuffle that says nothing about who wrote what, or when.
pub async fn texts(
    conn: &impl ConnectionTrait,
    survey_id: &str,
    question_id: &str,
    limit: u64,
) -> Result<Vec<String>, Error> {
    Ok(survey_answer::Entity::find()
        .select_only()
        .column(survey_answer::Column::Answer)
        .filter(survey_answer::Column::SurveyId.eq(survey_id))
        .filter(survey_answer::Column::QuestionId.eq(question_id))
        .order_by_asc(survey_answer::Column::Id)
        .limit(limit)
        .into_tuple::<String>()
        .all(conn)
        .await?)
}

/// The export's keyset: (respondent, row id) of the last row sent.
pub type ExportKey = (String, String);

/// Up to `limit` answer rows of `survey_id` to the questions `questions` after
/// `after`, one respondent's rows together (respondent, then row id).
pub async fn export_page(
    conn: &impl ConnectionTrait,
    survey_id: &str,
    questions: &[String],
    after: Option<ExportKey>,
    limit: u64,
) -> Result<Vec<survey_answer::Model>, Error> {
    use sea_orm::Condition;
    use survey_answer::Column as C;
    let mut query = survey_answer::Entity::find()
        .filter(C::SurveyId.eq(survey_id))
        .filter(C::QuestionId.is_in(questions.iter().cloned()));
    if let Some((respondent, id)) = after {
        query = query.filter(
            Condition::any()
                .add(C::Respondent.gt(respondent.clone()))
                .add(
                    Condition::all()
                        .add(C::Respondent.eq(respondent))
                        .add(C::Id.gt(id)),
                ),
        );
    }
    Ok(query
        .order_by_asc(C::Respondent)
        .order_by_asc(C::Id)
        .limit(limit)
        .all(conn)
        .await?)
}
