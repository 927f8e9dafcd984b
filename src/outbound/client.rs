//! The one HTTP client for calls to other servers (platform key sets, Dynamic
//! Registration, service tokens, later grade passback). Every call goes through the
//! same rules: the address filter applied to the addresses it connects to, a size cap
//! enforced while the answer streams in, connect and total timeouts, no redirects, and
//! errors in our words, never the other server's body.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::Value;

use super::address::AddressPolicy;
use crate::config::Config;

/// The client's rules, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct OutboundSettings {
    /// Also call loopback and private networks (a local LMS; the tests).
    pub allow_private: bool,
    /// Longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest a whole call may take, answer included.
    pub timeout: Duration,
}

impl OutboundSettings {
    pub fn from_config(config: &Config) -> OutboundSettings {
        OutboundSettings {
            allow_private: config.outbound_allow_private,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(config.outbound_timeout_secs.max(1)),
        }
    }
}

/// Why an outbound call failed, worded for the page or log that shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    #[error("its address is not an absolute http(s) URL")]
    BadUrl,
    #[error(
        "its address ({host}) is on a loopback, private or reserved network, which this \
         server does not call; outbound_allow_private = true allows loopback and private \
         networks (cloud metadata addresses stay refused)"
    )]
    Refused { host: String },
    /// Connection refused, DNS failure and timeouts read the same, so the answer
    /// cannot be used to scan ports.
    #[error("could not connect to it, or it did not answer in time")]
    Unreachable,
    #[error("it answered {0}, a redirect, which this server does not follow")]
    Redirect(u16),
    #[error("it answered {0}")]
    Status(u16),
    #[error("its answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("its answer is not valid JSON")]
    NotJson,
}

/// A complete answer, no larger than the limit the caller gave.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: AnswerHeaders,
}

/// The answer headers callers act on; the rest are not kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AnswerHeaders {
    /// Every `Link` header, in order (RFC 8288 paging; see `outbound::link`).
    pub link: Vec<String>,
    /// `Retry-After`, as sent (delta-seconds or an HTTP-date).
    pub retry_after: Option<String>,
    pub content_type: Option<String>,
}

/// One request made with [`Outbound::call`]. Not `Debug`: it holds credentials.
#[derive(Clone)]
pub struct Call<'a> {
    pub method: reqwest::Method,
    pub url: &'a str,
    /// Sent as `Authorization: Bearer <token>`.
    pub bearer: Option<&'a str>,
    /// A whole `Authorization` value (OAuth 1.0a); ignored when `bearer` is given.
    pub authorization: Option<&'a str>,
    /// Sent exactly as given (no charset is added).
    pub content_type: Option<&'a str>,
    pub accept: Option<&'a str>,
    pub body: Option<Vec<u8>>,
    /// The largest answer body accepted, in bytes.
    pub limit: usize,
}

impl<'a> Call<'a> {
    /// A request with no headers and no body; fill the fields you need.
    pub fn new(method: reqwest::Method, url: &'a str, limit: usize) -> Call<'a> {
        Call {
            method,
            url,
            bearer: None,
            authorization: None,
            content_type: None,
            accept: None,
            body: None,
            limit,
        }
    }
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, whatever the status.
    pub fn json(&self) -> Result<Value, OutboundError> {
        serde_json::from_slice(&self.body).map_err(|_| OutboundError::NotJson)
    }

    /// The body as JSON when the status is 2xx.
    pub fn success_json(&self) -> Result<Value, OutboundError> {
        if !self.is_success() {
            return Err(OutboundError::Status(self.status));
        }
        self.json()
    }
}

/// What the resolver returns when every address of a name is refused; found again in
/// reqwest's error chain to tell it from an ordinary connection failure.
#[derive(Debug)]
struct RefusedName;

impl std::fmt::Display for RefusedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("every address of the name is refused by the outbound address policy")
    }
}

impl std::error::Error for RefusedName {}

/// Resolves with the system resolver and keeps only permitted addresses. reqwest
/// connects to exactly what this returns, so the check and the connection use the same
/// address (no window for DNS rebinding).
struct FilteringResolver {
    policy: AddressPolicy,
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| policy.permits(a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(RefusedName) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The outbound client. Cheap to clone; build it once per application.
#[derive(Clone)]
pub struct Outbound {
    /// `None` only in `unusable()`, which no request path ever holds.
    client: Option<reqwest::Client>,
    policy: AddressPolicy,
}

impl Outbound {
    pub fn new(settings: OutboundSettings) -> Result<Outbound, String> {
        let policy = AddressPolicy {
            allow_private: settings.allow_private,
        };
        let client = reqwest::Client::builder()
            .user_agent(concat!("BlackBelt/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            // A redirect would lead past the checks made on the first address.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy resolves names itself, out of the resolver's reach.
            .no_proxy()
            .dns_resolver(Arc::new(FilteringResolver { policy }))
            .build()
            .map_err(|e| format!("cannot build the outbound HTTP client: {e}"))?;
        Ok(Outbound {
            client: Some(client),
            policy,
        })
    }

    /// A client that calls nothing (for printing the OpenAPI document).
    pub fn unusable() -> Outbound {
        Outbound {
            client: None,
            policy: AddressPolicy::default(),
        }
    }

    /// GET `url`, with a bearer token if given.
    pub async fn get(
        &self,
        url: &str,
        bearer: Option<&str>,
        limit: usize,
    ) -> Result<Answer, OutboundError> {
        self.send(url, limit, |client, url| {
            let request = client.get(url);
            match bearer {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
        })
        .await
    }

    /// POST `body` as JSON to `url`, with a bearer token if given.
    pub async fn post_json(
        &self,
        url: &str,
        bearer: Option<&str>,
        body: &Value,
        limit: usize,
    ) -> Result<Answer, OutboundError> {
        self.send(url, limit, |client, url| {
            let request = client.post(url).json(body);
            match bearer {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
        })
        .await
    }

    /// POST an `application/x-www-form-urlencoded` body to `url`.
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        limit: usize,
    ) -> Result<Answer, OutboundError> {
        // Scoped: the serializer is not `Send`, and must not live across the await.
        let body = {
            let mut body = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in form {
                body.append_pair(name, value);
            }
            body.finish()
        };
        self.send(url, limit, move |client, url| {
            client
                .post(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
        })
        .await
    }

    /// Any request, under the same rules as every other call; the answer keeps the
    /// headers in [`AnswerHeaders`].
    pub async fn call(&self, call: Call<'_>) -> Result<Answer, OutboundError> {
        let Call {
            method,
            url,
            bearer,
            authorization,
            content_type,
            accept,
            body,
            limit,
        } = call;
        self.send(url, limit, move |client, url| {
            let mut request = client.request(method, url);
            if let Some(token) = bearer {
                request = request.bearer_auth(token);
            } else if let Some(value) = authorization {
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            if let Some(value) = content_type {
                request = request.header(reqwest::header::CONTENT_TYPE, value);
            }
            if let Some(value) = accept {
                request = request.header(reqwest::header::ACCEPT, value);
            }
            match body {
                Some(bytes) => request.body(bytes),
                None => request,
            }
        })
        .await
    }

    async fn send(
        &self,
        url: &str,
        limit: usize,
        build: impl FnOnce(&reqwest::Client, url::Url) -> reqwest::RequestBuilder,
    ) -> Result<Answer, OutboundError> {
        let parsed = self.check(url)?;
        let Some(client) = &self.client else {
            return Err(OutboundError::Unreachable);
        };
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let mut response = build(client, parsed)
            .send()
            .await
            .map_err(|e| failure(&host, &e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(OutboundError::Redirect(status.as_u16()));
        }
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(OutboundError::TooLarge(limit));
        }
        // Read chunk by chunk: a declared length can be absent or false, and the
        // limit must hold before the bytes are in memory, not after.
        let headers = answer_headers(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| failure(&host, &e))? {
            if body.len() + chunk.len() > limit {
                return Err(OutboundError::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status: status.as_u16(),
            body,
            headers,
        })
    }

    /// The URL, if it is http(s) and not a literal address the policy refuses
    /// (literal addresses never reach the resolver).
    fn check(&self, url: &str) -> Result<url::Url, OutboundError> {
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or(OutboundError::BadUrl)?;
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(ip.into()),
            Some(url::Host::Ipv6(ip)) => Some(ip.into()),
            Some(url::Host::Domain(_)) => None,
            None => return Err(OutboundError::BadUrl),
        };
        if let Some(ip) = literal
            && !self.policy.permits(ip)
        {
            return Err(OutboundError::Refused {
                host: parsed.host_str().unwrap_or_default().to_owned(),
            });
        }
        Ok(parsed)
    }
}

/// The headers kept from an answer; values that are not visible ASCII are dropped.
fn answer_headers(headers: &reqwest::header::HeaderMap) -> AnswerHeaders {
    let text = |v: &reqwest::header::HeaderValue| v.to_str().ok().map(str::to_owned);
    AnswerHeaders {
        // Moodle's Link header carries typographic quotes (UTF-8), which `to_str` refuses.
        link: headers
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| String::from_utf8(v.as_bytes().to_vec()).ok())
            .collect(),
        retry_after: headers.get(reqwest::header::RETRY_AFTER).and_then(text),
        content_type: headers.get(reqwest::header::CONTENT_TYPE).and_then(text),
    }
}

/// Our words for a failed call; the cause goes to the log only.
fn failure(host: &str, err: &reqwest::Error) -> OutboundError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if cause.is::<RefusedName>() {
            return OutboundError::Refused {
                host: host.to_owned(),
            };
        }
        source = cause.source();
    }
    tracing::info!(host, error = %err, "outbound call failed");
    OutboundError::Unreachable
}
