//! Which form of a credential a request asks for, from its `Accept` header (RFC 9110
//! §12.5.1): the JSON credential with its embedded proof, or the VC-JWT. OB 3.0 §"Web
//! resource" names `application/vc+ld+json` (also `application/ld+json`,
//! `application/json`) for the JSON and `text/plain` for a compact JWS; VC-JOSE-COSE and
//! RFC 7519 add `application/vc+jwt` and `application/jwt`.

use std::cmp::Reverse;

use crate::error::Error;

/// The forms a credential is served in, as the media type answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    VcLdJson,
    LdJson,
    Json,
    VcJwt,
    Jwt,
    Text,
}

impl Form {
    /// Server preference when the client ranks forms equally: JSON first.
    const ALL: [Form; 6] = [
        Form::VcLdJson,
        Form::LdJson,
        Form::Json,
        Form::VcJwt,
        Form::Jwt,
        Form::Text,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            Form::VcLdJson => "application/vc+ld+json",
            Form::LdJson => "application/ld+json",
            Form::Json => "application/json",
            Form::VcJwt => "application/vc+jwt",
            Form::Jwt => "application/jwt",
            Form::Text => "text/plain",
        }
    }

    pub fn is_jwt(self) -> bool {
        matches!(self, Form::VcJwt | Form::Jwt | Form::Text)
    }
}

/// Longest `Accept` header read; browsers send under 300 bytes.
const MAX_ACCEPT: usize = 1024;

/// One media range of the header: its type, subtype and weight.
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    q: u16,
}

/// The form `accept` prefers (absent or empty means JSON), or `None` when it accepts
/// none of them (406, `not_acceptable`); 400 naming the header when it cannot be read.
pub fn choose(accept: Option<&str>) -> Result<Option<Form>, Error> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(Some(Form::VcLdJson));
    };
    if accept.len() > MAX_ACCEPT {
        return Err(Error::BadRequest(format!(
            "header `Accept` is longer than {MAX_ACCEPT} bytes"
        )));
    }
    let ranges = accept
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(range)
        .collect::<Result<Vec<_>, _>>()?;
    // Per form: the weight of the most specific range matching it, and where that
    // range stood. Highest weight wins, then the earlier range, then the server's order.
    let best = Form::ALL
        .into_iter()
        .enumerate()
        .filter_map(|(order, form)| {
            let (q, at) = weight_of(&ranges, form)?;
            (q > 0).then_some(((q, Reverse(at), Reverse(order)), form))
        })
        .max_by_key(|(key, _)| *key);
    Ok(best.map(|(_, form)| form))
}

/// Why a request got 406: the forms it could have asked for.
pub fn not_acceptable() -> String {
    format!(
        "header `Accept` accepts none of the forms of a credential: {}",
        Form::ALL.map(Form::media_type).join(", ")
    )
}

/// The weight the most specific matching range gives `form`, and that range's place.
fn weight_of(ranges: &[Range<'_>], form: Form) -> Option<(u16, usize)> {
    let (kind, subtype) = form.media_type().split_once('/')?;
    ranges
        .iter()
        .enumerate()
        .filter_map(|(at, r)| {
            let specificity = if r.kind.eq_ignore_ascii_case(kind) {
                if r.subtype.eq_ignore_ascii_case(subtype) {
                    3
                } else if r.subtype == "*" {
                    2
                } else {
                    return None;
                }
            } else if r.kind == "*" {
                1
            } else {
                return None;
            };
            Some((specificity, Reverse(at), r.q))
        })
        .max()
        .map(|(_, Reverse(at), q)| (q, at))
}

/// `type/subtype` with optional parameters; only `q` is read.
fn range(text: &str) -> Result<Range<'_>, Error> {
    let bad = |why: &str| Error::BadRequest(format!("header `Accept`: `{text}` {why}"));
    let mut parts = text.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default();
    let (kind, subtype) = media
        .split_once('/')
        .ok_or_else(|| bad("is not a media range (type/subtype)"))?;
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if !token(kind) || !token(subtype) || (kind == "*" && subtype != "*") {
        return Err(bad("is not a media range (type/subtype)"));
    }
    let mut q = 1000;
    for param in parts {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| bad("has a parameter without a value"))?;
        if name.trim().eq_ignore_ascii_case("q") {
            q = weight(value.trim()).ok_or_else(|| bad("has a q outside 0–1 (3 decimals)"))?;
        }
    }
    Ok(Range { kind, subtype, q })
}

/// `q` in thousandths (RFC 9110 §12.4.2: 0 to 1, at most three decimals).
fn weight(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_accept_header_or_any_type_gets_the_json_credential() {
        assert_eq!(choose(None).unwrap().unwrap(), Form::VcLdJson);
        assert_eq!(choose(Some("*/*")).unwrap().unwrap(), Form::VcLdJson);
        assert_eq!(choose(Some("  ")).unwrap().unwrap(), Form::VcLdJson);
    }

    #[test]
    fn a_jwt_media_type_gets_the_jwt_in_that_media_type() {
        assert_eq!(
            choose(Some("application/vc+jwt")).unwrap().unwrap(),
            Form::VcJwt
        );
        assert_eq!(choose(Some("application/jwt")).unwrap().unwrap(), Form::Jwt);
        assert_eq!(choose(Some("text/plain")).unwrap().unwrap(), Form::Text);
    }

    #[test]
    fn weights_decide_and_an_earlier_range_wins_a_tie() {
        let accept = "application/json;q=0.5, application/vc+jwt";
        assert_eq!(choose(Some(accept)).unwrap().unwrap(), Form::VcJwt);
        let accept = "application/vc+jwt, application/json";
        assert_eq!(choose(Some(accept)).unwrap().unwrap(), Form::VcJwt);
        let accept = "application/json, application/vc+jwt";
        assert_eq!(choose(Some(accept)).unwrap().unwrap(), Form::Json);
    }

    #[test]
    fn a_browser_accept_header_gets_json() {
        let accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(choose(Some(accept)).unwrap().unwrap(), Form::VcLdJson);
    }

    #[test]
    fn q_zero_refuses_a_form() {
        let accept = "application/*, application/vc+ld+json;q=0";
        assert_eq!(choose(Some(accept)).unwrap().unwrap(), Form::LdJson);
    }

    #[test]
    fn an_accept_header_naming_no_form_chooses_none_and_406_lists_them() {
        assert_eq!(choose(Some("image/png")).unwrap(), None);
        assert!(not_acceptable().contains("application/vc+jwt"));
    }

    #[test]
    fn a_malformed_accept_header_is_400_naming_it() {
        for bad in [
            "json",
            "application/json;q=2",
            "application/json;q",
            "*/json",
            "a/b;q=0.12345",
        ] {
            let err = choose(Some(bad)).unwrap_err();
            assert!(matches!(err, Error::BadRequest(_)), "{bad}: {err:?}");
            assert!(err.to_string().contains("`Accept`"), "{err}");
        }
        assert!(choose(Some(&"a/b,".repeat(400))).is_err());
    }
}
