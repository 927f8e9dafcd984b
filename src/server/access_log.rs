//! One log line per request: method, path, status, duration. The query string is left
//! out on purpose: it carries one-time registration links, `more` cursors and learners'
//! email addresses (`agent=`), none of which belong in a log file.

use std::time::Instant;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tracing::Instrument;

pub struct AccessLog;

impl<E: Endpoint> Middleware<E> for AccessLog {
    type Output = AccessLogEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AccessLogEndpoint { inner }
    }
}

pub struct AccessLogEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for AccessLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let span = tracing::info_span!(
            "request",
            method = %req.method(),
            path = %req.uri().path(),
            remote_addr = %req.remote_addr(),
        );
        async move {
            let started = Instant::now();
            let response = match self.inner.call(req).await {
                Ok(output) => output.into_response(),
                Err(err) => crate::error::uniform_error(err),
            };
            let status = response.status().as_u16();
            let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            if status >= 500 {
                tracing::error!(status, duration_ms, "response");
            } else {
                tracing::info!(status, duration_ms, "response");
            }
            Ok(response)
        }
        .instrument(span)
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use poem::test::TestClient;
    use poem::{EndpointExt, Route, get, handler};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[handler]
    fn ok() -> &'static str {
        "ok"
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_path_and_status_are_logged_and_the_query_string_never() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let client = TestClient::new(Route::new().at("/lti/register", get(ok)).with(AccessLog));
        client
            .get("/lti/register")
            .query("link", &"one-time-secret")
            .send()
            .await
            .assert_status_is_ok();
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("/lti/register"), "{log}");
        assert!(log.contains("status=200"), "{log}");
        assert!(!log.contains("one-time-secret"), "{log}");
    }
}
