//! What the document resources answer: a document with its own content type and ETag,
//! a JSON array of ids, or 204. Written by hand because a stored document's content type
//! is only known at run time.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{
    MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};

use super::store::StoredDocument;
use crate::xapi::http_date;

pub enum DocumentResponse {
    Document(StoredDocument),
    /// Ids, with the latest update among them (Last-Modified).
    Ids(Vec<String>, Option<i64>),
    NoContent,
}

fn last_modified(us: i64) -> String {
    http_date(jiff::Timestamp::from_microsecond(us).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
}

impl IntoResponse for DocumentResponse {
    fn into_response(self) -> Response {
        match self {
            DocumentResponse::Document(doc) => Response::builder()
                .status(StatusCode::OK)
                .content_type(doc.content_type)
                .header("ETag", doc.etag)
                .header("Last-Modified", last_modified(doc.updated_us))
                .body(doc.content),
            DocumentResponse::Ids(ids, latest) => {
                let mut builder = Response::builder()
                    .status(StatusCode::OK)
                    .content_type("application/json");
                if let Some(us) = latest {
                    builder = builder.header("Last-Modified", last_modified(us));
                }
                builder.body(serde_json::Value::from(ids).to_string())
            }
            DocumentResponse::NoContent => StatusCode::NO_CONTENT.into_response(),
        }
    }
}

fn header(name: &str, description: &str) -> MetaHeader {
    MetaHeader {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        required: false,
        deprecated: false,
        schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
    }
}

impl ApiResponse for DocumentResponse {
    fn meta() -> MetaResponses {
        let binary = MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("binary"),
            ..MetaSchema::new("string")
        }));
        let ids = MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(MetaSchemaRef::Inline(Box::new(MetaSchema::new(
                "string",
            ))))),
            ..MetaSchema::new("array")
        }));
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The document with the content type it was stored with, or \
                                  (without a document id) a JSON array of the ids in scope.",
                    status: Some(200),
                    status_range: None,
                    content: vec![
                        MetaMediaType {
                            content_type: "*/*",
                            schema: binary,
                        },
                        MetaMediaType {
                            content_type: "application/json",
                            schema: ids,
                        },
                    ],
                    headers: vec![
                        header("ETag", "Quoted SHA-1 of the document; send it in If-Match."),
                        header("Last-Modified", "When the document last changed."),
                    ],
                },
                MetaResponse {
                    description: "Stored or deleted.",
                    status: Some(204),
                    status_range: None,
                    content: vec![],
                    headers: vec![],
                },
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}
