//! The body of `POST /api/program`: the program file's TOML text, as
//! `application/toml` or `text/plain`, at most `parse::MAX_BYTES`.

use poem::http::header::CONTENT_TYPE;
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use super::parse::MAX_BYTES;
use crate::error::{ApiError, Error};
use crate::xapi::body::BodyLimit;

/// The program file's text.
pub struct ProgramUpload(pub String);

const TYPES: [&str; 3] = ["application/toml", "text/plain", "text/x-toml"];

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn text() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        description: Some(
            "A program file in TOML. Read as JSON, it must match the JSON Schema served at \
             GET /api/program/schema (draft 2020-12).",
        ),
        ..MetaSchema::new("string")
    }))
}

fn refuse(err: Error) -> poem::Error {
    poem::Error::from_response(poem::IntoResponse::into_response(ApiError::from(err)))
}

impl Payload for ProgramUpload {
    const CONTENT_TYPE: &'static str = "application/toml";

    fn check_content_type(content_type: &str) -> bool {
        TYPES.contains(&media_type(content_type).as_str())
    }

    fn schema_ref() -> MetaSchemaRef {
        text()
    }

    fn register(_registry: &mut Registry) {}
}

impl ParsePayload for ProgramUpload {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let media = content_type.as_deref().map(media_type).unwrap_or_default();
        if !TYPES.contains(&media.as_str()) {
            let body = serde_json::json!({
                "error": "unsupported_media_type",
                "message": format!(
                    "Content-Type must be application/toml or text/plain (the program file's \
                     TOML text), got {}",
                    content_type.as_deref().unwrap_or("none")
                ),
            });
            let response = poem::Response::builder()
                .status(poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .content_type("application/json")
                .body(body.to_string());
            return Err(poem::Error::from_response(response));
        }
        let limit = request
            .data::<BodyLimit>()
            .map_or(MAX_BYTES, |l| l.0.min(MAX_BYTES));
        let bytes = body
            .take()?
            .into_bytes_limit(limit)
            .await
            .map_err(|err| match err {
                poem::error::ReadBodyError::PayloadTooLarge => {
                    refuse(Error::PayloadTooLarge(limit))
                }
                other => refuse(Error::BadRequest(format!(
                    "could not read the request body: {other}"
                ))),
            })?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
            refuse(Error::BadRequest(format!(
                "the program file must be UTF-8 text: byte {} is not",
                e.utf8_error().valid_up_to()
            )))
        })?;
        Ok(ProgramUpload(text))
    }
}

impl<'a> ApiExtractor<'a> for ProgramUpload {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        let content = ["application/toml", "text/plain"]
            .into_iter()
            .map(|content_type| MetaMediaType {
                content_type,
                schema: text(),
            })
            .collect();
        Some(MetaRequest {
            description: Some(
                "The program file (packages/program.toml) as TOML text, at most 256 KiB. Its \
                 shape is the JSON Schema at GET /api/program/schema; packages/README.md \
                 documents each field.",
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
