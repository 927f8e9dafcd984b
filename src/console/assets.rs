//! The console's style sheet and script, embedded in the binary and served with their
//! content hash in the URL, so a new release is never mixed with a cached old file.

use std::sync::LazyLock;

use aws_lc_rs::digest::{SHA256, digest};
use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Response, handler};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "src/console/assets/"]
struct Assets;

/// `/console/assets/<name>?v=<hash>` of an embedded asset.
pub fn url(name: &str) -> String {
    let hash = Assets::get(name)
        .map(|f| hex::encode(&digest(&SHA256, &f.data).as_ref()[..6]))
        .unwrap_or_default();
    format!("/console/assets/{name}?v={hash}")
}

/// The style sheet's URL (computed once).
pub static CSS: LazyLock<String> = LazyLock::new(|| url("console.css"));
/// The script's URL (computed once).
pub static JS: LazyLock<String> = LazyLock::new(|| url("console.js"));

/// `GET /console/assets/:name`: cached for a year (the URL changes with the content).
#[handler]
pub fn serve(Path(name): Path<String>) -> Response {
    match Assets::get(&name) {
        Some(file) => Response::builder()
            .header(
                header::CONTENT_TYPE,
                mime_guess::from_path(&name)
                    .first_or_octet_stream()
                    .essence_str(),
            )
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .body(file.data.into_owned()),
        None => Response::builder().status(StatusCode::NOT_FOUND).finish(),
    }
}
