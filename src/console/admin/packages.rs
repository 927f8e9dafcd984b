//! `/console/admin/packages`: every imported package version, and an upload form for a
//! package zip. The upload is imported by the same `packages::import` as
//! `POST /api/packages`; why a package is refused is shown in place, in words. Only the
//! upload route gets the large body limit (`max_body_bytes`, see `server::body_bound`).

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Multipart, Query};
use poem::{Response, Route, get, handler, post};
use sea_orm::DbErr;
use serde::Deserialize;
use serde_json::json;

use super::record_after;
use crate::certification::audit;
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer, csv, paging};
use crate::packages::import::{ImportError, ImportOutcome, import_then};
use crate::packages::manifest::Course;
use crate::packages::source::read_zip;
use crate::packages::store;
use entities::package;

const HERE: &str = "/console/admin/packages";
/// The one console route with the large body limit (the full path, as the body bound
/// middleware sees it).
pub const UPLOAD_PATH: &str = "/console/admin/packages/upload";

pub struct Row {
    title: String,
    course_id: String,
    version: i32,
    slug: String,
    format: String,
    aus: usize,
    files: i32,
    size: String,
    imported: String,
    retired: bool,
}

impl From<package::Model> for Row {
    fn from(p: package::Model) -> Row {
        Row {
            aus: count_aus(&p.structure),
            title: p.title,
            course_id: p.course_id,
            version: p.version,
            slug: p.slug,
            format: p.format,
            files: p.file_count,
            size: human_bytes(p.total_bytes),
            imported: jiff::Timestamp::from_microsecond(p.imported_us)
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
            retired: p.retired_us.is_some(),
        }
    }
}

/// How many AUs a stored course structure has (as the engine reads it).
fn count_aus(structure: &serde_json::Value) -> usize {
    serde_json::from_value::<Course>(structure.clone()).map_or(0, |c| c.aus().len())
}

fn human_bytes(n: i64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

#[derive(Template)]
#[template(path = "admin_packages.html")]
struct PackagesPage {
    title: String,
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    error: Option<String>,
    imported: Option<Row>,
    created: bool,
    max_mib: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    after: Option<String>,
    /// The package version just imported (looked up, so nothing of the URL is echoed).
    imported: Option<i64>,
    created: Option<bool>,
}

async fn listing(
    console: &Console,
    viewer: &Viewer,
    after: Option<&str>,
) -> poem::Result<PackagesPage> {
    let before: Option<i64> = paging::decode(after);
    let rows = store::versions_page(&console.db.conn, before, paging::PAGE + 1)
        .await
        .map_err(|e| page::internal(&e))?;
    let (rows, more) = paging::split(rows, paging::PAGE);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| format!("{HERE}?after={}", paging::encode(&r.seq)))
        })
        .flatten();
    Ok(PackagesPage {
        title: "Packages".into(),
        chrome: Chrome::new(viewer, "/console/admin"),
        rows: rows.into_iter().map(Row::from).collect(),
        next,
        error: None,
        imported: None,
        created: false,
        max_mib: console.config.max_body_bytes >> 20,
    })
}

#[handler]
async fn show(
    viewer: Viewer,
    console: Data<&Console>,
    Query(q): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let mut page = listing(&console, &viewer, q.after.as_deref()).await?;
    if let Some(seq) = q.imported {
        page.imported = store::by_seq(&console.db.conn, seq)
            .await
            .map_err(|e| page::internal(&e))?
            .map(Row::from);
        page.created = q.created.unwrap_or(false);
    }
    page::render(&page)
}

/// The upload form's fields: the CSRF token and the zip.
struct Upload {
    csrf: String,
    name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, String> {
    let mut upload = Upload {
        csrf: String::new(),
        name: String::new(),
        bytes: Vec::new(),
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(format!("the upload could not be read ({e})")),
        };
        match field.name() {
            Some("csrf") => upload.csrf = field.text().await.map_err(|e| e.to_string())?,
            Some("package") => {
                upload.name = field.file_name().unwrap_or_default().to_owned();
                upload.bytes = field.bytes().await.map_err(|e| e.to_string())?;
            }
            _ => {}
        }
    }
    Ok(upload)
}

#[handler]
async fn receive(
    viewer: Viewer,
    console: Data<&Console>,
    form: poem::Result<Multipart>,
) -> poem::Result<Response> {
    // The role is checked before anything of the body is looked at.
    viewer.require(Can::Administer)?;
    let form = form.map_err(|_| {
        page::problem(
            StatusCode::BAD_REQUEST,
            "Upload refused",
            "The package upload must be sent by the form on the packages page.",
        )
    })?;
    let upload = match read_upload(form).await {
        Ok(upload) => upload,
        Err(why) => {
            return refused(
                &console,
                &viewer,
                StatusCode::BAD_REQUEST,
                format!("File: {why}."),
            )
            .await;
        }
    };
    viewer.check_csrf(&upload.csrf)?;
    if upload.bytes.is_empty() {
        return refused(
            &console,
            &viewer,
            StatusCode::BAD_REQUEST,
            "File: choose a package zip to upload.".into(),
        )
        .await;
    }
    let limits = crate::app::package_limits(&console.config);
    let source = match read_zip(&upload.bytes, &limits) {
        Ok(source) => source,
        Err(e) => {
            let why = format!(
                "{} is not a package this server can read: {e}.",
                shown(&upload.name)
            );
            return refused(&console, &viewer, StatusCode::UNPROCESSABLE_ENTITY, why).await;
        }
    };
    // A new version and its audit entry commit together; an upload of content already
    // stored changes nothing and is recorded as the attempt it was.
    let audit_entry = |made: &ImportOutcome| {
        super::entry(
            &viewer,
            "package.import",
            json!({"course": made.course_id, "version": made.version, "slug": made.slug,
                   "created": made.created}),
        )
    };
    let imported = import_then(&console.db, source, async |txn, made| {
        audit::record(txn, crate::console::now_us(), audit_entry(made))
            .await
            .map(|_| ())
            .map_err(|e| DbErr::Custom(format!("audit entry: {e}")))
    })
    .await;
    let outcome = match imported {
        Ok(outcome) => outcome,
        Err(ImportError::Db(e)) => return Err(page::internal(&e)),
        Err(e) => {
            let why = format!("{} was refused: {e}.", shown(&upload.name));
            return refused(&console, &viewer, StatusCode::UNPROCESSABLE_ENTITY, why).await;
        }
    };
    if !outcome.created {
        let entry = audit_entry(&outcome);
        record_after(&console, &viewer, &entry.action, entry.details).await;
    }
    let seq = store::by_slug(&console.db.conn, &outcome.slug)
        .await
        .map_err(|e| page::internal(&e))?
        .map_or(0, |p| p.seq);
    Ok(page::see_other(&format!(
        "{HERE}?imported={seq}&created={}",
        outcome.created
    )))
}

fn shown(name: &str) -> String {
    if name.is_empty() {
        "The file".into()
    } else {
        format!("{name:?}")
    }
}

/// The list with the upload's error in place; nothing was imported.
async fn refused(
    console: &Console,
    viewer: &Viewer,
    status: StatusCode,
    message: String,
) -> poem::Result<Response> {
    let mut page = listing(console, viewer, None).await?;
    page.error = Some(message);
    page::render_status(status, &page)
}

/// Every package version as CSV, newest first.
#[handler]
async fn export(viewer: Viewer, console: Data<&Console>) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let conn = console.db.conn.clone();
    let fetch = move |before: Option<i64>, limit: u64| {
        let conn = conn.clone();
        async move { store::versions_page(&conn, before, limit).await }
    };
    Ok(csv::keyset_download(
        "packages.csv",
        csv::line([
            "seq",
            "course_id",
            "version",
            "slug",
            "title",
            "format",
            "aus",
            "files",
            "bytes",
            "imported",
            "retired",
        ]),
        fetch,
        |p: &package::Model| p.seq,
        csv_line,
    ))
}

fn csv_line(p: &package::Model) -> String {
    let iso = |us: i64| {
        jiff::Timestamp::from_microsecond(us)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    csv::line([
        p.seq.to_string(),
        p.course_id.clone(),
        p.version.to_string(),
        p.slug.clone(),
        p.title.clone(),
        p.format.clone(),
        count_aus(&p.structure).to_string(),
        p.file_count.to_string(),
        p.total_bytes.to_string(),
        iso(p.imported_us),
        p.retired_us.map(iso).unwrap_or_default(),
    ])
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/packages/export", get(export))
        .at("/admin/packages", get(show))
        .at("/admin/packages/upload", post(receive))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 << 20), "3.0 MiB");
    }

    #[test]
    fn the_upload_path_is_inside_the_console() {
        assert_eq!(UPLOAD_PATH, format!("/console{}", "/admin/packages/upload"));
    }
}
