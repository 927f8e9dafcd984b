//! A 405 names the methods the resource does allow (RFC 9110 §15.5.6 requires `Allow`).
//! The router knows only that the method did not match, so the methods come from the
//! OpenAPI document, the one place every route is declared.

use std::collections::BTreeSet;
use std::sync::Arc;

use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use serde_json::Value;

/// Routes served outside the OpenAPI document, as `(template, methods)`; a trailing
/// `{*}` matches the rest of the path.
const UNDOCUMENTED: &[(&str, &str)] = &[("/content/{slug}/{*}", "GET"), ("/runtime/{*}", "GET")];

#[derive(Clone)]
pub struct AllowHeader {
    routes: Arc<Vec<(Vec<String>, String)>>,
}

impl AllowHeader {
    /// Reads every path and its methods from the OpenAPI document.
    pub fn from_openapi(spec: &str) -> Self {
        let spec: Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes: Vec<(Vec<String>, String)> = Vec::new();
        if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
            for (path, operations) in paths {
                let methods: BTreeSet<String> = operations
                    .as_object()
                    .into_iter()
                    .flat_map(|ops| ops.keys())
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                routes.push((segments(path), allow_list(methods)));
            }
        }
        for (path, methods) in UNDOCUMENTED {
            let methods = methods.split(',').map(str::to_owned).collect();
            routes.push((segments(path), allow_list(methods)));
        }
        AllowHeader {
            routes: Arc::new(routes),
        }
    }

    /// The `Allow` value for a concrete request path, if a route matches it.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        let wanted: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .find(|(template, _)| matches(template, &wanted))
            .map(|(_, allow)| allow.as_str())
    }
}

fn segments(template: &str) -> Vec<String> {
    template.split('/').map(str::to_owned).collect()
}

/// HEAD is served wherever GET is; OPTIONS everywhere (CORS preflight).
fn allow_list(mut methods: BTreeSet<String>) -> String {
    if methods.contains("GET") {
        methods.insert("HEAD".into());
    }
    methods.insert("OPTIONS".into());
    methods.into_iter().collect::<Vec<_>>().join(", ")
}

fn matches(template: &[String], path: &[&str]) -> bool {
    if let Some(last) = template.last()
        && last == "{*}"
    {
        let fixed = &template[..template.len() - 1];
        return path.len() > fixed.len() && segments_match(fixed, &path[..fixed.len()]);
    }
    template.len() == path.len() && segments_match(template, path)
}

fn segments_match(template: &[String], path: &[&str]) -> bool {
    template
        .iter()
        .zip(path)
        .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
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
        let allowed = self.allow.allowed(req.uri().path()).map(str::to_owned);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn allow() -> AllowHeader {
        AllowHeader::from_openapi(
            r#"{"paths": {
                "/xapi/statements": {"get": {}, "put": {}, "post": {}},
                "/api/lti/platforms/{id}": {"delete": {}},
                "/api/lti/platforms/{id}/approve": {"post": {}}
            }}"#,
        )
    }

    #[test]
    fn allow_lists_the_documented_methods_with_head_and_options() {
        let allow = allow();
        assert_eq!(
            allow.allowed("/xapi/statements"),
            Some("GET, HEAD, OPTIONS, POST, PUT")
        );
        assert_eq!(
            allow.allowed("/api/lti/platforms/7"),
            Some("DELETE, OPTIONS")
        );
        assert_eq!(
            allow.allowed("/api/lti/platforms/7/approve"),
            Some("OPTIONS, POST")
        );
        assert_eq!(allow.allowed("/api/lti/platforms/"), None);
        assert_eq!(allow.allowed("/nowhere"), None);
    }

    #[test]
    fn undocumented_asset_routes_match_any_depth() {
        let allow = allow();
        assert_eq!(
            allow.allowed("/content/abc/a/b/c.js"),
            Some("GET, HEAD, OPTIONS")
        );
        assert_eq!(allow.allowed("/content/abc"), None);
    }
}
