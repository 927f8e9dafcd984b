//! The rules for an AU's `<url>`, whichever way the package arrives.
//! Spec: cmi5 13.1.4 (url: a relative or fully qualified URL conforming to RFC 1738)
//! and 8.1 (the AU's own query names must not collide with the launch parameters).

use super::model::ManifestError;
use super::xml::Loc;

/// The query names the LMS adds at launch (cmi5 8.1.1 to 8.1.5).
pub const LAUNCH_PARAMETERS: [&str; 5] =
    ["endpoint", "fetch", "actor", "registration", "activityId"];

/// The scheme of an absolute URL (`https` in `https://x/`), `None` for a relative one.
/// RFC 3986 3.1: a letter, then letters, digits, `+`, `-` or `.`, then `:`, all before
/// any `/`, `?` or `#`.
pub fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Checks an AU url (already trimmed, cmi5 13.1).
pub fn check(url: &str, at: &Loc) -> Result<(), ManifestError> {
    if url.is_empty() {
        return Err(at.error("must not be empty: it is the page the AU launches"));
    }
    if let Some((position, c)) = url.char_indices().find(|(_, c)| not_in_url(*c)) {
        let what = match c {
            ' ' => "a space".to_owned(),
            c if c.is_whitespace() || c.is_control() => format!("the character U+{:04X}", c as u32),
            c => format!("the character {c:?}"),
        };
        return Err(at.error(format!(
            "{url:?} contains {what} at byte {position}, which a URL cannot hold; \
             percent-encode it (a space is %20) (cmi5 13.1.4.0-2: the url conforms to RFC 1738)"
        )));
    }
    if let Some(position) = bad_escape(url) {
        return Err(at.error(format!(
            "{url:?} has a % at byte {position} that is not followed by two hex digits; \
             write a literal % as %25 (cmi5 13.1.4.0-2: the url conforms to RFC 1738)"
        )));
    }
    let parsed = match scheme(url) {
        Some(_) => url::Url::parse(url),
        None => url::Url::parse("http://package.invalid/").and_then(|base| base.join(url)),
    };
    if let Err(why) = parsed {
        return Err(at.error(format!(
            "{url:?} is not a URL ({why}) (cmi5 13.1.4.0-2: the url conforms to RFC 1738)"
        )));
    }
    if let Some(name) = launch_parameter_in_query(url) {
        return Err(at.error(format!(
            "{url:?} has {name} in its query string, but the LMS adds {name} at launch; \
             the AU's own query names must not collide with the launch parameters {} \
             (cmi5 8.1.0.0-6)",
            LAUNCH_PARAMETERS.join(", ")
        )));
    }
    Ok(())
}

/// White space, controls and the characters RFC 3986 (and 1738) leave out of URLs.
fn not_in_url(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
}

/// The byte position of a `%` that does not start an escape.
fn bad_escape(url: &str) -> Option<usize> {
    let bytes = url.as_bytes();
    bytes.iter().enumerate().find_map(|(i, b)| {
        let escape = bytes.get(i + 1..i + 3);
        (*b == b'%' && !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)))
            .then_some(i)
    })
}

/// The first launch parameter named in the url's query, decoded as a browser would.
fn launch_parameter_in_query(url: &str) -> Option<&'static str> {
    let before_fragment = url.split('#').next().unwrap_or_default();
    let (_, query) = before_fragment.split_once('?')?;
    url::form_urlencoded::parse(query.as_bytes())
        .find_map(|(name, _)| LAUNCH_PARAMETERS.into_iter().find(|p| *p == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        check(url, &Loc::root("au/url")).unwrap_err().rule
    }

    #[test]
    fn relative_absolute_and_application_urls_pass() {
        for url in [
            "index.html",
            "a/My%20Module.html?mode=full&x=1#top",
            "http://example.com/index.html",
            "https://cdn.example/a.html?lang=en",
            "myapp://launch/course",
        ] {
            check(url, &Loc::root("u")).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
    }

    #[test]
    fn a_space_or_other_character_outside_urls_is_refused_13_1_4_0_2() {
        let rule = refused("http://example.com index.html");
        assert!(rule.contains("contains a space at byte 18"), "{rule}");
        assert!(rule.contains("13.1.4.0-2"), "{rule}");
        assert!(refused("a\tb.html").contains("U+0009"));
        assert!(refused("a<b>.html").contains("'<'"));
    }

    #[test]
    fn a_percent_must_start_an_escape() {
        assert!(refused("100%.html").contains("% at byte 3"));
        assert!(refused("a%2.html").contains("% at byte 1"));
    }

    #[test]
    fn a_malformed_absolute_url_is_refused() {
        assert!(refused("http://exa[mple.com/").contains("is not a URL"));
    }

    #[test]
    fn a_query_naming_a_launch_parameter_is_refused_8_1_0_0_6() {
        for (url, name) in [
            ("index.html?endpoint=http://example.org/lrs", "endpoint"),
            ("index.html?x=1&fetch=abc", "fetch"),
            ("https://x.example/a?actor=me", "actor"),
            ("a.html?registration", "registration"),
            ("a.html?activity%49d=1", "activityId"),
        ] {
            let rule = refused(url);
            assert!(
                rule.contains(&format!("has {name} in its query string")),
                "{rule}"
            );
            assert!(rule.contains("8.1.0.0-6"), "{rule}");
        }
    }

    #[test]
    fn names_that_only_resemble_launch_parameters_pass() {
        for url in [
            "a.html?Endpoint=1",
            "a.html?endpoints=1",
            "a.html#endpoint=1",
        ] {
            check(url, &Loc::root("u")).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
    }

    #[test]
    fn schemes_are_told_from_paths() {
        assert_eq!(scheme("https://x/"), Some("https"));
        assert_eq!(scheme("myapp+x://y"), Some("myapp+x"));
        assert_eq!(scheme("index.html?endpoint=http://x"), None);
        assert_eq!(scheme("a/b:c"), None);
        assert_eq!(scheme("1a:b"), None);
    }
}
