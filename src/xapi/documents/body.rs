//! The body of a document write: any bytes of any content type, read under the
//! configured size limit.

use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};

use crate::xapi::body::read_limited;

/// Content type assumed when a request declares none.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

pub struct DocumentBody {
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl DocumentBody {
    /// The declared content type, or `application/octet-stream`.
    pub fn content_type(&self) -> &str {
        self.content_type
            .as_deref()
            .filter(|ct| !ct.trim().is_empty())
            .unwrap_or(DEFAULT_CONTENT_TYPE)
    }
}

impl Payload for DocumentBody {
    const CONTENT_TYPE: &'static str = "*/*";

    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("binary"),
            ..MetaSchema::new("string")
        }))
    }
}

impl ParsePayload for DocumentBody {
    const IS_REQUIRED: bool = false;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (content_type, bytes) = read_limited(request, body).await?;
        Ok(DocumentBody {
            content_type,
            bytes,
        })
    }
}

crate::raw_body_extractor!(
    DocumentBody,
    "The document, any content type, stored byte-exact. POST merges JSON objects.",
    false
);
