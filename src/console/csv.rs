//! CSV exports, streamed: rows are written as the query pages through them, so an
//! export of every learner never sits in memory. RFC 4180 quoting; cells that a
//! spreadsheet would run as a formula are prefixed with `'` (CSV injection).

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use futures_util::Stream;
use futures_util::stream::{self, StreamExt};
use poem::http::header;
use poem::{Body, Response};

/// Rows per query of a keyset export.
pub const EXPORT_CHUNK: u64 = 500;

/// One CSV line (with `\r\n`).
pub fn line<I, S>(cells: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell_text(cell.as_ref()));
    }
    out.push_str("\r\n");
    out
}

fn cell_text(cell: &str) -> String {
    let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A `text/csv` attachment named `filename`, its body the stream of lines (each item
/// one or more lines; an error ends the download early, and is logged by the caller).
pub fn download<S>(filename: &str, lines: S) -> Response
where
    S: Stream<Item = Result<String, std::io::Error>> + Send + 'static,
{
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{safe}\""),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_bytes_stream(lines))
}

/// A streamed CSV download read a keyset page at a time: `fetch(after, limit)` gives
/// up to `limit` rows after the cursor `after` (`None`: from the start), `key` a row's
/// cursor and `line` its CSV line. A failing fetch ends the download early; the cause
/// is logged, not sent.
pub fn keyset_download<K, R, E, F, Fut>(
    filename: &'static str,
    header: String,
    fetch: F,
    key: fn(&R) -> K,
    line: fn(&R) -> String,
) -> Response
where
    K: Send + 'static,
    R: Send + 'static,
    E: Display,
    F: Fn(Option<K>, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<R>, E>> + Send,
{
    let fetch = Arc::new(fetch);
    // State: the cursor of the next chunk; `None` once the last chunk was sent.
    let chunks = stream::unfold(Some(None::<K>), move |state| {
        let fetch = Arc::clone(&fetch);
        async move {
            let after = state?;
            match fetch(after, EXPORT_CHUNK).await {
                Ok(rows) => {
                    let next = (rows.len() as u64 == EXPORT_CHUNK)
                        .then(|| rows.last().map(key))
                        .flatten();
                    let text: String = rows.iter().map(line).collect();
                    Some((Ok(text), next.map(Some)))
                }
                Err(e) => {
                    tracing::error!(error = %e, filename, "CSV export stopped");
                    Some((Err(std::io::Error::other("export failed")), None))
                }
            }
        }
    });
    download(
        filename,
        stream::once(async move { Ok(header) }).chain(chunks),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(
            line(["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            line(["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(line(["-1", "@x"]), "'-1,'@x\r\n");
    }
}
