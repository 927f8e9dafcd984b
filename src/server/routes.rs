//! Every route the server has, as templates read from the OpenAPI document (plus the few
//! served outside it): which template a concrete path matches, and the methods it has.
//! Used for `Allow` on 405 and for bounded `route` labels in metrics.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;

/// Routes served outside the OpenAPI document, as `(template, methods)`; a trailing
/// `{*}` matches the rest of the path.
const UNDOCUMENTED: &[(&str, &str)] = &[
    ("/content/{slug}/{*}", "GET"),
    ("/runtime/{*}", "GET"),
    ("/docs", "GET"),
    ("/docs/{*}", "GET"),
    ("/openapi.json", "GET"),
    ("/", "GET"),
    ("/console", "GET,POST"),
    ("/console/{*}", "GET,POST"),
];

struct Route {
    template: String,
    segments: Vec<String>,
    allow: String,
}

#[derive(Clone)]
pub struct RouteTable {
    routes: Arc<Vec<Route>>,
}

/// What a path matched: its template and the `Allow` value of that resource.
pub struct Matched<'a> {
    pub template: &'a str,
    pub allow: &'a str,
}

impl RouteTable {
    /// Reads every path and its methods from the OpenAPI document.
    pub fn from_openapi(spec: &str) -> Self {
        let spec: Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes = Vec::new();
        if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
            for (path, operations) in paths {
                let methods: BTreeSet<String> = operations
                    .as_object()
                    .into_iter()
                    .flat_map(|ops| ops.keys())
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                routes.push(route(path, methods));
            }
        }
        for (path, methods) in UNDOCUMENTED {
            routes.push(route(path, methods.split(',').map(str::to_owned).collect()));
        }
        RouteTable {
            routes: Arc::new(routes),
        }
    }

    /// The route a concrete request path belongs to, if any.
    pub fn find(&self, path: &str) -> Option<Matched<'_>> {
        let wanted: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .find(|route| matches(&route.segments, &wanted))
            .map(|route| Matched {
                template: &route.template,
                allow: &route.allow,
            })
    }
}

fn route(template: &str, methods: BTreeSet<String>) -> Route {
    Route {
        template: template.to_owned(),
        segments: template.split('/').map(str::to_owned).collect(),
        allow: allow_list(methods),
    }
}

/// HEAD is served wherever GET is; OPTIONS everywhere (CORS preflight).
fn allow_list(mut methods: BTreeSet<String>) -> String {
    if methods.contains("GET") {
        methods.insert("HEAD".into());
    }
    methods.insert("OPTIONS".into());
    methods.into_iter().collect::<Vec<_>>().join(", ")
}

fn matches(template: &[String], path: &[&str]) -> bool {
    if let Some(last) = template.last()
        && last == "{*}"
    {
        let fixed = &template[..template.len() - 1];
        return path.len() > fixed.len() && segments_match(fixed, &path[..fixed.len()]);
    }
    template.len() == path.len() && segments_match(template, path)
}

fn segments_match(template: &[String], path: &[&str]) -> bool {
    template
        .iter()
        .zip(path)
        .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        RouteTable::from_openapi(
            r#"{"paths": {
                "/xapi/statements": {"get": {}, "put": {}, "post": {}},
                "/api/learners/progress": {"get": {}},
                "/api/lti/platforms/{id}": {"delete": {}},
                "/api/lti/platforms/{id}/approve": {"post": {}}
            }}"#,
        )
    }

    #[test]
    fn allow_lists_the_documented_methods_with_head_and_options() {
        let table = table();
        let allow = |path| table.find(path).map(|m| m.allow.to_owned());
        assert_eq!(
            allow("/xapi/statements").as_deref(),
            Some("GET, HEAD, OPTIONS, POST, PUT")
        );
        assert_eq!(
            allow("/api/lti/platforms/7").as_deref(),
            Some("DELETE, OPTIONS")
        );
        assert_eq!(
            allow("/api/lti/platforms/7/approve").as_deref(),
            Some("OPTIONS, POST")
        );
        assert!(table.find("/api/lti/platforms/").is_none());
        assert!(table.find("/nowhere").is_none());
    }

    #[test]
    fn paths_map_to_their_templates() {
        let table = table();
        let template = |path| table.find(path).map(|m| m.template.to_owned());
        assert_eq!(
            template("/api/lti/platforms/42/approve").as_deref(),
            Some("/api/lti/platforms/{id}/approve")
        );
        assert_eq!(
            template("/api/learners/progress").as_deref(),
            Some("/api/learners/progress")
        );
        assert_eq!(
            template("/content/abc/a/b/c.js").as_deref(),
            Some("/content/{slug}/{*}")
        );
        assert!(table.find("/content/abc").is_none());
        assert!(table.find("/wp-admin/1234.php").is_none());
    }
}
