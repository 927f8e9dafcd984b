//! `GET /healthz`, `GET /readyz`, `GET /metrics`.

use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::db::Db;
use crate::error::{ErrorBody, ErrorCode};
use crate::openapi::ApiTags;

pub struct OpsApi {
    pub db: Db,
    /// `metrics_token` from the configuration: when set, `/metrics` needs it.
    pub metrics_token: Option<String>,
}

#[derive(ApiResponse)]
pub enum MetricsResponse {
    /// Prometheus text format.
    #[oai(status = 200)]
    Metrics(PlainText<String>),
    /// `metrics_token` is configured and the request did not bear it.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>, #[oai(header = "WWW-Authenticate")] String),
}

/// Probe result.
#[derive(Object)]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// The database answers.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// The database does not answer; see `status`.
    #[oai(status = 503)]
    NotReady(Json<Health>),
}

#[OpenApi(tag = "ApiTags::Ops")]
impl OpsApi {
    /// The process is up.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".into(),
        })
    }

    /// The process can serve requests: the database answers.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self) -> ReadyResponse {
        match self.db.conn.ping().await {
            Ok(()) => ReadyResponse::Ready(Json(Health {
                status: "ok".into(),
            })),
            Err(err) => {
                tracing::warn!(error = %err, "readiness check failed");
                ReadyResponse::NotReady(Json(Health {
                    status: "database unreachable".into(),
                }))
            }
        }
    }

    /// Prometheus metrics: requests by route and status, latencies, statements stored.
    ///
    /// When the server has a `metrics_token`, send it as `Authorization: Bearer <token>`.
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self, req: &poem::Request) -> MetricsResponse {
        // Read from the request, not declared as a parameter: the credential is not
        // part of the operation's interface, and API tools treat `Authorization` apart.
        if let Some(expected) = &self.metrics_token
            && !bears(req.header("Authorization"), expected)
        {
            return MetricsResponse::Unauthorized(
                Json(ErrorBody {
                    error: ErrorCode::Unauthorized,
                    message: "send the configured metrics_token as `Authorization: Bearer <token>`"
                        .into(),
                }),
                "Bearer realm=\"metrics\"".into(),
            );
        }
        MetricsResponse::Metrics(PlainText(super::metrics::render()))
    }
}

/// `Bearer <expected>`, compared in constant time.
fn bears(authorization: Option<&str>, expected: &str) -> bool {
    let presented = authorization
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    aws_lc_rs::constant_time::verify_slices_are_equal(presented.as_bytes(), expected.as_bytes())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_opens_metrics() {
        assert!(bears(Some("Bearer s3cret"), "s3cret"));
        assert!(!bears(Some("Bearer s3cre"), "s3cret"));
        assert!(!bears(Some("Basic s3cret"), "s3cret"));
        assert!(!bears(None, "s3cret"));
    }
}
