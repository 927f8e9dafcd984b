//! What a submission must satisfy before it is stored: the belt and its evidence
//! requirement exist in the current program and accept this kind; text and links within
//! their limits.

use crate::certification::program::model::{Belt, Evidence, EvidenceKind, Recertify, Requirement};
use crate::certification::program::store::LoadedProgram;
use crate::error::Error;

/// Longest evidence text, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest evidence link, in characters.
pub const MAX_URL_CHARS: usize = 2_000;

/// A belt of a current program, with the program it belongs to.
pub struct FoundBelt<'a> {
    pub program: &'a LoadedProgram,
    pub belt: &'a Belt,
}

/// The belt `belt_id` in the current programs; 400 naming `field` when none has it.
pub fn find_belt<'a>(
    programs: &'a [LoadedProgram],
    belt_id: &str,
    field: &str,
) -> Result<FoundBelt<'a>, Error> {
    programs
        .iter()
        .find_map(|program| {
            program
                .program
                .belts
                .iter()
                .find(|b| b.id == belt_id)
                .map(|belt| FoundBelt { program, belt })
        })
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "{field} `{belt_id}` is not a belt of the current program; GET \
                 /api/certification/belts lists them"
            ))
        })
}

/// Every evidence requirement of a belt, in `requires` and in `recertify`.
pub fn evidence_requirements(belt: &Belt) -> Vec<&Evidence> {
    fn walk<'a>(req: &'a Requirement, out: &mut Vec<&'a Evidence>) {
        match req {
            Requirement::AllOf(list) | Requirement::AnyOf(list) => {
                list.iter().for_each(|r| walk(r, out))
            }
            Requirement::AtLeast(at_least) => at_least.of.iter().for_each(|r| walk(r, out)),
            Requirement::Evidence(e) => out.push(e),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&belt.requires, &mut out);
    if let Some(Recertify { requires, .. }) = &belt.recertify {
        walk(requires, &mut out);
    }
    out
}

/// The evidence requirement `requirement_id` of `belt`, accepting `kind`; 400 naming the
/// `requirement` field otherwise.
pub fn requirement<'a>(
    belt: &'a Belt,
    requirement_id: &str,
    kind: EvidenceKind,
) -> Result<&'a Evidence, Error> {
    let all = evidence_requirements(belt);
    let Some(found) = all.iter().find(|e| e.id == requirement_id) else {
        let ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
        return Err(Error::BadRequest(format!(
            "field `requirement`: belt `{}` has no evidence requirement `{requirement_id}`; its \
             evidence requirements are: {}",
            belt.id,
            if ids.is_empty() {
                "none".to_owned()
            } else {
                ids.join(", ")
            }
        )));
    };
    if !found.kinds.contains(&kind) {
        let kinds: Vec<&str> = found.kinds.iter().map(|k| kind_name(*k)).collect();
        return Err(Error::BadRequest(format!(
            "field `{}`: requirement `{requirement_id}` does not accept {} evidence; it accepts {}",
            kind_name(kind),
            kind_name(kind),
            kinds.join(", ")
        )));
    }
    Ok(found)
}

pub fn kind_name(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Text => "text",
        EvidenceKind::Url => "url",
        EvidenceKind::File => "file",
    }
}

/// Evidence text: not blank, at most `MAX_TEXT_CHARS` characters.
pub fn check_text(text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        return Err(Error::BadRequest("field `text` must not be empty".into()));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Error::BadRequest(format!(
            "field `text` must be at most {MAX_TEXT_CHARS} characters; it has {chars}"
        )));
    }
    Ok(())
}

/// An evidence link: an absolute http(s) URL with a host, at most `MAX_URL_CHARS`.
pub fn check_url(text: &str) -> Result<(), Error> {
    let chars = text.chars().count();
    if chars > MAX_URL_CHARS {
        return Err(Error::BadRequest(format!(
            "field `url` must be at most {MAX_URL_CHARS} characters; it has {chars}"
        )));
    }
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        Ok(url) => Err(Error::BadRequest(format!(
            "field `url` must be an http or https URL; got a `{}:` URL",
            url.scheme()
        ))),
        Err(e) => Err(Error::BadRequest(format!(
            "field `url` must be an absolute http or https URL ({e})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_over_ten_thousand_characters_is_refused() {
        assert!(check_text(&"é".repeat(MAX_TEXT_CHARS)).is_ok());
        let err = check_text(&"a".repeat(MAX_TEXT_CHARS + 1)).unwrap_err();
        assert!(err.to_string().contains("`text`"), "{err}");
    }

    #[test]
    fn only_http_and_https_links_are_accepted() {
        assert!(check_url("https://example.com/post/1").is_ok());
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("ftp://example.com/x").is_err());
        assert!(check_url("/relative").is_err());
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(MAX_URL_CHARS))).is_err());
    }
}
