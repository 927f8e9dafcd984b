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

/// A launch that cannot go on: what happened, its stable code, and what to do.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .body(error_html(code, message))
}

/// The error page's HTML.
pub fn error_html(code: &str, message: &str) -> String {
    let body = format!(
        "<main><h1>This launch could not be completed</h1><p role=\"alert\">{}</p>\
         <p class=\"code\">Error code: <code>{}</code></p>\
         <p>If this keeps happening, give the error code to your LMS administrator. \
         Nothing was recorded for this attempt.</p></main>",
        escape(message),
        escape(code)
    );
    document("Launch error", &body)
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
}
