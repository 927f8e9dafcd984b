//! `/console/surveys`: the anonymous surveys' aggregate results for the L&D team
//! (roles admin, program and viewer): respondents, per question the count and share of
//! each answer (a table, with bars drawn as inline SVG beside it), free-text answers in
//! a random order, and a CSV export of the anonymous answer rows. Breakdowns under
//! `report::MIN_GROUP` respondents are withheld, here and in the export.

use askama::Template;
use poem::web::{Data, Query};
use poem::{Response, Route, get, handler};
use serde::Deserialize;

use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer, csv};
use crate::survey::catalog::{self, Survey};
use crate::survey::report::{self, MIN_GROUP, Report};
use crate::survey::store::{self, ExportKey};
use entities::survey_answer;

#[derive(Debug, Default, Deserialize)]
struct SurveyQuery {
    /// The survey shown (its AU id); the first one when absent.
    survey: Option<String>,
}

/// A survey in the list at the top of the page.
struct SurveyLink {
    title: String,
    course: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "surveys.html")]
struct SurveysPage {
    title: String,
    chrome: Chrome,
    surveys: Vec<SurveyLink>,
    report: Option<Report>,
    export: Option<String>,
    min_group: u64,
}

fn href(survey: &Survey) -> String {
    format!("/console/surveys?survey={}", escape(&survey.id))
}

fn escape(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[handler]
async fn show(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(query): Query<SurveyQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeSurveys)?;
    let conn = &console.db.conn;
    let surveys = catalog::all(conn).await.map_err(page::from_error)?;
    let chosen = match &query.survey {
        Some(id) => Some(surveys.iter().find(|s| &s.id == id).ok_or_else(|| {
            page::problem(
                poem::http::StatusCode::NOT_FOUND,
                "No such survey",
                "No anonymous survey of an imported course has that id. Choose one \
                         from the list on the Surveys page.",
            )
        })?),
        None => surveys.first(),
    };
    let report = match chosen {
        Some(s) => Some(report::build(conn, s).await.map_err(page::from_error)?),
        None => None,
    };
    let export = report.as_ref().filter(|r| !r.withheld).map(|r| {
        format!(
            "/console/surveys/export.csv?survey={}",
            escape(&r.survey_id)
        )
    });
    page::render(&SurveysPage {
        title: "Surveys".into(),
        chrome: Chrome::new(&viewer, "/console/surveys"),
        surveys: surveys
            .iter()
            .map(|s| SurveyLink {
                title: s.title.clone(),
                course: s.course_title.clone(),
                href: href(s),
                current: chosen.is_some_and(|c| c.id == s.id),
            })
            .collect(),
        report,
        export,
        min_group: MIN_GROUP,
    })
}

/// The anonymous answer rows of one survey as CSV: one line per answer value, a
/// respondent's lines together, questions under the minimum group size left out.
#[handler]
async fn export_csv(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(query): Query<SurveyQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeSurveys)?;
    let conn = console.db.conn.clone();
    let Some(id) = query.survey else {
        return Err(page::problem(
            poem::http::StatusCode::BAD_REQUEST,
            "Which survey?",
            "The export needs the survey: open it from the Surveys page.",
        ));
    };
    let survey = catalog::find(&conn, &id)
        .await
        .map_err(page::from_error)?
        .ok_or_else(|| {
            page::problem(
                poem::http::StatusCode::NOT_FOUND,
                "No such survey",
                "No anonymous survey of an imported course has that id.",
            )
        })?;
    let report = report::build(&conn, &survey)
        .await
        .map_err(page::from_error)?;
    // Under the minimum group size nothing is exported, not even the header's promise.
    let shown: Vec<String> = if report.withheld {
        Vec::new()
    } else {
        report
            .questions
            .iter()
            .filter(|q| !q.withheld)
            .map(|q| q.id.clone())
            .collect()
    };
    let header = csv::line(["respondent", "question", "answer", "answered_on"]);
    let fetch = move |after: Option<ExportKey>, limit: u64| {
        let conn = conn.clone();
        let id = id.clone();
        let shown = shown.clone();
        async move {
            if shown.is_empty() {
                return Ok(Vec::new());
            }
            store::export_page(&conn, &id, &shown, after, limit).await
        }
    };
    Ok(csv::keyset_download(
        "survey-answers.csv",
        header,
        fetch,
        |r: &survey_answer::Model| (r.respondent.clone(), r.id.clone()),
        |r: &survey_answer::Model| {
            csv::line([
                r.respondent.as_str(),
                r.question_id.as_str(),
                r.answer.as_str(),
                r.answered_on.as_str(),
            ])
        },
    ))
}

/// Adds this page's routes.
pub fn routes(route: Route) -> Route {
    route
        .at("/surveys", get(show))
        .at("/surveys/export.csv", get(export_csv))
}
