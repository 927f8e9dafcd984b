//! Importing a package: manifest, checks, content addressing, then one transaction.
//! Re-importing identical content changes nothing; changed content becomes the next
//! version of the course, and registrations keep the version they started on.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};
use serde::Serialize;

use super::digest::{content_hash, sha256_hex};
use super::manifest::{self, Course, Format};
use super::source::PackageSource;
use super::store;
use super::validate::check_au_urls;
use crate::db::Db;
use crate::sql::Sql;

/// Why a package was refused. Nothing of it is stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no cmi5.xml or tincan.xml at the package root")]
    NoManifest,
    #[error("{file} is not UTF-8 text")]
    ManifestEncoding { file: &'static str },
    #[error("{file}: {source}")]
    Manifest {
        file: &'static str,
        source: manifest::ManifestError,
    },
    #[error("{0}")]
    Content(String),
    #[error("database error while importing: {0}")]
    Db(#[from] DbErr),
}

/// What an import did.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[serde(rename_all = "camelCase")]
#[oai(rename_all = "camelCase")]
pub struct ImportOutcome {
    pub course_id: String,
    pub title: String,
    pub version: i32,
    /// Assets are served under `/content/{slug}/`.
    pub slug: String,
    /// False when identical content was already imported (nothing changed).
    pub created: bool,
    pub au_count: u32,
    pub file_count: u32,
    pub total_bytes: u64,
    /// True when the course is retired: a re-import does not bring it back to the
    /// catalog (`blackbelt packages restore` or `POST /api/courses/{course}/restore` does).
    pub retired: bool,
    /// The course's AUs in cmi5.xml order: what `POST /api/launches` takes as `auId`.
    pub aus: Vec<ImportedAu>,
}

/// One AU of an imported course.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[serde(rename_all = "camelCase")]
#[oai(rename_all = "camelCase")]
pub struct ImportedAu {
    /// The AU's id in cmi5.xml (the publisher's id).
    pub au_id: String,
    /// The AU's title, in English when it has one.
    pub title: String,
}

/// A package read and checked, ready to store.
struct Checked {
    course: Course,
    files: BTreeMap<String, (String, Vec<u8>)>,
    content_hash: String,
}

fn check(source: PackageSource) -> Result<Checked, ImportError> {
    let course = parse_manifest(&source)?;
    check_au_urls(&course, &source.files, source.standalone).map_err(ImportError::Content)?;
    let files: BTreeMap<String, (String, Vec<u8>)> = source
        .files
        .into_iter()
        .map(|(path, bytes)| (path, (sha256_hex(&bytes), bytes)))
        .collect();
    let hash = content_hash(files.iter().map(|(p, (sha, _))| (p.as_str(), sha.as_str())));
    Ok(Checked {
        course,
        files,
        content_hash: hash,
    })
}

/// A manifest format's parser.
type ManifestParser = fn(&str) -> Result<Course, manifest::ManifestError>;

fn parse_manifest(source: &PackageSource) -> Result<Course, ImportError> {
    let (file, parse): (&'static str, ManifestParser) = if source.files.contains_key("cmi5.xml") {
        ("cmi5.xml", manifest::parse_cmi5)
    } else if source.files.contains_key("tincan.xml") {
        ("tincan.xml", manifest::parse_tincan)
    } else {
        return Err(ImportError::NoManifest);
    };
    let bytes = source.get(file).ok_or(ImportError::NoManifest)?;
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::ManifestEncoding { file })?;
    parse(text.trim_start_matches('\u{feff}'))
        .map_err(|source| ImportError::Manifest { file, source })
}

/// Imports one package read by `source::read_*`.
pub async fn import(db: &Db, source: PackageSource) -> Result<ImportOutcome, ImportError> {
    import_then(db, source, async |_, _| Ok(())).await
}

/// `import`, with `then` run in the import's own transaction when it stores a new
/// version (the console's audit entry), so both commit or neither does. Content that is
/// already stored changes nothing, and `then` is not called.
pub async fn import_then<F>(
    db: &Db,
    source: PackageSource,
    then: F,
) -> Result<ImportOutcome, ImportError>
where
    F: AsyncFnOnce(&DatabaseTransaction, &ImportOutcome) -> Result<(), DbErr>,
{
    let checked = check(source)?;
    let _gate = db.write_gate().await;
    if let Some(existing) = store::by_content_hash(db.writer(), &checked.content_hash).await? {
        return Ok(outcome(&existing, false));
    }
    let txn = db.writer().begin().await?;
    let inserted = match insert(&txn, &checked).await {
        Ok(model) => {
            let made = outcome(&model, true);
            then(&txn, &made).await.map(|()| made)
        }
        Err(err) => Err(err),
    };
    match inserted {
        Ok(made) => {
            txn.commit().await?;
            Ok(made)
        }
        Err(err) => {
            drop(txn);
            // Another instance may have imported the same content a moment ago: the
            // unique content hash stopped us, and their import is ours.
            match store::by_content_hash(db.writer(), &checked.content_hash).await? {
                Some(existing) => Ok(outcome(&existing, false)),
                None => Err(err.into()),
            }
        }
    }
}

async fn insert(
    conn: &impl ConnectionTrait,
    checked: &Checked,
) -> Result<entities::package::Model, DbErr> {
    let course = &checked.course;
    let course_key = store::course_key(&course.id);
    let previous = store::latest_of(conn, &course.id).await?;
    let version = previous.as_ref().map_or(0, |p| p.version) + 1;
    // A retired course stays retired when a new version arrives: retiring is a decision
    // about the course, not about one upload of it.
    let retired_us = previous.and_then(|p| p.retired_us);
    let slug = format!(
        "{}-v{version}-{}",
        slug_stem(&course.id),
        &checked.content_hash[..8]
    );
    for (sha, bytes) in checked.files.values() {
        let mut sql = Sql::new("INSERT INTO blobs (sha256, content) VALUES (");
        sql.bind("?", sha.clone())
            .bind(", ?) ON CONFLICT DO NOTHING", bytes.clone());
        conn.execute_raw(sql.build(conn.get_database_backend()))
            .await?;
    }
    let structure = serde_json::to_value(course)
        .map_err(|e| DbErr::Custom(format!("course structure: {e}")))?;
    let total_bytes: u64 = checked.files.values().map(|(_, b)| b.len() as u64).sum();
    let title = course.title.best("en").unwrap_or(&course.id).to_owned();
    let mut sql = Sql::new(
        "INSERT INTO packages (course_key, course_id, version, content_hash, slug, format, title, \
         structure, file_count, total_bytes, imported_us, retired_us) VALUES (",
    );
    sql.bind("?", course_key)
        .bind(", ?", course.id.clone())
        .bind(", ?", version)
        .bind(", ?", checked.content_hash.clone())
        .bind(", ?", slug)
        .bind(", ?", format_name(course.format).to_owned())
        .bind(", ?", title)
        .bind(", ?", structure)
        .bind(", ?", checked.files.len() as i32)
        .bind(", ?", total_bytes as i64)
        .bind(", ?", now_us())
        .bind(", ?) RETURNING seq", retired_us);
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
        .ok_or_else(|| DbErr::Custom("package insert returned no row".into()))?;
    let seq: i64 = row.try_get("", "seq")?;
    let rows: Vec<_> = checked.files.iter().collect();
    for chunk in rows.chunks(200) {
        let mut sql = Sql::new(
            "INSERT INTO package_files (package_seq, path, sha256, content_type, length) VALUES ",
        );
        for (i, (path, (sha, bytes))) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind("?", seq)
                .bind(", ?", (*path).clone())
                .bind(", ?", sha.clone())
                .bind(", ?", content_type(path))
                .bind(", ?)", bytes.len() as i64);
        }
        conn.execute_raw(sql.build(conn.get_database_backend()))
            .await?;
    }
    store::by_seq(conn, seq)
        .await?
        .ok_or_else(|| DbErr::Custom("imported package vanished".into()))
}

fn outcome(model: &entities::package::Model, created: bool) -> ImportOutcome {
    let aus: Vec<ImportedAu> = serde_json::from_value::<Course>(model.structure.clone())
        .map(|course| {
            course
                .aus()
                .into_iter()
                .map(|au| ImportedAu {
                    au_id: au.id.clone(),
                    title: au.title.best("en").unwrap_or(&au.id).to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    ImportOutcome {
        course_id: model.course_id.clone(),
        title: model.title.clone(),
        version: model.version,
        slug: model.slug.clone(),
        created,
        au_count: aus.len() as u32,
        file_count: model.file_count as u32,
        total_bytes: model.total_bytes as u64,
        retired: model.retired_us.is_some(),
        aus,
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Cmi5 => "cmi5",
        Format::TinCan => "tincan",
    }
}

/// A readable URL segment from the course IRI's last path segment.
fn slug_stem(course_id: &str) -> String {
    let last = course_id
        .trim_end_matches('/')
        .rsplit(['/', ':', '#'])
        .find(|s| !s.is_empty())
        .unwrap_or("course");
    let stem: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let stem = stem.trim_matches('-').to_owned();
    if stem.is_empty() {
        "course".into()
    } else {
        stem
    }
}

/// The Content-Type a file is served with; text gets an explicit UTF-8 charset.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    match mime.type_() {
        mime_guess::mime::TEXT => format!("{}; charset=utf-8", mime.essence_str()),
        _ if mime.essence_str() == "application/javascript" => {
            "text/javascript; charset=utf-8".into()
        }
        _ => mime.essence_str().to_owned(),
    }
}

pub(crate) fn now_us() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable() {
        assert_eq!(
            slug_stem("https://blackbelt.example/courses/all-employees"),
            "all-employees"
        );
        assert_eq!(slug_stem("urn:x:Course_One/"), "course-one");
        assert_eq!(slug_stem("https://x/"), "x");
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("data.bin"), "application/octet-stream");
    }
}
