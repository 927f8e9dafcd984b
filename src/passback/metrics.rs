//! Passback series for Prometheus (`GET /metrics`): messages by state (a gauge the
//! upkeep task refreshes), attempts by outcome, retries by reason, how long an attempt
//! took, and how long a change took to reach the LMS.

use std::time::Duration;

use super::delivery::{Outcome, Protocol};
use super::store::Finished;

/// Attempt durations, in seconds: one HTTP call, or a few when a line item is found or
/// a token fetched on the way.
pub const DELIVERY_BUCKETS: &[f64] =
    &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// Change → delivered, in seconds: at least the one-second AGS coalescing wait, up to
/// the 3-day age limit when a platform was down.
pub const LAG_BUCKETS: &[f64] = &[
    0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0, 259200.0,
];

/// Records one attempt: what became of the message (a retry past the age limit is a
/// failure), how long the attempt took, and why it will be tried again.
pub fn attempt(protocol: Protocol, outcome: &Outcome, finished: Finished, took: Duration) {
    let protocol = protocol.name();
    let kind = match (finished, outcome) {
        (Finished::Delivered, _) | (Finished::LeaseLost, Outcome::Delivered { .. }) => "delivered",
        (Finished::Retrying, _) | (Finished::LeaseLost, Outcome::Retry { .. }) => "retry",
        (Finished::Failed, _) | (Finished::LeaseLost, Outcome::Failed { .. }) => "failed",
    };
    metrics::counter!("passback_deliveries_total", "protocol" => protocol, "outcome" => kind)
        .increment(1);
    metrics::histogram!("passback_delivery_seconds", "protocol" => protocol)
        .record(took.as_secs_f64());
    if let (Outcome::Retry { status, .. }, "retry") = (outcome, kind) {
        metrics::counter!("passback_retries_total", "protocol" => protocol, "reason" => retry_reason(*status))
            .increment(1);
    }
}

/// Records a delivery `lag_us` after the change that caused it.
pub fn delivered(protocol: Protocol, lag_us: i64) {
    metrics::histogram!("passback_lag_seconds", "protocol" => protocol.name())
        .record(lag_us.max(0) as f64 / 1e6);
}

/// Sets the gauge of messages in each state.
pub fn states(counts: &[(&'static str, i64)]) {
    for (state, n) in counts {
        metrics::gauge!("passback_messages", "state" => *state).set(*n as f64);
    }
}

/// A bounded set of reasons: retries come from 401 (after the token refresh), 408,
/// 429, 5xx, or no answer at all.
fn retry_reason(status: Option<u16>) -> &'static str {
    match status {
        None => "no_answer",
        Some(401) => "unauthorized",
        Some(408) => "timeout",
        Some(429) => "rate_limited",
        Some(500..=599) => "server_error",
        Some(_) => "other_status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_reasons_are_few_whatever_the_status() {
        assert_eq!(retry_reason(None), "no_answer");
        assert_eq!(retry_reason(Some(503)), "server_error");
        assert_eq!(retry_reason(Some(599)), "server_error");
        assert_eq!(retry_reason(Some(429)), "rate_limited");
        assert_eq!(retry_reason(Some(418)), "other_status");
    }
}
