//! The HTML pages LTI shows people: launch errors an LMS administrator can act on, and
//! the auto-submitting forms that carry messages back to the platform.

use poem::Response;
use poem::http::StatusCode;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} | Black Belt</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;\
         color:#1a1a1a;line-height:1.5}}code{{background:#f0f0f0;padding:0 .25rem}}\
         .code{{color:#555}}button{{font:inherit;padding:.5rem 1rem}}</style></head>\
         <body>{body}</body></html>",
        escape(title)
    )
}

/// The LTI flow a page belongs to, so an error page says which step failed: an LMS
/// administrator registering the tool must not read "This launch could not be
/// completed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Dynamic Registration (`/lti/register`).
    Registration,
    /// OIDC login initiation (`/lti/login`).
    Login,
    /// The LTI 1.3 launch of a resource link (`/lti/launch` with an
    /// `LtiResourceLinkRequest`).
    Launch,
    /// An LTI 1.3 message whose kind is not known: `/lti/launch` before its id_token
    /// could be read, or with a message type this tool does not take. Neutral words, as
    /// it may have been a Deep Linking request.
    SignIn,
    /// Deep Linking: the picker and the choice sent back (`/lti/deep-linking`).
    DeepLinking,
    /// The LTI 1.1 launch (`/lti/11/launch`).
    Lti11Launch,
}

impl Flow {
    /// The flow a path belongs to, for pages answered before a handler runs (the
    /// throttle).
    pub fn of_path(path: &str) -> Flow {
        match path {
            "/lti/register" => Flow::Registration,
            "/lti/login" => Flow::Login,
            "/lti/deep-linking" => Flow::DeepLinking,
            "/lti/11/launch" => Flow::Lti11Launch,
            _ => Flow::SignIn,
        }
    }

    /// The flow of an LTI 1.3 message of type `message_type`, as far as it is known.
    pub fn of_message_type(message_type: Option<&str>) -> Flow {
        match message_type {
            Some("LtiResourceLinkRequest") => Flow::Launch,
            Some("LtiDeepLinkingRequest") => Flow::DeepLinking,
            _ => Flow::SignIn,
        }
    }

    /// (page title, what could not be completed, what was not done)
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Flow::Registration => (
                "Registration error",
                "This registration",
                "Nothing was registered.",
            ),
            Flow::Login => (
                "Login error",
                "This LTI login",
                "Nothing was recorded for this attempt.",
            ),
            Flow::Launch => (
                "Launch error",
                "This launch",
                "Nothing was recorded for this attempt.",
            ),
            Flow::SignIn => (
                "LTI sign-in error",
                "LTI sign-in",
                "Nothing was recorded or added to the course.",
            ),
            Flow::DeepLinking => (
                "Deep Linking error",
                "This Deep Linking selection",
                "Nothing was added to the course.",
            ),
            Flow::Lti11Launch => (
                "LTI 1.1 launch error",
                "This LTI 1.1 launch",
                "Nothing was recorded for this attempt.",
            ),
        }
    }
}

/// A request in `flow` that cannot go on: what happened, its stable code, and what to
/// do.
pub fn error(flow: Flow, status: StatusCode, code: &str, message: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .body(error_html(flow, code, message))
}

/// The error page's HTML, titled with the flow that failed.
pub fn error_html(flow: Flow, code: &str, message: &str) -> String {
    let (title, what, nothing) = flow.words();
    let who = if flow == Flow::Registration {
        "a Black Belt administrator"
    } else {
        "your LMS administrator"
    };
    let body = format!(
        "<main><h1>{what} could not be completed</h1><p role=\"alert\">{}</p>\
         <p class=\"code\">Error code: <code>{}</code></p>\
         <p>If this keeps happening, give the error code to {who}. {nothing}</p></main>",
        escape(message),
        escape(code)
    );
    document(title, &body)
}

/// A form that posts `fields` to `action` as soon as it loads (with a button for
/// browsers without JavaScript).
pub fn auto_post(action: &str, fields: &[(&str, &str)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let body = format!(
        "<main><form id=\"f\" method=\"post\" action=\"{}\">{inputs}\
         <noscript><button type=\"submit\">Continue</button></noscript></form>\
         <script>document.getElementById('f').submit();</script></main>",
        escape(action)
    );
    document("Continuing", &body)
}

/// A page with a title and ready-made (escaped by the caller) body HTML.
pub fn page(title: &str, body: &str) -> String {
    document(title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_shown_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        let page = auto_post(
            "https://lms.example/return?a=1&b=2",
            &[("JWT", "x\"><script>")],
        );
        assert!(page.contains("action=\"https://lms.example/return?a=1&amp;b=2\""));
        assert!(!page.contains("x\"><script>"));
    }

    #[test]
    fn error_pages_name_their_flow() {
        let page = error_html(Flow::of_path("/lti/register"), "c", "m");
        assert!(page.contains("<title>Registration error | Black Belt</title>"));
        assert!(page.contains("This registration could not be completed"));
        assert!(!page.contains("launch"), "{page}");
        let page = error_html(Flow::of_path("/lti/11/launch"), "c", "m");
        assert!(page.contains("This LTI 1.1 launch could not be completed"));
        let page = error_html(Flow::of_path("/lti/deep-linking"), "c", "m");
        assert!(page.contains("This Deep Linking selection could not be completed"));
    }

    #[test]
    fn an_lti_13_message_of_unknown_kind_gets_neutral_words() {
        let page = error_html(Flow::of_path("/lti/launch"), "c", "m");
        assert!(page.contains("<title>LTI sign-in error | Black Belt</title>"));
        assert!(page.contains("LTI sign-in could not be completed"));
        assert!(!page.to_lowercase().contains("launch"), "{page}");
        let page = error_html(
            Flow::of_message_type(Some("LtiSubmissionReviewRequest")),
            "c",
            "m",
        );
        assert!(page.contains("LTI sign-in could not be completed"));
        let page = error_html(
            Flow::of_message_type(Some("LtiDeepLinkingRequest")),
            "c",
            "m",
        );
        assert!(page.contains("<title>Deep Linking error | Black Belt</title>"));
        let page = error_html(
            Flow::of_message_type(Some("LtiResourceLinkRequest")),
            "c",
            "m",
        );
        assert!(page.contains("<title>Launch error | Black Belt</title>"));
    }
}
