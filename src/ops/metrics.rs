//! The process-wide Prometheus recorder and the request-metrics middleware.

use std::sync::OnceLock;
use std::time::Instant;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::server::routes::RouteTable;

/// Request latency buckets, in seconds: histograms (unlike summaries) can be summed
/// across instances.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder once per process (tests build many apps in one process).
pub fn install() {
    HANDLE.get_or_init(|| {
        match PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("passback_delivery_seconds".into()),
                    crate::passback::metrics::DELIVERY_BUCKETS,
                )
            })
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("passback_lag_seconds".into()),
                    crate::passback::metrics::LAG_BUCKETS,
                )
            })
            .and_then(PrometheusBuilder::install_recorder)
        {
            Ok(handle) => Some(handle),
            Err(err) => {
                tracing::warn!(error = %err, "metrics recorder not installed");
                None
            }
        }
    });
}

pub fn render() -> String {
    HANDLE
        .get()
        .and_then(Option::as_ref)
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Counts requests and measures latency by method, route template and status.
pub struct RequestMetrics {
    pub routes: RouteTable,
}

impl<E: Endpoint> Middleware<E> for RequestMetrics {
    type Output = RequestMetricsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestMetricsEndpoint {
            inner,
            routes: self.routes.clone(),
        }
    }
}

pub struct RequestMetricsEndpoint<E> {
    inner: E,
    routes: RouteTable,
}

impl<E: Endpoint> Endpoint for RequestMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let started = Instant::now();
        let method = req.method().to_string();
        let route = route_label(&self.routes, req.uri().path());
        let response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(err) => crate::error::uniform_error(err),
        };
        let status = response.status().as_u16().to_string();
        metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
            .increment(1);
        metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
            .record(started.elapsed().as_secs_f64());
        Ok(response)
    }
}

/// The route template, so ids in paths and probes for paths that do not exist cannot
/// explode label cardinality.
fn route_label(routes: &RouteTable, path: &str) -> String {
    routes
        .find(path)
        .map_or_else(|| "unmatched".to_owned(), |m| m.template.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_labels_are_templates_and_unknown_paths_share_one() {
        let routes = RouteTable::from_openapi(
            r#"{"paths": {"/xapi/statements": {"get": {}}, "/api/learners/progress": {"get": {}},
                "/api/registrations/{registration}/progress": {"get": {}}}}"#,
        );
        assert_eq!(route_label(&routes, "/xapi/statements"), "/xapi/statements");
        assert_eq!(
            route_label(&routes, "/api/learners/progress"),
            "/api/learners/progress"
        );
        assert_eq!(
            route_label(&routes, "/api/registrations/0f4c/progress"),
            "/api/registrations/{registration}/progress"
        );
        assert_eq!(
            route_label(&routes, "/content/abc/def/x.html"),
            "/content/{slug}/{*}"
        );
        assert_eq!(route_label(&routes, "/wp-admin/1234.php"), "unmatched");
        assert_eq!(route_label(&routes, "/wp-admin/5678.php"), "unmatched");
    }
}
