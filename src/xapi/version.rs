//! The `X-Experience-API-Version` header: which version a request speaks, checked before
//! any xAPI handler runs, and echoed on every xAPI response.
//! Spec: xAPI-Communication 3.3 (Versioning); IEEE 9274.1.1 C.3.3.

use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::error::uniform_error;
use crate::xapi::clock::WriteClock;
use crate::xapi::validate::time::format_utc;

pub const HEADER: &str = "X-Experience-API-Version";

/// The xAPI versions Black Belt serves. 1.0.x requests are answered as 1.0.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum XapiVersion {
    #[serde(rename = "1.0.3")]
    V1_0,
    #[serde(rename = "2.0.0")]
    V2_0,
}

impl XapiVersion {
    /// Every version string `/about` lists.
    pub const SERVED: [&'static str; 2] = ["1.0.3", "2.0.0"];

    /// Parses a request header value: `1.0`, `1.0.0`–`1.0.3`, `2.0.0`.
    pub fn from_header(value: &str) -> Option<Self> {
        match value.trim() {
            "1.0" | "1.0.0" | "1.0.1" | "1.0.2" | "1.0.3" => Some(XapiVersion::V1_0),
            "2.0.0" => Some(XapiVersion::V2_0),
            _ => None,
        }
    }

    /// The value of the response header.
    pub fn as_header(self) -> &'static str {
        match self {
            XapiVersion::V1_0 => "1.0.3",
            XapiVersion::V2_0 => "2.0.0",
        }
    }

    /// `version` written on stored statements that did not declare one.
    pub fn default_statement_version(self) -> &'static str {
        match self {
            XapiVersion::V1_0 => "1.0.0",
            XapiVersion::V2_0 => "2.0.0",
        }
    }

    /// Whether a statement may declare `declared` as its `version`.
    pub fn statement_version_allowed(declared: &str, request: XapiVersion) -> bool {
        let patch_ok = |rest: &str| {
            rest.is_empty() || (rest.starts_with('.') && rest[1..].parse::<u16>().is_ok())
        };
        if let Some(rest) = declared.strip_prefix("1.0") {
            return patch_ok(rest);
        }
        match declared.strip_prefix("2.0") {
            Some(rest) => request == XapiVersion::V2_0 && patch_ok(rest),
            None => false,
        }
    }

    pub fn allowed_statement_versions(self) -> &'static str {
        match self {
            XapiVersion::V1_0 => "1.0.x",
            XapiVersion::V2_0 => "1.0.x or 2.0.x",
        }
    }
}

/// Rejects xAPI requests without a supported version header (except `/about` and CORS
/// preflights), stamps the header on every response, and puts
/// `X-Experience-API-Consistent-Through` on every Statements response, errors included.
pub struct VersionGate {
    /// Advertised on rejections of requests that named no version.
    pub fallback: XapiVersion,
    pub clock: WriteClock,
}

impl<E: Endpoint> Middleware<E> for VersionGate {
    type Output = VersionGateEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        VersionGateEndpoint {
            inner,
            fallback: self.fallback,
            clock: self.clock.clone(),
        }
    }
}

pub struct VersionGateEndpoint<E> {
    inner: E,
    fallback: XapiVersion,
    clock: WriteClock,
}

impl<E: Endpoint> Endpoint for VersionGateEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        if req.method() == Method::OPTIONS || !req.uri().path().starts_with("/xapi/") {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let statements = req.uri().path() == "/xapi/statements";
        let declared = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let version = match declared.as_deref().map(XapiVersion::from_header) {
            Some(Some(version)) => version,
            Some(None) => {
                return Ok(reject(
                    self.fallback,
                    &format!(
                        "unsupported {HEADER} {:?}; this LRS serves {}",
                        declared.unwrap_or_default(),
                        XapiVersion::SERVED.join(" and ")
                    ),
                ));
            }
            None if req.uri().path().ends_with("/about") => XapiVersion::V2_0,
            None => {
                return Ok(reject(
                    self.fallback,
                    &format!(
                        "the {HEADER} header is required (one of {})",
                        XapiVersion::SERVED.join(", ")
                    ),
                ));
            }
        };
        req.set_data(version);
        let mut response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(err) => uniform_error(err),
        };
        let headers = response.headers_mut();
        headers.insert(HEADER, HeaderValue::from_static(version.as_header()));
        if statements && !headers.contains_key(CONSISTENT_THROUGH) {
            let through = format_utc(self.clock.consistent_through());
            if let Ok(value) = HeaderValue::from_str(&through) {
                headers.insert(CONSISTENT_THROUGH, value);
            }
        }
        Ok(response)
    }
}

pub const CONSISTENT_THROUGH: &str = "X-Experience-API-Consistent-Through";

fn reject(version: XapiVersion, message: &str) -> Response {
    let body = serde_json::json!({"error": "unsupported_version", "message": message});
    Response::builder()
        .status(StatusCode::BAD_REQUEST)
        .header(HEADER, version.as_header())
        .content_type("application/json")
        .body(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_1_0_patch_and_2_0_0() {
        for v in ["1.0", "1.0.0", "1.0.3"] {
            assert_eq!(XapiVersion::from_header(v), Some(XapiVersion::V1_0));
        }
        assert_eq!(XapiVersion::from_header("2.0.0"), Some(XapiVersion::V2_0));
    }

    #[test]
    fn rejects_unknown_versions() {
        for v in ["0.95", "1.1.0", "2.0", "3.0.0", ""] {
            assert_eq!(XapiVersion::from_header(v), None, "{v}");
        }
    }

    #[test]
    fn statement_version_2_0_needs_a_2_0_request() {
        assert!(XapiVersion::statement_version_allowed(
            "1.0.3",
            XapiVersion::V1_0
        ));
        assert!(!XapiVersion::statement_version_allowed(
            "2.0.0",
            XapiVersion::V1_0
        ));
        assert!(XapiVersion::statement_version_allowed(
            "2.0.0",
            XapiVersion::V2_0
        ));
        assert!(!XapiVersion::statement_version_allowed(
            "1.1.0",
            XapiVersion::V2_0
        ));
        assert!(!XapiVersion::statement_version_allowed(
            "1.0.x",
            XapiVersion::V2_0
        ));
    }
}
