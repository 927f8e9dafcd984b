//! Says why a request carried no usable HTTP Basic credentials. poem-openapi refuses a
//! missing or malformed `Authorization` header itself, with the bare text "authorization
//! error"; this middleware, innermost around the API, still sees the header and answers
//! in our words. Wrong keys and secrets are answered by `check_basic`, all alike.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::HeaderValue;
use poem::http::header::AUTHORIZATION;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use poem_openapi::error::AuthorizationError;

use crate::error::{ApiError, BASIC_CHALLENGE, ErrorBody, ErrorCode};
use poem_openapi::payload::Json;

const HOW: &str = "send `Authorization: Basic base64(key:secret)` with a key and secret from \
                   `blackbelt credentials create`";

/// Why `header` (the request's `Authorization`, if any) is not usable HTTP Basic.
pub fn why_unusable(header: Option<&HeaderValue>) -> String {
    let Some(header) = header else {
        return format!("this operation needs HTTP Basic credentials: {HOW}");
    };
    let text = String::from_utf8_lossy(header.as_bytes());
    let (scheme, rest) = text.split_once(' ').unwrap_or((&text, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return format!(
            "the Authorization header uses the `{scheme}` scheme; this operation needs HTTP \
             Basic: {HOW}"
        );
    }
    let Ok(decoded) = STANDARD.decode(rest.trim()) else {
        return format!("the Authorization header's Basic credentials are not valid base64: {HOW}");
    };
    match String::from_utf8(decoded) {
        Err(_) => format!("the Authorization header's Basic credentials are not UTF-8 text: {HOW}"),
        Ok(pair) if !pair.contains(':') => format!(
            "the Authorization header's Basic credentials have no `:` between key and \
             secret: {HOW}"
        ),
        Ok(_) => format!("the Authorization header is not valid HTTP Basic: {HOW}"),
    }
}

/// Answers poem-openapi's `AuthorizationError` with `why_unusable` and the Basic challenge.
pub struct ExplainCredentials;

impl<E: Endpoint> Middleware<E> for ExplainCredentials {
    type Output = ExplainCredentialsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ExplainCredentialsEndpoint { inner }
    }
}

pub struct ExplainCredentialsEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for ExplainCredentialsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let header = req.headers().get(AUTHORIZATION).cloned();
        match self.inner.call(req).await {
            Ok(output) => Ok(output.into_response()),
            Err(err) if err.is::<AuthorizationError>() => Ok(ApiError::Unauthorized(
                Json(ErrorBody {
                    error: ErrorCode::Unauthorized,
                    message: why_unusable(header.as_ref()),
                }),
                BASIC_CHALLENGE.to_owned(),
            )
            .into_response()),
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(value: &str) -> String {
        why_unusable(Some(&HeaderValue::from_str(value).unwrap()))
    }

    #[test]
    fn each_malformed_header_gets_its_own_reason() {
        assert!(why_unusable(None).starts_with("this operation needs HTTP Basic"));
        assert!(why("Bearer abc").contains("uses the `Bearer` scheme"));
        assert!(why("Basic !!!").contains("not valid base64"));
        assert!(why(&format!("Basic {}", STANDARD.encode("nocolon"))).contains("no `:`"));
    }
}
