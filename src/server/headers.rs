//! Response headers every answer carries: `nosniff` everywhere, and a
//! Content-Security-Policy on everything that is not a learner-facing page (those get
//! their `frame-ancestors` policy from `lti::frame`, and modules run their own scripts).

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::HeaderValue;
use poem::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS,
};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// JSON and text answers: nothing may load, nothing may frame them.
const API_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

#[derive(Clone)]
pub struct SecurityHeaders {
    api: HeaderValue,
    docs: HeaderValue,
}

impl SecurityHeaders {
    /// `docs_html` is the API explorer page: its inline scripts are allowed by hash,
    /// so nothing else injected into it could run.
    pub fn new(docs_html: &str) -> Self {
        SecurityHeaders {
            api: HeaderValue::from_static(API_POLICY),
            docs: HeaderValue::from_str(&docs_policy(docs_html))
                .unwrap_or_else(|_| HeaderValue::from_static(API_POLICY)),
        }
    }

    fn policy_for(&self, path: &str) -> Option<&HeaderValue> {
        if path.starts_with("/content/")
            || path.starts_with("/lti/")
            || path.starts_with("/runtime/")
        {
            None
        } else if path == "/docs" || path.starts_with("/docs/") {
            Some(&self.docs)
        } else {
            Some(&self.api)
        }
    }
}

/// The explorer's policy: its own inline scripts by hash, its styles, its images.
pub fn docs_policy(html: &str) -> String {
    let hashes: Vec<String> = inline_scripts(html)
        .into_iter()
        .map(|script| {
            format!(
                "'sha256-{}'",
                STANDARD.encode(digest(&SHA256, script.as_bytes()))
            )
        })
        .collect();
    format!(
        "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        if hashes.is_empty() {
            "'none'".to_owned()
        } else {
            hashes.join(" ")
        }
    )
}

/// The text of every `<script>` element without a `src`, read as a browser does: a
/// script's text ends at the first `</script`, whatever it contains before.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after_open = &rest[open + "<script".len()..];
        let Some(tag_end) = after_open.find('>') else {
            break;
        };
        let attributes = &after_open[..tag_end];
        let body = &after_open[tag_end + 1..];
        let Some(close) = body.find("</script") else {
            break;
        };
        if !attributes.contains("src=") {
            scripts.push(&body[..close]);
        }
        rest = &body[close..];
    }
    scripts
}

impl<E: Endpoint> Middleware<E> for SecurityHeaders {
    type Output = SecurityHeadersEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        SecurityHeadersEndpoint {
            inner,
            headers: self.clone(),
        }
    }
}

pub struct SecurityHeadersEndpoint<E> {
    inner: E,
    headers: SecurityHeaders,
}

impl<E: Endpoint> Endpoint for SecurityHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let policy = self.headers.policy_for(req.uri().path()).cloned();
        let scripted = from_a_script(&req);
        let mut response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(err) => crate::error::uniform_error(err),
        };
        let headers = response.headers_mut();
        if scripted {
            // A Basic challenge answering a page's own fetch() makes the browser open a
            // login dialog over the page (headless: wait for one forever). A cmi5 AU
            // that sends stale or bogus credentials must get its 401 as an answer it
            // can handle (cmi5 §8.2; CATAPULT 005-1 sends such credentials on purpose).
            // Clients that are not browsers send no Sec-Fetch-Mode and keep the challenge.
            headers.remove(WWW_AUTHENTICATE);
        }
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        if let Some(policy) = policy {
            headers.entry(CONTENT_SECURITY_POLICY).or_insert(policy);
            headers
                .entry(REFERRER_POLICY)
                .or_insert(HeaderValue::from_static("no-referrer"));
        }
        Ok(response)
    }
}

/// Whether a browser sent the request for a script (fetch, XHR) rather than for a
/// navigation: Fetch Metadata's `Sec-Fetch-Mode` is then `cors`, `same-origin` or
/// `no-cors`.
fn from_a_script(req: &Request) -> bool {
    req.headers()
        .get("sec-fetch-mode")
        .is_some_and(|mode| mode.as_bytes() != b"navigate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_and_others_not_at_all() {
        let html = "<html><script src=\"/x.js\"></script><script>alert(1)</script>\
                    <script type=\"module\">go()</script></html>";
        assert_eq!(inline_scripts(html), ["alert(1)", "go()"]);
        // A script that writes a script tag ends only at its own closing tag.
        let nested = "<script>document.write('<script' + '>x()')</script><script>y()</script>";
        assert_eq!(
            inline_scripts(nested),
            ["document.write('<script' + '>x()')", "y()"]
        );
        let policy = docs_policy(html);
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert!(
            policy.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{policy}"
        );
        let script_src = policy.split(';').nth(1).unwrap();
        assert!(!script_src.contains("unsafe"), "{policy}");
        assert!(policy.starts_with("default-src 'none'; script-src 'sha256-"));
    }

    #[test]
    fn learner_pages_keep_their_own_policy() {
        let headers = SecurityHeaders::new("");
        assert!(headers.policy_for("/content/a/index.html").is_none());
        assert!(headers.policy_for("/lti/launch").is_none());
        assert_eq!(headers.policy_for("/xapi/statements").unwrap(), API_POLICY);
        assert_eq!(headers.policy_for("/api/courses").unwrap(), API_POLICY);
        assert!(
            headers
                .policy_for("/docs")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("script-src")
        );
    }
}
