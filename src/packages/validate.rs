//! Checks a parsed course against the files of its package, before anything is stored.

use std::collections::BTreeMap;

use super::manifest::Course;
use super::manifest::au_url::scheme;

/// Every AU must launch something that exists: a file of the package (the URL is
/// relative to the package root; query and fragment are launch parameters) or an
/// absolute http(s) URL. A course structure imported on its own has no files, so its
/// AUs must all be absolute (cmi5 14.2).
pub fn check_au_urls(
    course: &Course,
    files: &BTreeMap<String, Vec<u8>>,
    standalone: bool,
) -> Result<(), String> {
    for au in course.aus() {
        let url = au.url.trim();
        match scheme(url) {
            Some(scheme)
                if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") =>
            {
                continue;
            }
            Some(scheme) => {
                return Err(format!(
                    "AU {}: url {url:?} uses the scheme {scheme}:, which a browser cannot \
                     launch; give a path inside the package or an absolute http(s) URL",
                    au.id
                ));
            }
            None => {}
        }
        if standalone {
            return Err(format!(
                "AU {}: url {url:?} is relative, but a course structure imported on its own \
                 (not in a zip) has no files for it to name; give an absolute http(s) URL, \
                 or zip cmi5.xml with the AU's files (cmi5 14.2.0.0-1)",
                au.id
            ));
        }
        if url.starts_with('/') {
            return Err(format!(
                "AU {}: url {url:?} must be a path inside the package (without a leading /) \
                 or an absolute http(s) URL",
                au.id
            ));
        }
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let path = percent_decode(path);
        if !files.contains_key(&path) {
            return Err(format!(
                "AU {}: url {url:?} names {path:?}, which is not a file in the package \
                 (cmi5 14.1.0.0-4)",
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
    use crate::packages::manifest::parse_cmi5;

    fn course(url: &str) -> Course {
        parse_cmi5(&format!(
            r#"<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
            <course id="https://x.example/c"><title><langstring lang="en">C</langstring></title>
            <description><langstring lang="en">D</langstring></description></course>
            <au id="https://x.example/a"><title><langstring lang="en">A</langstring></title>
            <description><langstring lang="en">D</langstring></description><url>{url}</url></au>
            </courseStructure>"#
        ))
        .unwrap()
    }

    fn files(names: &[&str]) -> BTreeMap<String, Vec<u8>> {
        names.iter().map(|n| (n.to_string(), Vec::new())).collect()
    }

    #[test]
    fn a_standalone_course_structure_needs_absolute_urls_14_2_0_0_1() {
        let none = files(&["cmi5.xml"]);
        assert!(check_au_urls(&course("https://x.example/a.html"), &none, true).is_ok());
        assert!(check_au_urls(&course("HTTP://x.example/a.html"), &none, true).is_ok());
        let error = check_au_urls(&course("index.html"), &none, true).unwrap_err();
        assert!(error.contains("is relative"), "{error}");
        assert!(error.contains("14.2.0.0-1"), "{error}");
    }

    #[test]
    fn a_zipped_course_structure_names_files_of_the_package_14_1_0_0_4() {
        let package = files(&["cmi5.xml", "My Module.html"]);
        let ok = course("My%20Module.html?x=1#top");
        assert!(check_au_urls(&ok, &package, false).is_ok());
        let error = check_au_urls(&course("missing.html"), &package, false).unwrap_err();
        assert!(error.contains("not a file in the package"), "{error}");
        let error = check_au_urls(&course("/abs.html"), &package, false).unwrap_err();
        assert!(error.contains("leading /"), "{error}");
        let error = check_au_urls(&course("myapp://x"), &package, false).unwrap_err();
        assert!(error.contains("scheme myapp:"), "{error}");
    }

    #[test]
    fn decoding_keeps_plus_and_decodes_escapes() {
        assert_eq!(percent_decode("My%20Module+1.html"), "My Module+1.html");
        assert_eq!(percent_decode("a/b.html"), "a/b.html");
    }
}
