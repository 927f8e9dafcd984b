//! One membership page from the platform: a service token for the NRPS scope, a GET
//! with the container media type through the one outbound client, and the answer read
//! into a page and its `next` link, or a failure saying whether to retry.
//! <https://www.imsglobal.org/spec/lti-nrps/v2p0#limit-query-parameter>

use std::time::Duration;

use super::membership::{self, MEDIA_TYPE, Page, SCOPE};
use crate::db::Db;
use crate::lti::platforms;
use crate::lti::service_token::ServiceTokens;
use crate::outbound::link::next_link;
use crate::outbound::{Answer, Call, Outbound, OutboundError};
use crate::passback::answer::{retry_after, retryable, short};
use entities::lti_platform;

/// The largest membership page accepted (a page of a few hundred members is well
/// under it).
const PAGE_BYTES: usize = 16 * 1024 * 1024;

/// Why a sync stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncError {
    /// Worth trying again later (408/429/5xx, unreachable, a garbled answer).
    pub retry: bool,
    /// In our words, for the admin view.
    pub error: String,
    pub retry_after: Option<Duration>,
}

impl SyncError {
    pub fn fatal(error: impl Into<String>) -> SyncError {
        SyncError {
            retry: false,
            error: error.into(),
            retry_after: None,
        }
    }

    fn retry(error: impl Into<String>) -> SyncError {
        SyncError {
            retry: true,
            error: error.into(),
            retry_after: None,
        }
    }
}

/// A page and where the next one is.
pub struct Fetched {
    pub page: Page,
    pub next: Option<url::Url>,
}

/// Fetches membership pages for one application; share its token cache.
#[derive(Clone)]
pub struct RosterClient {
    pub db: Db,
    pub http: Outbound,
    pub tokens: ServiceTokens,
}

impl RosterClient {
    /// The active platform a context's `platform:<id>` source names.
    pub async fn platform(&self, source: &str) -> Result<lti_platform::Model, SyncError> {
        let id = source
            .strip_prefix("platform:")
            .and_then(|id| id.parse::<i64>().ok())
            .ok_or_else(|| SyncError::fatal("the context's source is not platform:<id>"))?;
        match platforms::find(&self.db.conn, id).await {
            Ok(Some(p)) if p.status == "active" => Ok(p),
            Ok(Some(_)) => Err(SyncError::fatal(
                "the platform's registration is not active",
            )),
            Ok(None) => Err(SyncError::fatal("the platform is no longer registered")),
            Err(e) => {
                tracing::warn!(error = %e, "reading the platform for a roster failed");
                Err(SyncError::retry(
                    "the platform's registration could not be read",
                ))
            }
        }
    }

    /// GETs one page. On 401 the token is dropped and the page asked for once more
    /// with a fresh one (the cache cannot know a token was revoked).
    pub async fn page(
        &self,
        platform: &lti_platform::Model,
        url: &url::Url,
        n: usize,
    ) -> Result<Fetched, SyncError> {
        let what = format!("page {n} of the roster");
        let mut refreshed = false;
        let answer = loop {
            let token = self
                .tokens
                .get_once(&self.db, &self.http, platform, &[SCOPE])
                .await
                .map_err(|e| SyncError {
                    retry: e.retry,
                    error: format!("no access token for the roster: {}", e.message),
                    retry_after: None,
                })?;
            let answer = self
                .http
                .call(Call {
                    bearer: Some(&token),
                    accept: Some(MEDIA_TYPE),
                    ..Call::new(reqwest::Method::GET, url.as_str(), PAGE_BYTES)
                })
                .await
                .map_err(|e| not_answered(e, &what))?;
            if answer.status != 401 || refreshed {
                break answer;
            }
            self.tokens.forget(platform.id, &[SCOPE]);
            refreshed = true;
        };
        read(&answer, url, &what)
    }
}

fn not_answered(err: OutboundError, what: &str) -> SyncError {
    SyncError {
        retry: matches!(err, OutboundError::Unreachable),
        error: format!("{what}: {err}"),
        retry_after: None,
    }
}

/// The answer as a page: 2xx with a membership container, or a failure keeping the
/// platform's words (shortened).
fn read(answer: &Answer, url: &url::Url, what: &str) -> Result<Fetched, SyncError> {
    let words = short(&answer.body)
        .map(|s| format!(": {s}"))
        .unwrap_or_default();
    if !answer.is_success() {
        let status = answer.status;
        return Err(SyncError {
            retry: retryable(status),
            error: format!("{what}: the platform answered {status}{words}"),
            retry_after: answer
                .headers
                .retry_after
                .as_deref()
                .and_then(|v| retry_after(v, jiff::Timestamp::now())),
        });
    }
    // A proxy's page or a half-deployed LMS may pass: retry.
    let page = answer
        .json()
        .map_err(|_| {
            SyncError::retry(format!(
                "{what}: the platform answered something that is not JSON"
            ))
        })
        .and_then(|body| {
            membership::page(&body).map_err(|e| SyncError::retry(format!("{what}: {e}")))
        })?;
    Ok(Fetched {
        page,
        next: next_link(&answer.headers.link, url),
    })
}
