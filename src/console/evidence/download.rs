//! The submission's file, as an attachment.

use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{Body, Response, handler};

use super::item::readable;
use crate::certification::evidence::file;
use crate::certification::evidence::store::{self};
use crate::console::page::{self};
use crate::console::role::Can;
use crate::console::{Console, Viewer};

/// The file, always as an attachment and never sniffed, so a browser does not render
/// it (HTML or SVG could run script on the console's origin); types without a known
/// signature are sent as bytes.
#[handler]
pub(super) async fn download(
    viewer: Viewer,
    Data(console): Data<&Console>,
    Path(id): Path<i64>,
) -> poem::Result<Response> {
    viewer.require(Can::ReviewEvidence)?;
    let row = readable(console, &viewer, id).await?;
    let (Some(sha), Some(media_type)) = (row.file_sha256.as_deref(), row.media_type.as_deref())
    else {
        return Err(page::problem(
            StatusCode::NOT_FOUND,
            "Not a file",
            &format!("Evidence {id} is {} evidence, not a file.", row.kind),
        ));
    };
    let bytes = store::file_bytes(&console.db.conn, sha)
        .await
        .map_err(page::from_error)?;
    let content_type = if file::DEFAULT_MEDIA_TYPES.contains(&media_type) {
        media_type
    } else {
        "application/octet-stream"
    };
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                file::safe_file_name(row.file_name.as_deref(), id)
            ),
        )
        .header("x-content-type-options", "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_vec(bytes)))
}
