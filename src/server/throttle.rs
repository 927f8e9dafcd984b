//! Per-address throttle for the routes anyone may call without a credential: each
//! client address has a token bucket per throttle (`burst` requests, refilled at
//! `per_minute`); past it the answer is 429 with `Retry-After`, made by the throttle's
//! owner so that a page gets a page and an API gets a problem document. One middleware
//! per group of routes, so no handler carries its own limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use poem::http::{HeaderValue, header};
use poem::{Addr, Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// Above this many tracked addresses, full (idle) buckets are forgotten: a full bucket
/// is the same as no bucket, so memory stays bounded without changing any answer.
const MAX_TRACKED: usize = 10_000;

/// Which request paths a throttle counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    /// Exactly this path.
    Exact(&'static str),
    /// This path and everything under it (`/ob` covers `/ob/issuer`, not `/obx`).
    Under(&'static str),
}

impl Paths {
    fn matches(self, path: &str) -> bool {
        match self {
            Paths::Exact(p) => path == p,
            Paths::Under(p) => path
                .strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
        }
    }
}

/// Makes the 429 answer for a refused request: its path and the seconds to wait.
pub type Refusal = fn(&str, u64) -> Response;

#[derive(Clone)]
pub struct Throttle {
    name: &'static str,
    paths: &'static [Paths],
    burst: f64,
    per_second: f64,
    refuse: Refusal,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Throttle {
    /// A throttle named `name` (in logs) over `paths`; `per_minute == 0` turns it off.
    pub fn new(
        name: &'static str,
        paths: &'static [Paths],
        burst: u32,
        per_minute: u32,
        refuse: Refusal,
    ) -> Throttle {
        Throttle {
            name,
            paths,
            burst: f64::from(burst.max(1)),
            per_second: f64::from(per_minute) / 60.0,
            refuse,
            buckets: Arc::default(),
        }
    }

    pub fn applies_to(&self, path: &str) -> bool {
        self.per_second > 0.0 && self.paths.iter().any(|p| p.matches(path))
    }

    /// Takes one token for `key`; when there is none, the seconds until there is.
    pub fn take(&self, key: String, now: Instant) -> std::result::Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // a poisoned lock must not lock everyone out
        };
        if buckets.len() >= MAX_TRACKED {
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, b| refilled(*b, now, burst, rate) < burst);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = refilled(*bucket, now, self.burst, self.per_second);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            return Ok(());
        }
        *bucket = Bucket { tokens, at: now };
        Err(((1.0 - tokens) / self.per_second).ceil().max(1.0) as u64)
    }
}

fn refilled(bucket: Bucket, now: Instant, burst: f64, per_second: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    (bucket.tokens + elapsed * per_second).min(burst)
}

/// The bucket a request counts against: its peer address; IPv6 by /64, the block one
/// host is usually given. Requests without a socket address (tests, Unix sockets)
/// share one bucket per kind of address.
pub fn client_key(addr: &Addr) -> String {
    match addr {
        Addr::SocketAddr(socket) => match socket.ip() {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        },
        other => other.to_string(),
    }
}

impl<E: Endpoint> Middleware<E> for Throttle {
    type Output = ThrottleEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ThrottleEndpoint {
            inner,
            throttle: self.clone(),
        }
    }
}

pub struct ThrottleEndpoint<E> {
    inner: E,
    throttle: Throttle,
}

impl<E: Endpoint> Endpoint for ThrottleEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        if self.throttle.applies_to(path) {
            let key = client_key(&req.remote_addr().0);
            if let Err(wait) = self.throttle.take(key, Instant::now()) {
                tracing::info!(
                    throttle = self.throttle.name,
                    path,
                    wait,
                    "request throttled"
                );
                let mut answer = (self.throttle.refuse)(path, wait);
                let headers = answer.headers_mut();
                headers.insert(header::RETRY_AFTER, HeaderValue::from(wait));
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                return Ok(answer);
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const PATHS: [Paths; 2] = [Paths::Exact("/lti/login"), Paths::Under("/ob")];

    fn refuse(_: &str, _: u64) -> Response {
        Response::builder()
            .status(poem::http::StatusCode::TOO_MANY_REQUESTS)
            .finish()
    }

    #[test]
    fn a_burst_is_allowed_then_refused_until_tokens_refill() {
        let throttle = Throttle::new("test", &PATHS, 3, 60, refuse);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(throttle.take("a".into(), start), Ok(()));
        }
        assert_eq!(throttle.take("a".into(), start), Err(1));
        assert_eq!(throttle.take("b".into(), start), Ok(()), "per address");
        let later = start + Duration::from_secs(1);
        assert_eq!(throttle.take("a".into(), later), Ok(()));
    }

    #[test]
    fn only_the_listed_paths_are_throttled_and_zero_turns_it_off() {
        let throttle = Throttle::new("test", &PATHS, 3, 60, refuse);
        assert!(throttle.applies_to("/lti/login"));
        assert!(!throttle.applies_to("/lti/login/x"), "exact means exact");
        assert!(throttle.applies_to("/ob"));
        assert!(throttle.applies_to("/ob/credentials/1"));
        assert!(!throttle.applies_to("/obx"), "under means a path segment");
        assert!(!throttle.applies_to("/lti/jwks"));
        assert!(!throttle.applies_to("/xapi/statements"));
        assert!(!Throttle::new("test", &PATHS, 3, 0, refuse).applies_to("/lti/login"));
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64_block() {
        let a: std::net::SocketAddr = "[2001:db8:1:2:aaaa::1]:5000".parse().unwrap();
        let b: std::net::SocketAddr = "[2001:db8:1:2:bbbb::9]:6000".parse().unwrap();
        assert_eq!(
            client_key(&Addr::SocketAddr(a)),
            client_key(&Addr::SocketAddr(b))
        );
        let v4: std::net::SocketAddr = "198.51.100.7:1234".parse().unwrap();
        assert_eq!(client_key(&Addr::SocketAddr(v4)), "198.51.100.7");
    }
}
