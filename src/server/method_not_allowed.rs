//! A 405 names the methods the resource does allow (RFC 9110 §15.5.6 requires `Allow`).
//! The router knows only that the method did not match, so the methods come from the
//! OpenAPI document, the one place every route is declared.

use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::routes::RouteTable;

#[derive(Clone)]
pub struct AllowHeader {
    routes: RouteTable,
}

impl AllowHeader {
    pub fn new(routes: RouteTable) -> Self {
        AllowHeader { routes }
    }
}

impl<E: Endpoint> Middleware<E> for AllowHeader {
    type Output = AllowHeaderEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AllowHeaderEndpoint {
            inner,
            allow: self.clone(),
        }
    }
}

pub struct AllowHeaderEndpoint<E> {
    inner: E,
    allow: AllowHeader,
}

impl<E: Endpoint> Endpoint for AllowHeaderEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let allowed = self
            .allow
            .routes
            .find(req.uri().path())
            .map(|m| m.allow.to_owned());
        let method = req.method().clone();
        let mut response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(err) => crate::error::uniform_error(err),
        };
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(allowed) = allowed
        {
            let message = format!("method {method} is not allowed here; allowed: {allowed}");
            response = crate::error::error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                crate::error::ErrorCode::MethodNotAllowed,
                message,
            );
            if let Ok(value) = HeaderValue::from_str(&allowed) {
                response.headers_mut().insert("Allow", value);
            }
        }
        Ok(response)
    }
}
