//! Checks a parsed course against the files of its package, before anything is stored.

use std::collections::BTreeMap;

use super::manifest::Course;

/// Every AU must launch something that exists: a file of the package (the URL is
/// relative to the package root; query and fragment are launch parameters) or an
/// absolute http(s) URL.
pub fn check_au_urls(course: &Course, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    for au in course.aus() {
        let url = au.url.trim();
        if url.starts_with("https://") || url.starts_with("http://") {
            continue;
        }
        if url.contains("://") || url.starts_with('/') || url.starts_with("//") {
            return Err(format!(
                "AU {}: url {url:?} must be a path inside the package or an absolute http(s) URL",
                au.id
            ));
        }
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let path = percent_decode(path);
        if !files.contains_key(&path) {
            return Err(format!(
                "AU {}: url {url:?} names {path:?}, which is not a file in the package",
                au.id
            ));
        }
    }
    Ok(())
}

/// Decodes `%XX` escapes so `My%20Module.html` finds `My Module.html`.
pub fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_keeps_plus_and_decodes_escapes() {
        assert_eq!(percent_decode("My%20Module+1.html"), "My Module+1.html");
        assert_eq!(percent_decode("a/b.html"), "a/b.html");
    }
}
