//! The per-address throttle over the public credential routes, `/ob/*` (issuer,
//! keys, achievements, credentials, status lists) and `/verify/*` (the page a shared
//! link opens): anyone may call them without a credential, so a flood from one
//! address is refused before it reaches the database (`public_rate_limit_burst`,
//! `public_rate_limit_per_minute`). Verifiers fetch a handful of documents per
//! credential, so the defaults leave room for checking hundreds at once.

use poem::Response;
use poem::http::StatusCode;

use crate::error::{ErrorBody, ErrorCode};
use crate::server::throttle::{Paths, Throttle};

pub const PUBLIC_CREDENTIAL_ROUTES: [Paths; 2] = [Paths::Under("/ob"), Paths::Under("/verify")];

/// The throttle over `PUBLIC_CREDENTIAL_ROUTES`.
pub fn throttle(burst: u32, per_minute: u32) -> Throttle {
    Throttle::new(
        "credentials",
        &PUBLIC_CREDENTIAL_ROUTES,
        burst,
        per_minute,
        too_many,
    )
}

/// The verification page gets a page; the documents get the API's error body.
fn too_many(path: &str, wait: u64) -> Response {
    let message = format!(
        "Too many requests came from your network address in a short time. Wait {wait} \
         seconds, then try again."
    );
    if path.starts_with("/verify") {
        return Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .content_type("text/html; charset=utf-8")
            .header(
                "Content-Security-Policy",
                super::page::policy_without_images(),
            )
            .body(super::page::render::too_many(&message));
    }
    let body = ErrorBody::json(ErrorCode::TooManyRequests, message);
    let mut answer = poem::IntoResponse::into_response(body);
    answer.set_status(StatusCode::TOO_MANY_REQUESTS);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_and_the_page_are_counted_and_nothing_else() {
        let throttle = throttle(3, 60);
        assert!(throttle.applies_to("/ob/credentials/x"));
        assert!(throttle.applies_to("/ob/jwks.json"));
        assert!(throttle.applies_to("/verify/x"));
        assert!(!throttle.applies_to("/api/badges/mine"));
    }

    #[test]
    fn the_page_is_html_and_the_documents_are_json() {
        let page = too_many("/verify/abc", 7);
        assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(page.content_type().unwrap().starts_with("text/html"));
        let document = too_many("/ob/issuer", 7);
        assert_eq!(document.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(
            document
                .content_type()
                .unwrap()
                .starts_with("application/json")
        );
    }
}
