//! LTI Assignment and Grade Services 2.0 scores: one POST to `{lineitem}/scores` per
//! attempt, with a bearer token from the platform's token URL, finding or creating the
//! line item first when the launch named only the container.
//! <https://www.imsglobal.org/spec/lti-ags/v2p0/#score-publish-service>

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::answer::{not_answered, refused, short};
use super::delivery::{Claimed, Deliver, Outcome, Target};
use super::lineitem;
use crate::db::Db;
use crate::lti::platforms;
use crate::lti::service_token::ServiceTokens;
use crate::outbound::{Answer, Call, Outbound};
use entities::lti_platform;

pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
pub const SCOPE_LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const SCOPE_LINEITEM_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
/// AGS §3.4.3. Sent exactly so: Moodle refuses any other value, a charset included.
pub const SCORE_MEDIA_TYPE: &str = "application/vnd.ims.lis.v1.score+json";
/// A score answer is small; anything near this is not one.
const SCORE_ANSWER_BYTES: usize = 64 * 1024;

/// Delivers AGS scores. Cheap to clone the parts it holds; build one per application.
pub struct AgsDeliverer {
    db: Db,
    http: Outbound,
    tokens: ServiceTokens,
}

impl AgsDeliverer {
    /// `tokens` should be the application's shared cache, so every service call for a
    /// platform reuses one token.
    pub fn new(db: Db, http: Outbound, tokens: ServiceTokens) -> AgsDeliverer {
        AgsDeliverer { db, http, tokens }
    }

    /// The database, for the line item lock.
    pub(super) fn db(&self) -> &Db {
        &self.db
    }

    async fn attempt(&self, claimed: &Claimed) -> Outcome {
        let target = &claimed.target;
        let platform = match self.platform(target).await {
            Ok(p) => p,
            Err(outcome) => return outcome,
        };
        if !granted(target, SCOPE_SCORE) {
            return failed("the platform did not grant the score scope for this link");
        }
        let Some(fields) = claimed.payload.as_object() else {
            return failed("the message payload is not a JSON object");
        };
        let (lineitem_url, found) = match given(&target.lineitem_url) {
            Some(url) => (url.to_owned(), None),
            None => match lineitem::resolve(self, &platform, target).await {
                Ok(url) => (url.clone(), Some(url)),
                Err(outcome) => return outcome,
            },
        };
        let Some(url) = scores_url(&lineitem_url) else {
            return failed("the line item URL is not an absolute http(s) URL");
        };
        let sent_us = timestamp_us(claimed.event_us, target.last_sent_ts_us);
        let Some(timestamp) = format_timestamp(sent_us) else {
            return failed("the score's timestamp is out of range");
        };
        let mut body = Value::Object(fields.clone());
        body["userId"] = json!(target.user_id);
        body["timestamp"] = json!(timestamp);
        let bytes = body.to_string().into_bytes();
        let answer = self
            .authorized(
                &platform,
                &[SCOPE_SCORE],
                Call {
                    content_type: Some(SCORE_MEDIA_TYPE),
                    body: Some(bytes),
                    ..Call::new(reqwest::Method::POST, &url, SCORE_ANSWER_BYTES)
                },
            )
            .await;
        match answer {
            Ok(answer) => score_outcome(&answer, sent_us, found),
            Err(outcome) => outcome,
        }
    }

    async fn platform(&self, target: &Target) -> Result<lti_platform::Model, Outcome> {
        let id = target
            .source
            .strip_prefix("platform:")
            .and_then(|id| id.parse::<i64>().ok())
            .ok_or_else(|| failed("the target's source is not platform:<id>"))?;
        match platforms::find(&self.db.conn, id).await {
            Ok(Some(p)) if p.status == "active" => Ok(p),
            Ok(Some(_)) => Err(failed("the platform's registration is not active")),
            Ok(None) => Err(failed("the platform is no longer registered")),
            Err(e) => {
                tracing::warn!(error = %e, "reading the platform for a score failed");
                Err(Outcome::Retry {
                    status: None,
                    error: "the platform's registration could not be read".into(),
                    retry_after: None,
                    answer: None,
                })
            }
        }
    }

    /// Makes `call` with a bearer token for `scopes`; on 401 the token is
    /// dropped and the call made once more with a fresh one. `Err` is the outcome when
    /// no answer came (no token, unreachable).
    pub(super) async fn authorized(
        &self,
        platform: &lti_platform::Model,
        scopes: &[&str],
        call: Call<'_>,
    ) -> Result<Answer, Outcome> {
        let mut refreshed = false;
        loop {
            let token = self
                .tokens
                .get_once(&self.db, &self.http, platform, scopes)
                .await
                .map_err(|e| {
                    let error = format!("no access token: {}", e.message);
                    if e.retry {
                        Outcome::Retry {
                            status: None,
                            error,
                            retry_after: None,
                            answer: None,
                        }
                    } else {
                        failed(&error)
                    }
                })?;
            let answer = self
                .http
                .call(Call {
                    bearer: Some(&token),
                    ..call.clone()
                })
                .await
                .map_err(|e| not_answered(e, "the call to the grade service"))?;
            if answer.status != 401 || refreshed {
                return Ok(answer);
            }
            // An expired or revoked token: the cache cannot know; fetch one more.
            self.tokens.forget(platform.id, scopes);
            refreshed = true;
        }
    }
}

impl Deliver for AgsDeliverer {
    fn deliver<'a>(&'a self, claimed: &'a Claimed) -> BoxFuture<'a, Outcome> {
        Box::pin(self.attempt(claimed))
    }
}

/// The score POST's answer as an outcome.
fn score_outcome(answer: &Answer, sent_us: i64, lineitem_url: Option<String>) -> Outcome {
    match answer.status {
        // 409: the platform already holds a later score for this cell (Moodle, on an
        // older or same-second timestamp); ours is superseded, not failed.
        200..=299 | 409 => Outcome::Delivered {
            status: answer.status,
            sent_ts_us: Some(sent_us),
            lineitem_url,
            answer: short(&answer.body),
        },
        401 => Outcome::Failed {
            status: Some(401),
            error: "the platform refuses our token, even a fresh one".into(),
            answer: short(&answer.body),
        },
        404 => Outcome::Failed {
            status: Some(404),
            error: "the line item no longer exists in the LMS; re-place the module, then retry"
                .into(),
            answer: short(&answer.body),
        },
        _ => refused(answer, "the score POST"),
    }
}

pub(super) fn failed(error: &str) -> Outcome {
    Outcome::Failed {
        status: None,
        error: error.to_owned(),
        answer: None,
    }
}

pub(super) fn granted(target: &Target, scope: &str) -> bool {
    target.scopes.iter().any(|s| s == scope)
}

/// A URL that is present and not blank (the claim's `lineitem` may be `""`).
pub(super) fn given(url: &Option<String>) -> Option<&str> {
    url.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

/// AGS §3.4.1: `/scores` appended to the line item's *path*, its query kept
/// (`…/lineitem?type_id=3` → `…/lineitem/scores?type_id=3`); `None` if not http(s).
pub fn scores_url(lineitem: &str) -> Option<String> {
    let mut url = url::Url::parse(lineitem.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))?;
    let path = format!("{}/scores", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_fragment(None);
    Some(url.into())
}

/// The score's timestamp, in microseconds: the event's time, but strictly after the
/// last one the platform accepted and in a later whole second, since Moodle compares
/// whole seconds and refuses an equal one; whole milliseconds, as sent.
pub fn timestamp_us(event_us: i64, last_sent_us: Option<i64>) -> i64 {
    let mut sent = event_us;
    if let Some(last) = last_sent_us {
        let last_second = last.div_euclid(1_000_000);
        sent = sent.max(last.saturating_add(1_000));
        if sent.div_euclid(1_000_000) <= last_second {
            sent = (last_second + 1) * 1_000_000;
        }
    }
    // Up to the next millisecond, so the text sent is never earlier than `sent`.
    sent.div_euclid(1_000)
        .saturating_add(i64::from(sent.rem_euclid(1_000) != 0))
        * 1_000
}

/// ISO 8601 in UTC with milliseconds: `2026-11-29T13:01:02.345Z` (AGS §3.4.9 asks for
/// sub-second precision and a zone).
pub fn format_timestamp(us: i64) -> Option<String> {
    let at = jiff::Timestamp::from_microsecond(us).ok()?;
    Some(at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_goes_before_the_query() {
        assert_eq!(
            scores_url(
                "https://lms.example.com/mod/lti/services.php/2/lineitems/5/lineitem?type_id=3"
            )
            .as_deref(),
            Some(
                "https://lms.example.com/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=3"
            )
        );
    }

    #[test]
    fn scores_is_appended_once_to_a_path_with_a_trailing_slash() {
        assert_eq!(
            scores_url("https://lms.example.com/li/7/").as_deref(),
            Some("https://lms.example.com/li/7/scores")
        );
        assert_eq!(
            scores_url("https://lms.example.com/li/7#frag").as_deref(),
            Some("https://lms.example.com/li/7/scores")
        );
    }

    #[test]
    fn a_line_item_that_is_not_http_has_no_scores_url() {
        assert_eq!(scores_url("ftp://lms.example.com/li/7"), None);
        assert_eq!(scores_url("/li/7"), None);
    }

    #[test]
    fn the_first_score_is_sent_at_its_event_time_to_the_millisecond() {
        assert_eq!(timestamp_us(1_000_000_123_000, None), 1_000_000_123_000);
        assert_eq!(timestamp_us(1_000_000_123_400, None), 1_000_000_124_000);
    }

    #[test]
    fn a_later_score_moves_to_the_next_whole_second_after_the_last() {
        let last = 1_000_000_500_000; // .500 s
        assert_eq!(
            timestamp_us(1_000_000_800_000, Some(last)),
            1_000_001_000_000
        );
        assert_eq!(timestamp_us(999_000_000_000, Some(last)), 1_000_001_000_000);
    }

    #[test]
    fn a_score_already_in_a_later_second_keeps_its_time() {
        let last = 1_000_000_500_000;
        assert_eq!(
            timestamp_us(1_000_002_250_000, Some(last)),
            1_000_002_250_000
        );
    }

    #[test]
    fn timestamps_are_utc_with_three_decimals() {
        let us = jiff::Timestamp::from_second(1_795_000_862)
            .unwrap()
            .as_microsecond()
            + 345_000;
        assert_eq!(
            format_timestamp(us).as_deref(),
            Some("2026-11-18T11:21:02.345Z")
        );
        assert_eq!(
            format_timestamp(1_795_000_862_000_000).as_deref(),
            Some("2026-11-18T11:21:02.000Z")
        );
    }
}
