//! Turning what a platform answered (or why it could not be reached) into an
//! [`Outcome`], the same way for every protocol: 408, 425, 429, 5xx and unreachable
//! retry; other refusals fail at once (design §4(b) "Which outcomes retry").

use std::time::Duration;

use super::delivery::Outcome;
use crate::outbound::{Answer, OutboundError};

/// How much of a platform's answer is kept for the admin view.
const KEEP_CHARS: usize = 500;

/// The answer body as text, shortened; `None` when empty.
pub fn short(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut kept: String = text.chars().take(KEEP_CHARS).collect();
    if kept.len() < text.len() {
        kept.push('…');
    }
    Some(kept)
}

/// Statuses that may pass with time.
pub fn retryable(status: u16) -> bool {
    matches!(status, 408 | 425 | 429) || status >= 500
}

/// `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date, from `now`.
pub fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let when = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let secs = when.as_second().saturating_sub(now.as_second());
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

/// A call that got no answer: `what` names the call ("the score POST").
pub fn not_answered(err: OutboundError, what: &str) -> Outcome {
    let error = format!("{what}: {err}");
    match err {
        OutboundError::Unreachable => Outcome::Retry {
            status: None,
            error,
            retry_after: None,
            answer: None,
        },
        _ => Outcome::Failed {
            status: None,
            error,
            answer: None,
        },
    }
}

/// A non-2xx answer: retry or fail by its status, keeping the platform's words.
pub fn refused(answer: &Answer, what: &str) -> Outcome {
    let status = answer.status;
    let error = format!("{what}: the platform answered {status}");
    if retryable(status) {
        return Outcome::Retry {
            status: Some(status),
            error,
            retry_after: answer
                .headers
                .retry_after
                .as_deref()
                .and_then(|v| retry_after(v, jiff::Timestamp::now())),
            answer: short(&answer.body),
        };
    }
    Outcome::Failed {
        status: Some(status),
        error,
        answer: short(&answer.body),
    }
}

/// A 2xx answer whose body is not what the protocol promises: retry (a proxy's page
/// or a half-deployed LMS may pass), naming what was expected.
pub fn garbled(answer: &Answer, what: &str, expected: &str) -> Outcome {
    Outcome::Retry {
        status: Some(answer.status),
        error: format!("{what}: the platform answered something that is not {expected}"),
        retry_after: None,
        answer: short(&answer.body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_delta_seconds() {
        let now = jiff::Timestamp::now();
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_reads_an_http_date() {
        let now: jiff::Timestamp = "2026-11-29T13:00:00Z".parse().unwrap();
        assert_eq!(
            retry_after("Sun, 29 Nov 2026 13:01:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            retry_after("Sun, 29 Nov 2026 12:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
    }

    #[test]
    fn retry_after_ignores_garbage() {
        let now = jiff::Timestamp::now();
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-5", now), None);
        assert_eq!(retry_after("", now), None);
    }

    #[test]
    fn timeouts_throttling_and_server_errors_retry_other_refusals_do_not() {
        for status in [408, 425, 429, 500, 502, 503, 504] {
            assert!(retryable(status), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 410, 422] {
            assert!(!retryable(status), "{status}");
        }
    }

    #[test]
    fn long_answers_are_shortened_and_empty_ones_dropped() {
        assert_eq!(short(b"  "), None);
        let long = "x".repeat(2000);
        let kept = short(long.as_bytes()).unwrap();
        assert_eq!(kept.chars().count(), KEEP_CHARS + 1);
        assert!(kept.ends_with('…'));
    }
}
