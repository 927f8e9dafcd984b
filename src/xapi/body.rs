//! Request bodies of xAPI writes, read as raw bytes under the configured size limit so
//! that content-type and JSON errors get xAPI's status codes and our error body.

use poem::http::header::CONTENT_TYPE;
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;

use crate::error::{ApiError, Error};

/// The largest body this server reads, in bytes; set on the route as request data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A statement or an array of statements: JSON, or multipart/mixed with attachments.
pub struct StatementsBody {
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Payload for StatementsBody {
    const CONTENT_TYPE: &'static str = "application/json";

    // Content types are checked by the handler, which answers with xAPI's codes.
    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        serde_json::Value::schema_ref()
    }

    fn register(registry: &mut Registry) {
        serde_json::Value::register(registry);
    }
}

impl ParsePayload for StatementsBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (content_type, bytes) = read_limited(request, body).await?;
        Ok(StatementsBody {
            content_type,
            bytes,
        })
    }
}

/// Reads the whole body under the configured limit, with its declared content type.
pub async fn read_limited(
    request: &Request,
    body: &mut RequestBody,
) -> poem::Result<(Option<String>, Vec<u8>)> {
    let limit = request.data::<BodyLimit>().map_or(usize::MAX, |l| l.0);
    let bytes = body
        .take()?
        .into_bytes_limit(limit)
        .await
        .map_err(|err| match err {
            poem::error::ReadBodyError::PayloadTooLarge => {
                error_response(Error::PayloadTooLarge(limit))
            }
            other => error_response(Error::BadRequest(format!(
                "could not read the request body: {other}"
            ))),
        })?;
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok((content_type, bytes.to_vec()))
}

/// Implements `ApiExtractor` for a raw-body payload (one that implements `Payload` and
/// `ParsePayload`): the body is read by our own `ParsePayload`, so a missing or
/// unexpected Content-Type reaches the handler, which answers it with the right code
/// (poem-openapi's `impl_apirequest_for_payload!` would answer 415 itself).
#[macro_export]
macro_rules! raw_body_extractor {
    ($ty:ty, $description:expr, $required:expr) => {
        impl<'a> poem_openapi::ApiExtractor<'a> for $ty {
            const TYPES: &'static [poem_openapi::ApiExtractorType] =
                &[poem_openapi::ApiExtractorType::RequestObject];
            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut poem_openapi::registry::Registry) {
                <Self as poem_openapi::payload::Payload>::register(registry);
            }

            fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
                Some(poem_openapi::registry::MetaRequest {
                    description: Some($description),
                    content: vec![poem_openapi::registry::MetaMediaType {
                        content_type: <Self as poem_openapi::payload::Payload>::CONTENT_TYPE,
                        schema: <Self as poem_openapi::payload::Payload>::schema_ref(),
                    }],
                    required: $required,
                })
            }

            async fn from_request(
                request: &'a poem::Request,
                body: &mut poem::RequestBody,
                _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
            ) -> poem::Result<Self> {
                <Self as poem_openapi::payload::ParsePayload>::from_request(request, body).await
            }
        }
    };
}

crate::raw_body_extractor!(
    StatementsBody,
    "A Statement, or an array of Statements.",
    true
);

fn error_response(err: Error) -> poem::Error {
    poem::Error::from_response(poem::IntoResponse::into_response(ApiError::from(err)))
}
