//! Query strings of xAPI resources, read one way everywhere. Resources refuse parameters
//! they do not know (the conformance suite checks it), but a client may add one the LRS
//! recognises and ignores: xAPI-Communication 1.3 lets an LRS accept extra parameters.

use std::borrow::Cow;

/// Parameters recognised on every xAPI resource and then ignored: `cachebuster=<ms>`,
/// which `@xapi/xapi` adds with `useCacheBuster` to defeat browser and proxy caches.
/// Only this one: anything else unknown is still refused.
pub const IGNORED: [&str; 1] = ["cachebuster"];

/// The query's name/value pairs, decoded, without the ignored ones.
pub fn pairs(query: Option<&str>) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(name, _)| !IGNORED.contains(&name.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_buster_is_dropped_and_everything_else_kept() {
        let names: Vec<String> = pairs(Some("agent=a&cachebuster=1732870000000&x=1"))
            .map(|(name, _)| name.into_owned())
            .collect();
        assert_eq!(names, ["agent", "x"]);
    }
}
