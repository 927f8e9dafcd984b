//! `GET /runtime/{file}`: the shared AU runtime (packages/_runtime), compiled into the
//! binary so every instance serves the same bytes with no files to deploy. Its URL is
//! not versioned (pages load `/runtime/blackbelt-au.js`), so browsers revalidate with
//! the ETag rather than caching for a year.

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Request, Response, handler};
use rust_embed::RustEmbed;

use super::assets::not_modified;
use super::import::content_type;

#[derive(RustEmbed)]
#[folder = "packages/_runtime/"]
struct RuntimeFiles;

#[handler]
pub async fn serve_runtime(req: &Request, Path(file): Path<String>) -> Response {
    let Some(found) = RuntimeFiles::get(&file) else {
        let body = serde_json::json!({
            "error": "not_found",
            "message": format!("no runtime file {file:?}; the runtime is blackbelt-au.js and blackbelt-au.css"),
        });
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("application/json")
            .body(body.to_string());
    };
    let etag = format!("\"{}\"", hex::encode(found.metadata.sha256_hash()));
    let builder = Response::builder()
        .header(
            header::CACHE_CONTROL,
            "public, max-age=300, must-revalidate",
        )
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::ETAG, etag.clone());
    if not_modified(req, &etag) {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    builder
        .content_type(content_type(&file))
        .body(found.data.into_owned())
}
