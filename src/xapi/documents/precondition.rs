//! `If-Match` / `If-None-Match` on document writes: lost updates are refused with 412.
//! Spec: xAPI-Communication 3.1 (Concurrency); RFC 9110 13.1.1–13.1.2.

use poem::Request;

use crate::error::Error;

/// The conditional headers of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preconditions {
    if_match: Option<EntityTags>,
    if_none_match: Option<EntityTags>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum EntityTags {
    Any,
    /// Opaque tags, quotes and any `W/` prefix removed.
    List(Vec<String>),
}

impl EntityTags {
    fn parse(header: &str) -> EntityTags {
        if header.trim() == "*" {
            return EntityTags::Any;
        }
        EntityTags::List(
            header
                .split(',')
                .map(|tag| opaque(tag).to_owned())
                .filter(|tag| !tag.is_empty())
                .collect(),
        )
    }

    fn matches(&self, current: &str) -> bool {
        match self {
            EntityTags::Any => true,
            EntityTags::List(tags) => tags.iter().any(|t| t == opaque(current)),
        }
    }
}

/// The opaque part of an entity tag: `W/"abc"` and `"abc"` both give `abc`.
fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    tag.trim_matches('"')
}

impl Preconditions {
    pub fn from_request(req: &Request) -> Preconditions {
        let header = |name| req.header(name).map(EntityTags::parse);
        Preconditions {
            if_match: header("If-Match"),
            if_none_match: header("If-None-Match"),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.if_match.is_none() && self.if_none_match.is_none()
    }

    /// Checks the headers against the current ETag (`None`: no document).
    pub fn check(&self, current: Option<&str>) -> Result<(), Error> {
        if let Some(tags) = &self.if_match {
            match current {
                Some(etag) if tags.matches(etag) => {}
                Some(etag) => {
                    return Err(Error::PreconditionFailed(format!(
                        "If-Match does not match the document's current ETag {etag}; \
                         GET it again and retry"
                    )));
                }
                None => {
                    return Err(Error::PreconditionFailed(
                        "If-Match was given but no such document exists".into(),
                    ));
                }
            }
        }
        if let (Some(tags), Some(etag)) = (&self.if_none_match, current)
            && tags.matches(etag)
        {
            return Err(Error::PreconditionFailed(format!(
                "If-None-Match: the document exists (ETag {etag})"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pre(if_match: Option<&str>, if_none_match: Option<&str>) -> Preconditions {
        Preconditions {
            if_match: if_match.map(EntityTags::parse),
            if_none_match: if_none_match.map(EntityTags::parse),
        }
    }

    #[test]
    fn if_match_needs_the_current_tag() {
        let p = pre(Some("\"abc\", \"def\""), None);
        assert!(p.check(Some("\"def\"")).is_ok());
        assert!(p.check(Some("\"xyz\"")).is_err());
        assert!(p.check(None).is_err());
    }

    #[test]
    fn if_match_star_needs_a_document() {
        let p = pre(Some("*"), None);
        assert!(p.check(Some("\"abc\"")).is_ok());
        assert!(p.check(None).is_err());
    }

    #[test]
    fn if_none_match_star_refuses_an_existing_document() {
        let p = pre(None, Some("*"));
        assert!(p.check(None).is_ok());
        assert!(p.check(Some("\"abc\"")).is_err());
    }

    #[test]
    fn weak_and_unquoted_tags_compare_by_their_opaque_part() {
        let p = pre(Some("W/\"abc\""), None);
        assert!(p.check(Some("\"abc\"")).is_ok());
        let p = pre(Some("abc"), None);
        assert!(p.check(Some("\"abc\"")).is_ok());
    }
}
