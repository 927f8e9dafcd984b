//! `/console/learners`: search and filter the learners a viewer may see, with their belts
//! and course progress; keyset-paged; `/console/learners.csv` streams the same filter.
//! A manager's team is part of the query (see `scope`), also for the CSV.

pub mod filters;
pub mod rows;
pub mod scope;

use askama::Template;
use futures_util::stream;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Response, Route, get, handler};

use self::filters::ListQuery;
use self::rows::Row;
use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer, csv, paging};
use crate::certification::api::view::belt_names;
use crate::certification::learners::search::{self, Population};
use crate::certification::program::store::current_all;
use crate::packages::store::latest_of_each;

/// A choice of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "learners.html")]
struct Learners {
    title: String,
    chrome: Chrome,
    query: ListQuery,
    error: Option<String>,
    belts: Vec<Choice>,
    courses: Vec<Choice>,
    rows: Vec<Row>,
    /// The query string of the next page, when there is one.
    next: Option<String>,
    /// The query string of the first page (when this is a later one).
    first: Option<String>,
    csv: String,
}

#[handler]
async fn list(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(query): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeLearners)?;
    let conn = &console.db.conn;
    let programs = current_all(conn).await.map_err(page::from_error)?;
    let names = belt_names(&programs);
    let mut belts: Vec<Choice> = programs
        .iter()
        .flat_map(|p| p.program.belts.iter())
        .map(|b| Choice {
            value: b.id.clone(),
            label: b.name.clone(),
        })
        .collect();
    belts.dedup_by(|a, b| a.value == b.value);
    let courses = latest_of_each(conn)
        .await
        .map_err(|e| page::internal(&e))?
        .into_iter()
        .map(|p| Choice {
            value: p.course_id,
            label: p.title,
        })
        .collect();
    let mut view = Learners {
        title: "Learners".into(),
        chrome: Chrome::new(&viewer, "/console/learners"),
        csv: format!("/console/learners.csv?{}", query.without_cursor()),
        first: query.after.is_some().then(|| query.without_cursor()),
        query,
        error: None,
        belts,
        courses,
        rows: Vec::new(),
        next: None,
    };
    let filter = match view.query.filter() {
        Ok(filter) => filter,
        Err(message) => {
            view.error = Some(message);
            return page::render_status(StatusCode::BAD_REQUEST, &view);
        }
    };
    let population = scope::people(conn, &viewer)
        .await
        .map_err(page::from_error)?;
    let after: Option<String> = paging::decode(view.query.after.as_deref());
    let found = search::page(
        conn,
        &population,
        &filter,
        after.as_deref(),
        paging::PAGE + 1,
    )
    .await
    .map_err(page::from_error)?;
    let (found, more) = paging::split(found, paging::PAGE);
    if more && let Some(last) = found.last() {
        view.next = Some(view.query.after(&paging::encode(&last.learner_key)));
    }
    view.rows = rows::build(conn, found, &names)
        .await
        .map_err(page::from_error)?;
    page::render(&view)
}

/// Learners read per query while the CSV streams.
const CSV_CHUNK: u64 = 500;

const CSV_HEADER: [&str; 8] = [
    "learner_key",
    "name",
    "email",
    "audience",
    "org_unit",
    "belts",
    "courses_started",
    "courses_satisfied",
];

#[handler]
async fn export(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Query(query): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeLearners)?;
    let conn = console.db.conn.clone();
    let filter = query
        .filter()
        .map_err(|m| page::problem(StatusCode::BAD_REQUEST, "Cannot export that", &m))?;
    let population = scope::people(&conn, &viewer)
        .await
        .map_err(page::from_error)?;
    let programs = current_all(&conn).await.map_err(page::from_error)?;
    let names = belt_names(&programs);
    struct State {
        after: Option<String>,
        header: bool,
        done: bool,
    }
    let start = State {
        after: None,
        header: true,
        done: false,
    };
    let lines = stream::unfold(start, move |mut state| {
        let conn = conn.clone();
        let population: Population = population.clone();
        let filter = filter.clone();
        let names = names.clone();
        async move {
            if state.header {
                state.header = false;
                return Some((Ok(csv::line(CSV_HEADER)), state));
            }
            if state.done {
                return None;
            }
            let chunk = search::page(
                &conn,
                &population,
                &filter,
                state.after.as_deref(),
                CSV_CHUNK,
            )
            .await;
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    state.done = true;
                    return Some((Err(cut_short(&e)), state));
                }
            };
            state.done = (chunk.len() as u64) < CSV_CHUNK;
            state.after = chunk.last().map(|l| l.learner_key.clone());
            let rows = match rows::build(&conn, chunk, &names).await {
                Ok(rows) => rows,
                Err(e) => {
                    state.done = true;
                    return Some((Err(cut_short(&e)), state));
                }
            };
            let text: String = rows.iter().map(csv_line).collect();
            Some((Ok(text), state))
        }
    });
    Ok(csv::download("learners.csv", lines))
}

fn csv_line(r: &Row) -> String {
    csv::line([
        r.key.as_str(),
        &r.name,
        &r.email,
        &r.audience,
        &r.org_unit,
        &r.belts.join("; "),
        &r.courses_started.to_string(),
        &r.courses_satisfied.to_string(),
    ])
}

/// Ends a download whose query failed (logged; the file is cut short).
fn cut_short(e: &crate::error::Error) -> std::io::Error {
    tracing::error!(error = %e, "learners CSV export failed");
    std::io::Error::other("the export failed")
}

/// Adds this page's routes.
pub fn routes(route: Route) -> Route {
    route
        .at("/learners", get(list))
        .at("/learners.csv", get(export))
}
