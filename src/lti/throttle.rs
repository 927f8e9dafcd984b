//! The per-address throttle over the unauthenticated LTI endpoints
//! (`lti_rate_limit_burst`, `lti_rate_limit_per_minute`): past it, an LTI error page
//! in the words of the flow that was refused.

use poem::Response;
use poem::http::StatusCode;

use super::page::{Flow, error_html};
use crate::server::throttle::{Paths, Throttle};

/// The unauthenticated LTI endpoints: OIDC login, launches, the Deep Linking choice
/// and Dynamic Registration.
pub const LTI_UNAUTHENTICATED: [Paths; 5] = [
    Paths::Exact("/lti/login"),
    Paths::Exact("/lti/launch"),
    Paths::Exact("/lti/deep-linking"),
    Paths::Exact("/lti/11/launch"),
    Paths::Exact("/lti/register"),
];

/// The throttle over `LTI_UNAUTHENTICATED`.
pub fn throttle(burst: u32, per_minute: u32) -> Throttle {
    Throttle::new("lti", &LTI_UNAUTHENTICATED, burst, per_minute, too_many)
}

fn too_many(path: &str, wait: u64) -> Response {
    Response::builder()
        .status(StatusCode::TOO_MANY_REQUESTS)
        .content_type("text/html; charset=utf-8")
        .body(error_html(
            Flow::of_path(path),
            "too_many_requests",
            &format!(
                "Too many requests came from your network address in a short time. \
                 Wait {wait} seconds, then try again."
            ),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unauthenticated_lti_endpoint_is_counted_and_the_key_set_is_not() {
        let throttle = throttle(3, 60);
        for path in [
            "/lti/login",
            "/lti/launch",
            "/lti/deep-linking",
            "/lti/11/launch",
            "/lti/register",
        ] {
            assert!(throttle.applies_to(path), "{path}");
        }
        assert!(!throttle.applies_to("/lti/jwks"));
    }
}
