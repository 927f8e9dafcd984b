//! The body of `POST /api/packages`: a zip, or a bare course structure (cmi5 14.0 lets
//! a course package be a standalone XML file), read under the configured body limit.

use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::xapi::body::read_limited;

/// What was uploaded, told apart by its Content-Type.
pub enum PackageUpload {
    /// A package zip (a folder with cmi5.xml or tincan.xml at its root, zipped).
    Zip(Vec<u8>),
    /// A cmi5 course structure on its own; its AUs must be at absolute URLs.
    CourseStructure(Vec<u8>),
}

const ZIP_TYPES: [&str; 3] = [
    "application/zip",
    "application/x-zip-compressed",
    "application/octet-stream",
];
const XML_TYPES: [&str; 2] = ["application/xml", "text/xml"];

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn binary() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        format: Some("binary"),
        ..MetaSchema::new("string")
    }))
}

impl Payload for PackageUpload {
    const CONTENT_TYPE: &'static str = "application/zip";

    fn check_content_type(content_type: &str) -> bool {
        let media = media_type(content_type);
        ZIP_TYPES.contains(&media.as_str()) || XML_TYPES.contains(&media.as_str())
    }

    fn schema_ref() -> MetaSchemaRef {
        binary()
    }

    fn register(_registry: &mut Registry) {}
}

impl ParsePayload for PackageUpload {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (content_type, bytes) = read_limited(request, body).await?;
        let media = content_type.as_deref().map(media_type).unwrap_or_default();
        if ZIP_TYPES.contains(&media.as_str()) {
            return Ok(PackageUpload::Zip(bytes));
        }
        if XML_TYPES.contains(&media.as_str()) {
            return Ok(PackageUpload::CourseStructure(bytes));
        }
        let body = serde_json::json!({
            "error": "unsupported_media_type",
            "message": format!(
                "Content-Type must be application/zip (a package zip) or application/xml or \
                 text/xml (a cmi5 course structure on its own), got {}",
                content_type.as_deref().unwrap_or("none")
            ),
        });
        let response = poem::Response::builder()
            .status(poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .content_type("application/json")
            .body(body.to_string());
        Err(poem::Error::from_response(response))
    }
}

/// Written out rather than `raw_body_extractor!`, which documents one content type.
impl<'a> ApiExtractor<'a> for PackageUpload {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        let content = ["application/zip", "application/xml", "text/xml"]
            .into_iter()
            .map(|content_type| MetaMediaType {
                content_type,
                schema: binary(),
            })
            .collect();
        Some(MetaRequest {
            description: Some(
                "A zipped package (cmi5.xml or tincan.xml at the root, and its files) as \
                 application/zip, or a cmi5 course structure on its own (cmi5 14.0, AUs at \
                 absolute URLs) as application/xml or text/xml.",
            ),
            content,
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        <Self as ParsePayload>::from_request(request, body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_ignore_parameters_and_case() {
        assert_eq!(media_type("Text/XML; charset=UTF-8"), "text/xml");
        assert!(PackageUpload::check_content_type("application/zip"));
        assert!(PackageUpload::check_content_type(
            "application/xml;charset=utf-8"
        ));
        assert!(!PackageUpload::check_content_type(
            "text/markdown; charset=UTF-8"
        ));
    }
}
