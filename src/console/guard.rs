//! Defence in depth beside the CSRF tokens: a console form sent from another site is
//! refused before any handler runs, when the browser says so (`Sec-Fetch-Site:
//! cross-site`) or its `Origin` is not this server's public origin.

use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::{Console, page};

/// `public_url`'s origin (`scheme://host[:port]`), as browsers send it in `Origin`.
pub fn origin_of(public_url: &str) -> Option<String> {
    let url = url::Url::parse(public_url).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Why a request with these headers must be refused, if it must.
pub fn refusal(
    method: &Method,
    fetch_site: Option<&str>,
    origin: Option<&str>,
    public_origin: Option<&str>,
) -> Option<&'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    if fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return Some("The browser says this form was sent from another site.");
    }
    match (origin, public_origin) {
        (Some(o), Some(p)) if !o.eq_ignore_ascii_case(p) => {
            Some("This form was sent from a page that is not on this server's public address.")
        }
        _ => None,
    }
}

/// The middleware (applied to every `/console` route in `console::routes`).
pub async fn same_origin<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let public = req
        .data::<Console>()
        .and_then(|c| origin_of(&c.config.public_url));
    if let Some(why) = refusal(
        req.method(),
        header("sec-fetch-site"),
        header("origin"),
        public.as_deref(),
    ) {
        tracing::info!(
            path = req.uri().path(),
            why,
            "console form from another site refused"
        );
        return Err(page::problem(
            StatusCode::FORBIDDEN,
            "Form refused",
            &format!(
                "{why} Nothing was changed. Open the console at its own address (the \
                 server's public URL) and send the form from there."
            ),
        ));
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<&str> = Some("https://bb.example.com");

    #[test]
    fn the_public_origin_drops_the_path_and_default_port() {
        assert_eq!(
            origin_of("https://bb.example.com:443/base/").as_deref(),
            HOME
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8420").as_deref(),
            Some("http://127.0.0.1:8420")
        );
    }

    #[test]
    fn cross_site_posts_are_refused_and_reads_are_not() {
        let post = Method::POST;
        assert!(refusal(&post, Some("cross-site"), None, HOME).is_some());
        assert!(refusal(&post, None, Some("https://evil.example"), HOME).is_some());
        assert!(refusal(&post, None, Some("null"), HOME).is_some());
        assert!(
            refusal(
                &post,
                Some("same-origin"),
                Some("https://bb.example.com"),
                HOME
            )
            .is_none()
        );
        assert!(refusal(&post, None, None, HOME).is_none());
        assert!(
            refusal(
                &Method::GET,
                Some("cross-site"),
                Some("https://evil.example"),
                HOME
            )
            .is_none()
        );
    }
}
