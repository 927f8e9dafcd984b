//! The body of `POST /api/packages`: a zip, read under the configured body limit.

use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};

use crate::xapi::body::read_limited;

/// A package zip (a folder with cmi5.xml or tincan.xml at its root, zipped).
pub struct PackageZip(pub Vec<u8>);

fn is_zip_type(content_type: &str) -> bool {
    matches!(
        content_type.split(';').next().map(str::trim),
        Some("application/zip" | "application/x-zip-compressed" | "application/octet-stream")
    )
}

impl Payload for PackageZip {
    const CONTENT_TYPE: &'static str = "application/zip";

    fn check_content_type(content_type: &str) -> bool {
        is_zip_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("binary"),
            ..MetaSchema::new("string")
        }))
    }

    fn register(_registry: &mut Registry) {}
}

impl ParsePayload for PackageZip {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (content_type, bytes) = read_limited(request, body).await?;
        if !content_type.as_deref().is_some_and(is_zip_type) {
            let body = serde_json::json!({
                "error": "unsupported_media_type",
                "message": format!(
                    "Content-Type must be application/zip, got {}",
                    content_type.as_deref().unwrap_or("none")
                ),
            });
            let response = poem::Response::builder()
                .status(poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .content_type("application/json")
                .body(body.to_string());
            return Err(poem::Error::from_response(response));
        }
        Ok(PackageZip(bytes))
    }
}

crate::raw_body_extractor!(
    PackageZip,
    "A zipped package: cmi5.xml or tincan.xml at the root, and its files.",
    true
);
