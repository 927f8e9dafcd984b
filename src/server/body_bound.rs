//! Every request body is read here, before routing, authentication or parsing: under a
//! per-route size limit, a deadline, and a server-wide budget of buffered bytes. Poem's
//! `Form` and `Json` extractors read whole bodies whatever their size, so no extractor
//! may ever see an unread body.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use poem::http::StatusCode;
use poem::http::header::CONTENT_LENGTH;
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::error::{ErrorCode, error_response};

/// Budget units are KiB, so a semaphore's `u32` permits cover terabytes.
const UNIT: usize = 1024;

/// How large a body may be, how long it may take, and how much all may hold at once.
#[derive(Debug, Clone, Copy)]
pub struct BodyBounds {
    /// Routes that carry attachments, documents or packages.
    pub large_bytes: usize,
    /// Everything else: forms (LTI), admin JSON, and bodies where none belongs.
    pub small_bytes: usize,
    /// From the first byte of the body to the last.
    pub read_timeout: Duration,
    /// All bodies being read or held by handlers at one time, in bytes.
    pub in_flight_bytes: usize,
}

impl BodyBounds {
    /// The limit for a path: the large one only where the payloads need it.
    pub fn limit_for(&self, path: &str) -> usize {
        if path == crate::survey::api::RESPONSES_PATH {
            return self.small_bytes.min(crate::survey::api::MAX_RESPONSE_BYTES);
        }
        // Evidence files are bounded again, tighter, by `evidence_max_bytes`.
        if path.starts_with("/xapi/")
            || path == "/api/packages"
            || path == "/api/certification/evidence"
            || path == crate::console::admin::packages::UPLOAD_PATH
        {
            self.large_bytes
        } else {
            self.small_bytes
        }
    }
}

pub struct BoundBodies {
    bounds: BodyBounds,
    budget: Arc<Semaphore>,
}

impl BoundBodies {
    pub fn new(bounds: BodyBounds) -> Self {
        let units = (bounds.in_flight_bytes / UNIT).clamp(1, Semaphore::MAX_PERMITS);
        BoundBodies {
            bounds,
            budget: Arc::new(Semaphore::new(units)),
        }
    }
}

impl<E: Endpoint> Middleware<E> for BoundBodies {
    type Output = BoundBodiesEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BoundBodiesEndpoint {
            inner,
            bounds: self.bounds,
            budget: self.budget.clone(),
        }
    }
}

pub struct BoundBodiesEndpoint<E> {
    inner: E,
    bounds: BodyBounds,
    budget: Arc<Semaphore>,
}

/// Why a body was not accepted.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    TooLarge(usize),
    TooSlow(Duration),
    Busy,
    Broken(String),
}

impl Refusal {
    fn response(self) -> Response {
        match self {
            Refusal::TooLarge(limit) => error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than the {limit}-byte limit for this route"),
            ),
            Refusal::TooSlow(timeout) => error_response(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                format!(
                    "the request body did not arrive within {} s; send it faster or in smaller parts",
                    timeout.as_secs()
                ),
            ),
            Refusal::Busy => {
                let mut response = error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::ServiceUnavailable,
                    "the server is reading too many large requests at once; retry shortly",
                );
                response
                    .headers_mut()
                    .insert("Retry-After", poem::http::HeaderValue::from_static("2"));
                response
            }
            Refusal::Broken(why) => error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                format!("could not read the request body: {why}"),
            ),
        }
        .with_header("Connection", "close")
        .into_response()
    }
}

impl<E: Endpoint> Endpoint for BoundBodiesEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let limit = self.bounds.limit_for(req.uri().path());
        let declared = declared_length(&req);
        if declared.is_some_and(|n| n > limit) {
            return Ok(Refusal::TooLarge(limit).response());
        }
        // The permits live until the handler has answered: the bytes are held that long.
        let (bytes, _permits) = match self.read(req.take_body(), limit).await {
            Ok(read) => read,
            Err(refusal) => return Ok(refusal.response()),
        };
        req.set_body(Body::from(bytes));
        Ok(self.inner.call(req).await?.into_response())
    }
}

impl<E> BoundBodiesEndpoint<E> {
    /// Reads chunk by chunk, taking budget for each chunk before keeping it.
    async fn read(
        &self,
        body: Body,
        limit: usize,
    ) -> Result<(Vec<u8>, Option<OwnedSemaphorePermit>), Refusal> {
        let deadline = Instant::now() + self.bounds.read_timeout;
        let mut stream = body.into_bytes_stream();
        let mut bytes = Vec::new();
        let mut permits: Option<OwnedSemaphorePermit> = None;
        loop {
            let next = tokio::time::timeout_at(deadline, stream.next())
                .await
                .map_err(|_| Refusal::TooSlow(self.bounds.read_timeout))?;
            let Some(chunk) = next else { break };
            let chunk = chunk.map_err(|e| Refusal::Broken(e.to_string()))?;
            if bytes.len() + chunk.len() > limit {
                return Err(Refusal::TooLarge(limit));
            }
            let held = permits.as_ref().map_or(0, |p| p.num_permits());
            let needed = (bytes.len() + chunk.len()).div_ceil(UNIT);
            if needed > held {
                let more = u32::try_from(needed - held).map_err(|_| Refusal::Busy)?;
                // Waiting for budget counts against the same deadline as the read.
                let permit =
                    tokio::time::timeout_at(deadline, self.budget.clone().acquire_many_owned(more))
                        .await
                        .map_err(|_| Refusal::Busy)?
                        .map_err(|_| Refusal::Busy)?;
                match permits.as_mut() {
                    Some(held) => held.merge(permit),
                    None => permits = Some(permit),
                }
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((bytes, permits))
    }
}

fn declared_length(req: &Request) -> Option<usize> {
    req.headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::test::TestClient;
    use poem::{EndpointExt, handler, post};

    #[handler]
    async fn echo_len(body: Vec<u8>) -> String {
        body.len().to_string()
    }

    fn bounds() -> BodyBounds {
        BodyBounds {
            large_bytes: 1000,
            small_bytes: 100,
            read_timeout: Duration::from_secs(5),
            in_flight_bytes: 64 * 1024,
        }
    }

    fn app() -> impl Endpoint {
        poem::Route::new()
            .at("/lti/login", post(echo_len))
            .at("/xapi/statements", post(echo_len))
            .with(BoundBodies::new(bounds()))
    }

    #[test]
    fn only_payload_routes_get_the_large_limit() {
        let b = bounds();
        assert_eq!(b.limit_for("/xapi/statements"), 1000);
        assert_eq!(b.limit_for("/xapi/activities/state"), 1000);
        assert_eq!(b.limit_for("/api/packages"), 1000);
        assert_eq!(b.limit_for("/api/certification/evidence"), 1000);
        assert_eq!(b.limit_for("/api/certification/awards"), 100);
        assert_eq!(b.limit_for("/lti/launch"), 100);
        assert_eq!(b.limit_for("/api/lti/platforms"), 100);
        assert_eq!(b.limit_for("/api/packagesx"), 100);
        // The console's package upload, and no other console route.
        assert_eq!(b.limit_for("/console/admin/packages/upload"), 1000);
        assert_eq!(b.limit_for("/console/admin/packages"), 100);
        assert_eq!(b.limit_for("/console/admin/credentials"), 100);
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_unread() {
        let client = TestClient::new(app());
        let response = client
            .post("/lti/login")
            .header("Content-Length", "500000000")
            .body("x")
            .send()
            .await;
        response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_streamed_body_is_cut_at_the_limit() {
        let client = TestClient::new(app());
        // No Content-Length: an endless stream must be stopped at the limit.
        let endless = futures_util::stream::repeat(bytes::Bytes::from_static(&[b'a'; 64]))
            .map(Ok::<_, std::io::Error>);
        let response = client
            .post("/lti/login")
            .body(Body::from_bytes_stream(endless))
            .send()
            .await;
        response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
        let response = client
            .post("/xapi/statements")
            .body(vec![b'a'; 999])
            .send()
            .await;
        response.assert_status_is_ok();
        response.assert_text("999").await;
    }

    #[tokio::test]
    async fn a_stalled_body_times_out() {
        let endpoint = poem::Route::new()
            .at("/lti/login", post(echo_len))
            .with(BoundBodies::new(BodyBounds {
                read_timeout: Duration::from_millis(200),
                ..bounds()
            }));
        let client = TestClient::new(endpoint);
        let stalled = futures_util::stream::once(async {
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"a"))
        })
        .chain(futures_util::stream::pending());
        let response = client
            .post("/lti/login")
            .body(Body::from_bytes_stream(stalled))
            .send()
            .await;
        response.assert_status(StatusCode::REQUEST_TIMEOUT);
    }

    #[tokio::test]
    async fn bodies_beyond_the_shared_budget_wait_then_are_refused() {
        let bounds = BodyBounds {
            read_timeout: Duration::from_millis(300),
            in_flight_bytes: 2 * UNIT,
            large_bytes: 10 * UNIT,
            ..bounds()
        };
        let middleware = BoundBodies::new(bounds);
        // Someone else holds the whole budget.
        let _held = middleware
            .budget
            .clone()
            .acquire_many_owned(2)
            .await
            .unwrap();
        let endpoint = poem::Route::new()
            .at("/xapi/statements", post(echo_len))
            .with(middleware);
        let client = TestClient::new(endpoint);
        let response = client
            .post("/xapi/statements")
            .body(vec![b'a'; 3 * UNIT])
            .send()
            .await;
        response.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        response.assert_header("Retry-After", "2");
    }
}
