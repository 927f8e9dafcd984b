//! Request bodies of xAPI writes, read as raw bytes under the configured size limit so
//! that content-type and JSON errors get xAPI's status codes and our error body.

use poem::http::header::CONTENT_TYPE;
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

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

// Written out instead of `impl_apirequest_for_payload!` so that a missing Content-Type
// reaches the handler, which answers it the xAPI way.
impl<'a> ApiExtractor<'a> for StatementsBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: Some("A Statement, or an array of Statements."),
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
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

fn error_response(err: Error) -> poem::Error {
    poem::Error::from_response(poem::IntoResponse::into_response(ApiError::from(err)))
}
