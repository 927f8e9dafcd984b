//! A JSON response body that is already text: stored statements are kept as the JSON
//! text they were stored as, so a page is those texts joined, written out as they are.
//! Parsing each into a `Value` and serialising it again cost ~80 µs per statement and
//! could only lose exactness (issue 19).

use poem::IntoResponse;
use poem::http::header::CONTENT_TYPE;
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::Value;

/// JSON text to send as `application/json`; documented as any JSON value, as
/// `Json<Value>` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(pub String);

impl Payload for JsonText {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        Value::schema_ref()
    }

    fn register(registry: &mut Registry) {
        Value::register(registry);
    }
}

impl IntoResponse for JsonText {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .header(CONTENT_TYPE, Self::CONTENT_TYPE)
            .body(self.0)
    }
}

/// `{"statements":[<text>,...],"more":"<link>"}` from the statements' JSON texts, each
/// written as it is.
pub fn statement_result<'a>(statements: impl IntoIterator<Item = &'a str>, more: &str) -> String {
    let statements = statements.into_iter();
    let mut out = String::with_capacity(1024 * statements.size_hint().0 + more.len() + 32);
    out.push_str(r#"{"statements":["#);
    for (i, text) in statements.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(text);
    }
    out.push_str(r#"],"more":"#);
    out.push_str(&Value::String(more.to_owned()).to_string());
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_result_holds_the_texts_as_they_are() {
        let texts = [r#"{"n":1e400,"s":"\u0000"}"#, r#"{"n":-0}"#];
        let out = statement_result(texts, "/xapi/statements?more=a\"b");
        assert_eq!(
            out,
            r#"{"statements":[{"n":1e400,"s":"\u0000"},{"n":-0}],"more":"/xapi/statements?more=a\"b"}"#
        );
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["more"], "/xapi/statements?more=a\"b");
    }

    #[test]
    fn an_empty_page_is_an_empty_array_and_no_more() {
        assert_eq!(statement_result([], ""), r#"{"statements":[],"more":""}"#);
    }
}
