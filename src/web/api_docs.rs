//! `/docs`: the API explorer. RapiDoc, chosen among the explorers poem-openapi bundles
//! because it had the fewest accessibility problems under axe-core (5 against Swagger
//! UI's 151, Scalar's 67 and Redoc's 1,187 failing nodes, 2026-11-29), wrapped in our
//! own page: a language, a main landmark and a heading, system fonts instead of a font
//! CDN, darker method and example colours (WCAG AA contrast), and the document read from
//! `/openapi.json` instead of pasted inline. A second script (`api_docs.js`) makes
//! RapiDoc usable by keyboard: its navigation entries, group toggles and schema brackets
//! get tab stops, roles and Enter/Space, and its unlabelled form fields get names. Both
//! inline scripts are allowed by hash in the page's CSP (`server::headers`).

use poem::web::Html;
use poem::{Endpoint, endpoint::make_sync};

/// Keyboard access and names for what RapiDoc draws (see the file's opening comment).
const KEYBOARD: &str = include_str!("api_docs.js");

/// The RapiDoc bundle, taken from the page poem-openapi renders (it has no other
/// public way to the script). A script's text ends at the first `</script`.
fn bundle(rendered: &str) -> &str {
    let start = rendered
        .find("<script charset=\"UTF-8\">")
        .map(|i| i + "<script charset=\"UTF-8\">".len())
        .unwrap_or(0);
    let end = rendered[start..]
        .find("</script")
        .map_or(start, |i| start + i);
    &rendered[start..end]
}

/// The whole page, from the page poem-openapi renders for RapiDoc.
pub fn page(rapidoc_html: &str) -> String {
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Black Belt API</title>
<style>
body {{ margin: 0; font-family: system-ui, sans-serif; color: #1a1a1a; }}
header {{ padding: 0.5rem 1rem; border-bottom: 1px solid #767676; }}
h1 {{ font-size: 1.25rem; margin: 0; }}
rapi-doc {{ height: calc(100vh - 3rem);
  --green: #166534; --blue: #1d4ed8; --red: #b91c1c; --orange: #9a3412; --purple: #7e22ce; --yellow: #854d0e; }}
</style>
<script>{script}</script>
</head>
<body>
<header><h1>Black Belt API</h1></header>
<main>
<rapi-doc spec-url="/openapi.json" theme="light" render-style="focused" show-header="false"
  allow-authentication="true" allow-try="true" schema-description-expanded="true"
  nav-bg-color="#f4f4f5" nav-text-color="#1a1a1a" nav-hover-text-color="#1d4ed8" nav-accent-color="#1d4ed8"
  regular-font="system-ui, sans-serif" mono-font="ui-monospace, monospace"
  primary-color="#1d4ed8" text-color="#1a1a1a"></rapi-doc>
</main>
<script>{keyboard}</script>
</body>
</html>
"##,
        script = bundle(rapidoc_html),
        keyboard = KEYBOARD
    )
}

/// Serves the page.
pub fn endpoint(html: String) -> impl Endpoint {
    make_sync(move |_| Html(html.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_keeps_the_bundle_and_loads_nothing_from_elsewhere() {
        let rendered = "<html><head><link href=\"https://fonts.googleapis.com/x\">\
                        <script charset=\"UTF-8\">var rapidoc = 1;</script></head></html>";
        let page = page(rendered);
        assert!(page.contains("<script>var rapidoc = 1;</script>"));
        assert!(!page.contains("googleapis"));
        assert!(page.contains("<html lang=\"en\">"));
        assert!(page.contains("<main>") && page.contains("<h1>"));
    }

    #[test]
    fn the_keyboard_script_is_inline_and_allowed_by_its_hash() {
        assert!(!KEYBOARD.contains("</script"));
        let page = page("<script charset=\"UTF-8\">var rapidoc = 1;</script>");
        assert!(page.contains(&format!("<script>{KEYBOARD}</script>")));
        let policy = crate::server::headers::docs_policy(&page);
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
    }
}
