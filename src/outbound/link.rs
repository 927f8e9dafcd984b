//! `Link` headers (RFC 8288 §3), as AGS and NRPS page with them: `<url>; rel="next"`.
//! Tolerant on purpose: `rel` may be unquoted, quoted, or in Moodle's typographic
//! quotes (`rel=“next”`), may hold several relation types, and the URL may be relative
//! to the page that carried it.

/// The `rel=next` target among `headers`, resolved against `base`.
pub fn next_link(headers: &[String], base: &url::Url) -> Option<url::Url> {
    rel_link(headers, "next", base)
}

/// The first link whose relation types include `rel` (case-insensitive), resolved
/// against `base`; only http(s) results count.
pub fn rel_link(headers: &[String], rel: &str, base: &url::Url) -> Option<url::Url> {
    headers
        .iter()
        .flat_map(|h| links(h))
        .find(|(_, rels)| rels.iter().any(|r| r.eq_ignore_ascii_case(rel)))
        .and_then(|(target, _)| base.join(target.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// Every `<target>; params` in one header value: the target and its `rel` values.
fn links(header: &str) -> Vec<(&str, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            break;
        };
        let target = &after[..close];
        let params_start = &after[close + 1..];
        // The parameters end at the next link: a comma outside quotes, before a `<`.
        let (params, next) = split_params(params_start);
        out.push((target, rel_values(params)));
        rest = next;
    }
    out
}

/// The parameter text of one link, and what follows it.
fn split_params(text: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' | '“' | '”' => quoted = !quoted,
            ',' if !quoted => return (&text[..i], &text[i + 1..]),
            _ => {}
        }
    }
    (text, "")
}

/// The relation types named by `rel` in `; a=b; rel="next last"`.
fn rel_values(params: &str) -> Vec<String> {
    params
        .split(';')
        .filter_map(|p| p.split_once('='))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("rel"))
        .flat_map(|(_, value)| {
            value
                .trim()
                .trim_matches(['"', '“', '”', '\''])
                .split_ascii_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("https://lms.example.com/api/lineitems?type_id=3").unwrap()
    }

    fn next(header: &str) -> Option<String> {
        next_link(&[header.to_owned()], &base()).map(|u| u.to_string())
    }

    #[test]
    fn a_quoted_next_link_is_found() {
        assert_eq!(
            next(r#"<https://lms.example.com/api/lineitems?page=2>; rel="next""#).as_deref(),
            Some("https://lms.example.com/api/lineitems?page=2")
        );
    }

    #[test]
    fn an_unquoted_next_link_is_found() {
        assert_eq!(
            next("<https://lms.example.com/x?p=2>; rel=next").as_deref(),
            Some("https://lms.example.com/x?p=2")
        );
    }

    #[test]
    fn moodles_typographic_quotes_are_accepted() {
        assert_eq!(
            next("<https://lms.example.com/x?from=10&limit=10>; rel=“next”").as_deref(),
            Some("https://lms.example.com/x?from=10&limit=10")
        );
    }

    #[test]
    fn a_relative_link_is_resolved_against_the_page() {
        assert_eq!(
            next("</api/lineitems?type_id=3&page=2>; rel=\"next\"").as_deref(),
            Some("https://lms.example.com/api/lineitems?type_id=3&page=2")
        );
    }

    #[test]
    fn next_is_picked_among_several_links_in_one_header() {
        let header =
            r#"<https://a.example/first>; rel="first", <https://a.example/p,3>; rel="prev next""#;
        assert_eq!(next(header).as_deref(), Some("https://a.example/p,3"));
    }

    #[test]
    fn next_is_found_in_a_later_header() {
        let headers = vec![
            "<https://a.example/d>; rel=differences".to_owned(),
            "<https://a.example/n>; title=\"a; b, c\"; REL=Next".to_owned(),
        ];
        assert_eq!(
            next_link(&headers, &base())
                .map(|u| u.to_string())
                .as_deref(),
            Some("https://a.example/n")
        );
        assert_eq!(
            rel_link(&headers, "differences", &base())
                .map(|u| u.to_string())
                .as_deref(),
            Some("https://a.example/d")
        );
    }

    #[test]
    fn no_next_link_gives_none() {
        assert_eq!(next("<https://a.example/last>; rel=\"last\""), None);
        assert_eq!(next(""), None);
        assert_eq!(next("garbage"), None);
        assert_eq!(next("<javascript:alert(1)>; rel=next"), None);
    }
}
