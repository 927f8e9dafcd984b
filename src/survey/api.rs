//! `POST /api/survey/responses` (a launched survey AU sends its answers, once) and
//! `GET /api/survey/{id}/results` (the aggregate, for administrators).
//! Spec: issue 20 contract §6 (anonymous survey).

use std::collections::BTreeMap;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::answers;
use super::catalog::{self, Survey};
use super::report::{self, MIN_GROUP, Report};
use super::respondent::{MarkerKey, today};
use super::store;
use crate::auth::{AdminAuth, BasicAuth};
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::launch::grant::{LaunchGrant, LaunchMode};
use crate::openapi::ApiTags;

/// Where responses are sent (its body limit is `MAX_RESPONSE_BYTES`).
pub const RESPONSES_PATH: &str = "/api/survey/responses";
/// A response body's limit: nine questions of 2,000 characters fit several times over.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

pub struct SurveyApi {
    pub db: Db,
    /// Keys the "has answered" markers (loaded on first use).
    pub marker_key: MarkerKey,
}

/// One learner's answers to an anonymous survey, sent once on Submit.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SurveyResponseBody {
    /// The survey AU this launch is for: its publisher id (cmi5.xml `au@id`, the
    /// `grouping` of the launch's contextTemplate) or the LMS activity id it was launched
    /// under.
    #[oai(validator(max_length = 2048))]
    pub activity_id: String,
    /// Question id (`fieldset[data-bb-question]`) → answer: an option value (`"b"`, a
    /// likert `"4"`), a list of option values for a multi-select question
    /// (`["a","c"]`), or free text of at most 2,000 characters for a fill-in question.
    /// A question left out is skipped.
    pub answers: BTreeMap<String, serde_json::Value>,
}

/// What was stored.
#[derive(Debug, Object)]
pub struct SurveyStored {
    /// Questions answered (a multi-select answer counts once).
    pub stored: u64,
}

#[derive(ApiResponse)]
pub enum SurveyStoredResponse {
    /// Stored anonymously: under a random respondent id with the date only; a
    /// separate keyed hash records that this registration has answered.
    #[oai(status = 201)]
    Created(Json<SurveyStored>),
}

/// One option's share of a question's respondents.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SurveyOptionResult {
    /// The option value answers carry.
    pub value: String,
    /// Its label on the page.
    pub label: String,
    /// Respondents who chose it.
    pub count: u64,
    /// `count` as a percentage of the question's respondents (one decimal; the options
    /// of a multi-select question may add up to more than 100).
    pub percent: f64,
}

/// One question's results.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SurveyQuestionResult {
    /// The question id.
    pub id: String,
    /// The question as the page asks it (its legend).
    pub text: String,
    /// `choice`, `multiple-choice`, `likert` or `fill-in`.
    pub kind: String,
    /// Respondents who answered it.
    pub answered: u64,
    /// True when fewer than `minGroup` answered it: `options` and `texts` are empty.
    pub withheld: bool,
    /// Choice and likert questions: every option in page order, with its count.
    pub options: Vec<SurveyOptionResult>,
    /// Fill-in questions: the answers in a random order (at most 500).
    pub texts: Vec<String>,
}

/// A survey's aggregate results. Nothing in it names or dates a respondent.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SurveyResults {
    /// The survey id: the AU's publisher id.
    pub id: String,
    /// The AU's title.
    pub title: String,
    /// The title of the course it is in.
    pub course_title: String,
    /// How many have answered.
    pub respondents: u64,
    /// The fewest respondents a breakdown is shown for.
    pub min_group: u64,
    /// True when `respondents` is under `minGroup`: every question is withheld.
    pub withheld: bool,
    /// The questions in page order.
    pub questions: Vec<SurveyQuestionResult>,
}

impl From<Report> for SurveyResults {
    fn from(r: Report) -> Self {
        SurveyResults {
            id: r.survey_id,
            title: r.title,
            course_title: r.course_title,
            respondents: r.respondents,
            min_group: MIN_GROUP,
            withheld: r.withheld,
            questions: r
                .questions
                .into_iter()
                .map(|q| SurveyQuestionResult {
                    id: q.id,
                    text: q.text,
                    kind: q.kind,
                    answered: q.answered,
                    withheld: q.withheld,
                    options: q
                        .options
                        .into_iter()
                        .map(|o| SurveyOptionResult {
                            value: o.value,
                            label: o.label,
                            count: o.count,
                            percent: o.percent,
                        })
                        .collect(),
                    texts: q.texts,
                })
                .collect(),
        }
    }
}

#[OpenApi(prefix_path = "/api/survey", tag = "ApiTags::Surveys")]
impl SurveyApi {
    /// Stores an anonymous survey response: the launch token of a Normal launch of an AU
    /// whose page is `main[data-bb-survey="anonymous"]` and which is unscored in
    /// cmi5.xml; at most 64 KiB. 400 naming the field (`activityId` when the launch's AU
    /// is not such a survey; `answers.<id>` for an unknown question, an option the
    /// question does not have, the wrong shape, free text over 2,000 characters), 403
    /// for another credential, another AU's id or a Browse/Review launch, 409 when this
    /// registration has already answered. Nothing is stored unless all is well.
    #[oai(
        path = "/responses",
        method = "post",
        operation_id = "postSurveyResponse"
    )]
    async fn respond(
        &self,
        auth: BasicAuth,
        body: Json<SurveyResponseBody>,
    ) -> ApiResult<SurveyStoredResponse> {
        let grant = LaunchGrant::of(&auth).ok_or_else(launch_token_only)?;
        if grant.launch_mode != LaunchMode::Normal {
            return Err(Error::ForbiddenBecause(format!(
                "this is a {} launch; survey answers are taken from Normal launches only",
                grant.launch_mode.name()
            ))
            .into());
        }
        let survey = catalog::of_launch(&self.db.conn, grant)
            .await?
            .ok_or_else(|| not_a_survey(grant))?;
        check_activity(grant, &body.activity_id)?;
        let marker = self
            .marker_key
            .marker(&self.db, &survey.id, &grant.registration)
            .await?;
        if store::has_answered(&self.db.conn, &survey.id, &marker).await? {
            return Err(store::already_answered().into());
        }
        let answers = answers::validate(&survey.form, &body.answers)?;
        store::record(&self.db, &survey.id, &marker, &answers, &today()).await?;
        Ok(SurveyStoredResponse::Created(Json(SurveyStored {
            stored: answers.len() as u64,
        })))
    }

    /// A survey's aggregate results: respondents, per question how many answered and
    /// each option's count and percentage, free-text answers in a random order. Under 5
    /// respondents (for the survey or a question) the breakdown is withheld. `id` is
    /// the survey AU's publisher id, percent-encoded. Administrators only; 404 for an
    /// id that is not an anonymous survey of an imported course.
    #[oai(
        path = "/:id/results",
        method = "get",
        operation_id = "getSurveyResults"
    )]
    async fn results(&self, _auth: AdminAuth, id: Path<String>) -> ApiResult<Json<SurveyResults>> {
        let survey: Survey = catalog::find(&self.db.conn, &id.0).await?.ok_or_else(|| {
            Error::NotFound(format!(
                "no anonymous survey has id {:?}; the id is the survey AU's id in cmi5.xml \
                 (GET /api/courses lists the AUs)",
                id.0
            ))
        })?;
        let report = report::build(&self.db.conn, &survey).await?;
        Ok(Json(report.into()))
    }
}

/// `activityId` must name the AU this launch is for, by either of its ids.
fn check_activity(grant: &LaunchGrant, activity_id: &str) -> Result<(), Error> {
    if activity_id == grant.publisher_au_id || activity_id == grant.au_id {
        Ok(())
    } else {
        Err(Error::ForbiddenBecause(format!(
            "activityId: {activity_id:?} is not the AU this launch is for ({:?}); a launch \
             token answers only its own AU's survey",
            grant.publisher_au_id
        )))
    }
}

fn launch_token_only() -> Error {
    Error::ForbiddenBecause(
        "survey responses are sent with the survey AU's launch token (cmi5 auth token); \
         no other credential may send one"
            .into(),
    )
}

fn not_a_survey(grant: &LaunchGrant) -> Error {
    Error::BadRequest(format!(
        "activityId: this launch's AU ({:?}) is not an anonymous survey: its page is not \
         main[data-bb-survey=\"anonymous\"], it has scored questions, or cmi5.xml gives \
         it a masteryScore",
        grant.publisher_au_id
    ))
}
