//! `/docs`: the API explorer. RapiDoc, chosen among the explorers poem-openapi bundles
//! because it had the fewest accessibility problems under axe-core (5 against Swagger
//! UI's 151, Scalar's 67 and Redoc's 1,187 failing nodes, 2026-11-29), wrapped in our
//! own page: a language, a main landmark and a heading, system fonts instead of a font
//! CDN, and the document read from `/openapi.json` instead of pasted inline. Its one
//! inline script (the bundle) is allowed by hash in the page's CSP (`server::headers`).

use poem::web::Html;
use poem::{Endpoint, endpoint::make_sync};

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
rapi-doc {{ height: calc(100vh - 3rem); }}
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
</body>
</html>
"##,
        script = bundle(rapidoc_html)
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
}
