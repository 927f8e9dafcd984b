//! Reading manifest XML safely, and naming places in it so an author can find a problem.
//! Shared by the cmi5 and TinCan parsers.

use std::collections::HashMap;

use roxmltree::{Document, Node, ParsingOptions};

use super::model::{LangString, ManifestError};

/// Manifests are a few kilobytes; a mebibyte is far beyond any real one, and the cap
/// bounds the memory one upload can make the parser use.
pub const MAX_BYTES: usize = 1024 * 1024;

/// Parses a manifest, refusing oversized documents and DTDs.
pub fn open(xml: &str) -> Result<Document<'_>, ManifestError> {
    let document = || Loc("document".into());
    if xml.len() > MAX_BYTES {
        return Err(document().error(format!(
            "is {} bytes; a manifest may be at most 1 MiB ({MAX_BYTES} bytes)",
            xml.len()
        )));
    }
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    // DTDs are refused: neither format needs one, and refusing them rules out entity
    // expansion attacks (billion laughs). roxmltree never fetches external entities.
    let options = ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    Document::parse_with_options(xml, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => {
            document().error("has a DTD (<!DOCTYPE ...>); manifests must not declare one")
        }
        other => document().error(format!("is not well-formed XML: {other}")),
    })
}

/// An XPath-like location such as `courseStructure/block[1]/au[2]/@id`.
#[derive(Debug, Clone)]
pub struct Loc(String);

impl Loc {
    pub fn root(name: &str) -> Self {
        Self(name.to_owned())
    }

    /// A child element that is not there (yet): `title`, `url`.
    pub fn child(&self, step: &str) -> Self {
        Self(format!("{}/{step}", self.0))
    }

    pub fn attr(&self, name: &str) -> Self {
        Self(format!("{}/@{name}", self.0))
    }

    pub fn error(&self, rule: impl Into<String>) -> ManifestError {
        ManifestError {
            path: self.0.clone(),
            rule: rule.into(),
        }
    }
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An element child of a manifest element, with its location.
pub struct Child<'a, 'i> {
    pub node: Node<'a, 'i>,
    pub loc: Loc,
    /// `None` for an element in no namespace.
    pub namespace: Option<&'a str>,
    pub name: &'a str,
}

impl Child<'_, '_> {
    /// The local name when the element is in `namespace`, else `None`.
    pub fn name_in(&self, namespace: &str) -> Option<&str> {
        (self.namespace == Some(namespace)).then_some(self.name)
    }
}

/// The element children of `parent`, in document order. Each is located as `name[n]`,
/// n counting same-named siblings from 1; names listed in `repeatable` always carry the
/// index, others only when repeated, so the usual path reads `au[2]/title`. Elements
/// outside `own` namespace are named with their document prefix (`bb:audience`).
/// Text between elements is refused: neither format has mixed content.
pub fn children<'a, 'i>(
    parent: Node<'a, 'i>,
    at: &Loc,
    own: &str,
    repeatable: &[&str],
) -> Result<Vec<Child<'a, 'i>>, ManifestError> {
    let elements: Vec<Node<'a, 'i>> = parent.children().filter(Node::is_element).collect();
    if let Some(text) = parent
        .children()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .find(|t| !t.trim().is_empty())
    {
        return Err(at.error(format!(
            "has stray text {:?}; only elements belong here",
            text.trim()
        )));
    }
    // Counted up front, so a document with many siblings stays linear.
    // roxmltree reports `xmlns=""` as the empty namespace; it means none.
    let key = |node: &Node<'a, 'i>| {
        let tag = node.tag_name();
        (tag.namespace().filter(|ns| !ns.is_empty()), tag.name())
    };
    let mut totals: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    for node in &elements {
        *totals.entry(key(node)).or_default() += 1;
    }
    let mut seen: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let children = elements
        .into_iter()
        .map(|node| {
            let (namespace, name) = key(&node);
            let index = {
                let count = seen.entry((namespace, name)).or_default();
                *count += 1;
                *count
            };
            let repeated = totals
                .get(&(namespace, name))
                .is_some_and(|total| *total > 1);
            let shown = match namespace
                .filter(|ns| *ns != own)
                .and_then(|ns| node.lookup_prefix(ns))
            {
                Some(prefix) => format!("{prefix}:{name}"),
                None => name.to_owned(),
            };
            let step = if repeated || (namespace == Some(own) && repeatable.contains(&name)) {
                format!("{shown}[{index}]")
            } else {
                shown
            };
            Child {
                loc: at.child(&step),
                node,
                namespace,
                name,
            }
        })
        .collect();
    Ok(children)
}

/// The text of an element that holds only text, trimmed: cmi5 13.1 has the importer
/// remove leading and trailing white space from every value.
pub fn text(child: &Child) -> Result<String, ManifestError> {
    if let Some(inner) = child.node.children().find(Node::is_element) {
        return Err(child.loc.error(format!(
            "must hold text only, but contains the element {}",
            inner.tag_name().name()
        )));
    }
    let text: String = child.node.children().filter_map(|n| n.text()).collect();
    Ok(text.trim().to_owned())
}

/// An attribute without namespace, trimmed (cmi5 13.1).
pub fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name).map(str::trim)
}

/// Refuses attributes the format does not define. Attributes in a namespace are
/// extensions and pass; a misspelt or misplaced one (`launchParameters` is an element,
/// not an attribute) would otherwise be dropped without anyone noticing.
pub fn known_attributes(node: Node, at: &Loc, allowed: &[&str]) -> Result<(), ManifestError> {
    match node
        .attributes()
        .find(|a| a.namespace().is_none() && !allowed.contains(&a.name()))
    {
        None => Ok(()),
        Some(unknown) if allowed.is_empty() => Err(at
            .attr(unknown.name())
            .error("is not an attribute of this element")),
        Some(unknown) => Err(at.attr(unknown.name()).error(format!(
            "is not an attribute of this element; allowed: {}",
            allowed.join(", ")
        ))),
    }
}

/// An absolute IRI, as xAPI requires of activity ids and types.
pub fn iri(value: Option<&str>, at: &Loc) -> Result<String, ManifestError> {
    match value {
        None => Err(at.error("is required: an absolute IRI such as https://example.com/courses/x")),
        Some(text) if crate::xapi::validate::is_absolute_iri(text) => Ok(text.to_owned()),
        Some(text) => Err(at.error(format!(
            "must be an absolute IRI such as https://example.com/courses/x \
             (a scheme, then no spaces), got {text:?}"
        ))),
    }
}

/// Adds one language's text, refusing what an xAPI language map cannot hold: a missing
/// or malformed tag, or the same language twice.
pub fn push_lang(
    into: &mut LangString,
    lang: Option<&str>,
    text: String,
    at: &Loc,
) -> Result<(), ManifestError> {
    let lang = lang.unwrap_or_default();
    if lang.is_empty() {
        return Err(at.error("is required: the language of the text, such as en-US"));
    }
    if language_tags::LanguageTag::parse(lang).is_err() {
        return Err(at.error(format!(
            "{lang:?} is not a language tag (RFC 5646) such as en-US"
        )));
    }
    if into
        .0
        .iter()
        .any(|(seen, _)| seen.eq_ignore_ascii_case(lang))
    {
        return Err(at.error(format!(
            "language {lang} is given twice; give each language once"
        )));
    }
    into.0.push((lang.to_owned(), text));
    Ok(())
}

/// Keeps the first of an element that may appear once.
pub fn once<T>(slot: &mut Option<T>, value: T, at: &Loc) -> Result<(), ManifestError> {
    if slot.is_some() {
        return Err(at.error("appears more than once; only one is allowed here"));
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_over_one_mebibyte_are_refused() {
        let xml = format!("<a>{}</a>", " ".repeat(MAX_BYTES));
        let error = open(&xml).unwrap_err();
        assert_eq!(error.path, "document");
        assert!(error.rule.contains("at most 1 MiB"), "{error}");
    }

    #[test]
    fn dtds_are_refused() {
        let xml = r#"<?xml version="1.0"?>
            <!DOCTYPE a [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        let error = open(xml).unwrap_err();
        assert_eq!(error.path, "document");
        assert!(error.rule.contains("DTD"), "{error}");
    }

    #[test]
    fn malformed_xml_is_refused_with_its_position() {
        let error = open("<a><b></a>").unwrap_err();
        assert_eq!(error.path, "document");
        assert!(error.rule.starts_with("is not well-formed XML"), "{error}");
        assert!(error.rule.contains("1:"), "{error}");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert!(open("\u{feff}<a/>").is_ok());
    }

    #[test]
    fn children_are_indexed_when_repeatable_or_repeated() {
        let doc = open(r#"<r xmlns="urn:r" xmlns:x="urn:x"><t/><t/><u/><a/><x:e/></r>"#).unwrap();
        let at = Loc::root("r");
        let kids = children(doc.root_element(), &at, "urn:r", &["a"]).unwrap();
        let paths: Vec<String> = kids.iter().map(|c| c.loc.to_string()).collect();
        assert_eq!(paths, ["r/t[1]", "r/t[2]", "r/u", "r/a[1]", "r/x:e"]);
        assert_eq!(kids[4].name_in("urn:x"), Some("e"));
        assert_eq!(kids[4].name_in("urn:r"), None);
    }

    #[test]
    fn stray_text_between_elements_is_refused() {
        let doc = open("<r><a/>oops</r>").unwrap();
        let error = children(doc.root_element(), &Loc::root("r"), "", &[])
            .err()
            .unwrap();
        assert_eq!(error.path, "r");
        assert!(error.rule.contains("\"oops\""), "{error}");
    }

    #[test]
    fn text_is_trimmed_and_may_not_hold_elements() {
        let doc = open("<r><a>  x <![CDATA[y]]>  </a><b>1<i/></b></r>").unwrap();
        let kids = children(doc.root_element(), &Loc::root("r"), "", &[]).unwrap();
        assert_eq!(text(&kids[0]).unwrap(), "x y");
        let error = text(&kids[1]).unwrap_err();
        assert_eq!(error.path, "r/b");
        assert!(error.rule.contains("text only"), "{error}");
    }

    #[test]
    fn push_lang_refuses_missing_malformed_and_repeated_languages() {
        let at = Loc::root("t");
        let mut text = LangString::default();
        push_lang(&mut text, Some("en-US"), "a".into(), &at).unwrap();
        assert!(
            push_lang(&mut text, None, "b".into(), &at)
                .unwrap_err()
                .rule
                .contains("required")
        );
        let bad = push_lang(&mut text, Some("not a tag"), "b".into(), &at).unwrap_err();
        assert!(bad.rule.contains("RFC 5646"), "{bad}");
        let twice = push_lang(&mut text, Some("en-us"), "b".into(), &at).unwrap_err();
        assert!(twice.rule.contains("twice"), "{twice}");
    }
}
