//! A raw `application/x-www-form-urlencoded` body: LTI 1.1 signatures cover every
//! parameter in order, duplicates included, which a decoded struct would lose.

use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};

use crate::xapi::body::read_limited;

pub struct RawForm(pub Vec<u8>);

impl Payload for RawForm {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";

    fn check_content_type(content_type: &str) -> bool {
        content_type.starts_with("application/x-www-form-urlencoded")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("object")))
    }

    fn register(_registry: &mut Registry) {}
}

impl ParsePayload for RawForm {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (_, bytes) = read_limited(request, body).await?;
        Ok(RawForm(bytes))
    }
}

crate::raw_body_extractor!(
    RawForm,
    "The LMS's signed launch form (LTI 1.1 parameters and oauth_*).",
    true
);
