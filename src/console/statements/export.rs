//! `GET /console/statements.csv`: the explorer's filter as a streamed CSV export.

use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Response, handler};

use super::Explore;
use super::view::Readable;
use crate::console::page;
use crate::console::role::Can;
use crate::console::{Console, Viewer, csv};
use crate::error::Error;
use crate::xapi::statements::params;
use crate::xapi::statements::read::{self, Visibility};

/// Rows read per round trip of a CSV export.
const CSV_CHUNK: u64 = 500;

/// `GET /console/statements.csv`: every statement the explorer's filter finds, as CSV,
/// streamed: read `CSV_CHUNK` at a time through the same query, never held whole.
#[handler]
pub(super) async fn export(
    viewer: Viewer,
    console: Data<&Console>,
    Query(form): Query<Explore>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeStatements)?;
    let mut filter = match form
        .raw_params()
        .map_err(Error::BadRequest)
        .and_then(|raw| params::filter(&raw))
    {
        Ok(filter) => filter,
        Err(Error::BadRequest(m)) => {
            return Err(page::problem(
                StatusCode::BAD_REQUEST,
                "Nothing to export",
                &m,
            ));
        }
        Err(e) => return Err(page::from_error(e)),
    };
    filter.visibility = Visibility::Everything;
    let conn = console.db.conn.clone();
    let header = csv::line([
        "id",
        "when",
        "actor",
        "verb",
        "verb id",
        "object",
        "object id",
        "result",
    ]);
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(header) });
    let rows = futures_util::stream::unfold(Some((filter, None)), move |state| {
        let conn = conn.clone();
        async move {
            let (filter, after) = state?;
            match read::find_page(&conn, &filter, after, CSV_CHUNK).await {
                Ok(rows) => {
                    let next = (rows.len() as u64 == CSV_CHUNK)
                        .then(|| rows.last().map(|r| r.position))
                        .flatten();
                    let text: Result<String, _> = rows
                        .iter()
                        .map(|row| {
                            let s = Readable::of(&row.payload()?);
                            Ok::<_, sea_orm::DbErr>(csv::line([
                                s.id,
                                s.when,
                                s.actor,
                                s.verb,
                                s.verb_id,
                                s.object,
                                s.object_id,
                                s.result,
                            ]))
                        })
                        .collect();
                    match text {
                        Ok(text) => Some((Ok(text), next.map(|p| (filter, Some(p))))),
                        Err(e) => {
                            tracing::error!(error = %e, "statement export stopped");
                            Some((Err(std::io::Error::other("the export stopped early")), None))
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "statement export stopped");
                    Some((Err(std::io::Error::other("the export stopped early")), None))
                }
            }
        }
    });
    Ok(csv::download(
        "statements.csv",
        futures_util::StreamExt::chain(head, rows),
    ))
}
