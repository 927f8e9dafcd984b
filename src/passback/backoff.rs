//! How long a channel waits after a failed attempt: exponential with "equal jitter",
//! never shorter than what the platform asked for (`Retry-After`, RFC 9110 §10.2.3),
//! bounded. Pure.

use std::time::Duration;

/// The bounds of the backoff.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// The delay after the first failure (before jitter).
    pub base: Duration,
    /// The longest delay we choose ourselves.
    pub max: Duration,
}

/// The longest `Retry-After` we honour.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

impl Backoff {
    /// The delay after `failures` consecutive failures (1 for the first), with `rnd` a
    /// random number for the jitter: in `[exp/2, exp]`, `exp = base · 2^(failures-1)`.
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>, rnd: u32) -> Duration {
        let shift = failures.saturating_sub(1).min(20);
        let exp = self.base.saturating_mul(1 << shift).min(self.max);
        let half = exp / 2;
        let jittered = half + half * (rnd % 1000) / 1000;
        retry_after
            .map_or(jittered, |ra| ra.max(jittered))
            .min(MAX_RETRY_AFTER.max(self.max))
    }
}

/// A `Retry-After` header: delta-seconds or an HTTP-date, as a wait from `now`.
pub fn retry_after(header: &str, now: jiff::Timestamp) -> Option<Duration> {
    let header = header.trim();
    if let Ok(secs) = header.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(header)
        .ok()?;
    let wait = at.as_microsecond() - now.as_microsecond();
    Some(Duration::from_micros(wait.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Backoff = Backoff {
        base: Duration::from_secs(5),
        max: Duration::from_secs(3600),
    };

    #[test]
    fn delays_double_per_failure_within_equal_jitter() {
        assert_eq!(B.delay(1, None, 0), Duration::from_millis(2500));
        assert_eq!(
            B.delay(1, None, 999),
            Duration::from_millis(4997) + Duration::from_micros(500)
        );
        assert_eq!(B.delay(2, None, 0), Duration::from_secs(5));
        assert_eq!(B.delay(3, None, 0), Duration::from_secs(10));
    }

    #[test]
    fn delays_stop_growing_at_the_maximum() {
        assert!(B.delay(40, None, 999) <= Duration::from_secs(3600));
        assert_eq!(B.delay(40, None, 0), Duration::from_secs(1800));
    }

    #[test]
    fn retry_after_is_honoured_but_bounded() {
        assert_eq!(
            B.delay(1, Some(Duration::from_secs(60)), 0),
            Duration::from_secs(60)
        );
        assert_eq!(
            B.delay(1, Some(Duration::from_secs(100_000)), 0),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now: jiff::Timestamp = "2026-11-29T12:00:00Z".parse().unwrap();
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Sun, 29 Nov 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Sun, 29 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
