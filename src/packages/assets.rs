//! `GET /content/{slug}/{path}`: package files, from the database. A slug names one
//! package version and its bytes never change, so responses are cached for a year;
//! a new version has a new slug. Paths are looked up as exact keys, so `..` and other
//! traversal tricks can only miss.

use poem::http::{HeaderValue, StatusCode, header};
use poem::web::Path;
use poem::{Request, Response, handler};

use super::store;
use crate::db::Db;
use crate::packages::validate::percent_decode;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[handler]
pub async fn serve_asset(
    req: &Request,
    Path((slug, path)): Path<(String, String)>,
    db: poem::web::Data<&Db>,
) -> Response {
    match find(&db, &slug, &percent_decode(&path)).await {
        Ok(Some((content_type, sha256))) => {
            let etag = format!("\"{sha256}\"");
            if not_modified(req, &etag) {
                return cached(StatusCode::NOT_MODIFIED, &etag).finish();
            }
            match store::blob(&db.conn, &sha256).await {
                Ok(Some(bytes)) => cached(StatusCode::OK, &etag)
                    .content_type(content_type)
                    .body(bytes),
                Ok(None) => missing(&slug, &path),
                Err(err) => failure(&err.to_string()),
            }
        }
        Ok(None) => missing(&slug, &path),
        Err(err) => failure(&err),
    }
}

async fn find(db: &Db, slug: &str, path: &str) -> Result<Option<(String, String)>, String> {
    let Some(package) = store::by_slug(&db.conn, slug)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    Ok(store::file(&db.conn, package.seq, path)
        .await
        .map_err(|e| e.to_string())?
        .map(|f| (f.content_type, f.sha256)))
}

/// `If-None-Match` with our ETag (or `*`) means the browser's copy is current.
pub fn not_modified(req: &Request, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        })
}

fn cached(status: StatusCode, etag: &str) -> poem::ResponseBuilder {
    Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, IMMUTABLE)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(
            header::ETAG,
            HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"\"")),
        )
}

fn missing(slug: &str, path: &str) -> Response {
    let body = serde_json::json!({
        "error": "not_found",
        "message": format!("no file {path:?} in package {slug:?}; package URLs come from the catalog (GET /api/courses)"),
    });
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .content_type("application/json")
        .body(body.to_string())
}

fn failure(cause: &str) -> Response {
    tracing::error!(error = %cause, "serving a package file failed");
    let body =
        serde_json::json!({"error": "internal", "message": "internal error; see the server log"});
    Response::builder()
        .status(StatusCode::INTERNAL_SERVER_ERROR)
        .content_type("application/json")
        .body(body.to_string())
}
