//! cmi5 course structures (`cmi5.xml`) into a [`Course`].
//! Spec: cmi5 13.1 Course Structure Data Model and 14.0 Course Package
//! (<https://github.com/AICC/CMI-5_Spec_Current/blob/quartz/cmi5_spec.md#course_requirements>),
//! with the element rules of `v1/CourseStructure.xsd`.
//!
//! Stricter than the XSD where silence would hide a mistake (unknown attributes, our
//! extension out of place, language tags). Looser where nothing depends on it:
//! element order is not checked, `description` may be left out (the spec requires it,
//! but the catalog copes without one) and objectives are skipped unread.

use std::collections::HashMap;

use super::model::{
    Au, Block, Course, Format, LangString, LaunchMethod, ManifestError, MoveOn, Node,
};
use super::xml::{self, Child, Loc};

/// The namespace of every cmi5 course structure element.
pub const NAMESPACE: &str = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd";

/// Our extension namespace (cmi5 13.1.5 lets vendors add namespaced elements). It
/// defines one element, `<bb:audience>` inside `<course>`.
pub const EXTENSIONS: &str = "https://blackbelt.example/xmlns/cmi5-extensions";

/// Deepest block nesting accepted. Everything downstream walks the tree recursively,
/// and serde_json reads back at most 128 levels of stored JSON (two per block).
const MAX_BLOCK_DEPTH: usize = 32;

const MOVE_ON_NAMES: &str =
    "Passed, Completed, CompletedAndPassed, CompletedOrPassed, NotApplicable";

/// Parses and validates a cmi5 course structure.
pub fn parse_cmi5(xml: &str) -> Result<Course, ManifestError> {
    let document = xml::open(xml)?;
    let root = document.root_element();
    let at = Loc::root(root.tag_name().name());
    if root.tag_name().namespace() != Some(NAMESPACE) || root.tag_name().name() != "courseStructure"
    {
        return Err(at.error(format!(
            "the root element must be courseStructure in namespace {NAMESPACE}"
        )));
    }
    xml::known_attributes(root, &at, &[])?;
    let mut ids = Ids::default();
    let mut head = None;
    let mut members = Vec::new();
    for child in xml::children(root, &at, NAMESPACE, &["au", "block"])? {
        match child.name_in(NAMESPACE) {
            Some("course") if head.is_some() => {
                return Err(child
                    .loc
                    .error("appears more than once; a course structure has one course"));
            }
            Some("course") => head = Some(course_head(&child, &mut ids)?),
            // Objective definitions: nothing in Black Belt reads them.
            Some("objectives") => {}
            Some("au" | "block") => members.push(member(&child, 1, &mut ids)?),
            Some(_) => return Err(unknown(&child, "course, objectives, au, block")),
            None => foreign(&child)?,
        }
    }
    let head = head.ok_or_else(|| {
        at.child("course")
            .error("is required: the course's id and title")
    })?;
    // Blocks may not be empty, so one member at the top means at least one AU.
    if members.is_empty() {
        return Err(at.error("the course needs at least one au (directly or inside a block)"));
    }
    Ok(Course {
        id: head.id,
        title: head.title,
        description: head.description,
        audiences: head.audiences,
        format: Format::Cmi5,
        children: members,
    })
}

/// The `<course>` element: the course's own metadata (cmi5 13.1.1).
struct CourseHead {
    id: String,
    title: LangString,
    description: LangString,
    audiences: Vec<String>,
}

fn course_head(el: &Child, ids: &mut Ids) -> Result<CourseHead, ManifestError> {
    let id = identity(el, &["id"], ids)?;
    let (mut title, mut description, mut audiences) = (None, None, Vec::<String>::new());
    for child in xml::children(el.node, &el.loc, NAMESPACE, &[])? {
        match child.name_in(NAMESPACE) {
            Some("title") => xml::once(&mut title, lang_string(&child)?, &child.loc)?,
            Some("description") => xml::once(&mut description, lang_string(&child)?, &child.loc)?,
            Some(_) => return Err(unknown(&child, "title, description")),
            None if child.name_in(EXTENSIONS) == Some("audience") => {
                let audience = xml::text(&child)?;
                if audience.is_empty() {
                    return Err(child.loc.error("must name an audience, such as executives"));
                }
                if audiences.contains(&audience) {
                    return Err(child
                        .loc
                        .error(format!("audience {audience} is listed twice")));
                }
                audiences.push(audience);
            }
            None => foreign(&child)?,
        }
    }
    Ok(CourseHead {
        id,
        title: required(title, &el.loc, "title")?,
        description: description.unwrap_or_default(),
        audiences,
    })
}

/// An `au` or `block` child, at nesting `depth` (1 for the top level).
fn member(el: &Child, depth: usize, ids: &mut Ids) -> Result<Node, ManifestError> {
    if el.name == "au" {
        return au(el, ids).map(Node::Au);
    }
    if depth > MAX_BLOCK_DEPTH {
        return Err(el.loc.error(format!(
            "blocks may be nested at most {MAX_BLOCK_DEPTH} deep"
        )));
    }
    let id = identity(el, &["id"], ids)?;
    let (mut title, mut description, mut members) = (None, None, Vec::new());
    for child in xml::children(el.node, &el.loc, NAMESPACE, &["au", "block"])? {
        match child.name_in(NAMESPACE) {
            Some("title") => xml::once(&mut title, lang_string(&child)?, &child.loc)?,
            Some("description") => xml::once(&mut description, lang_string(&child)?, &child.loc)?,
            // References to objectives: nothing in Black Belt reads them.
            Some("objectives") => {}
            Some("au" | "block") => members.push(member(&child, depth + 1, ids)?),
            Some(_) => return Err(unknown(&child, "title, description, objectives, au, block")),
            None => foreign(&child)?,
        }
    }
    let title = required(title, &el.loc, "title")?;
    if members.is_empty() {
        return Err(el
            .loc
            .error("a block needs at least one au or block inside it"));
    }
    Ok(Node::Block(Block {
        id,
        title,
        description: description.unwrap_or_default(),
        children: members,
    }))
}

/// An `<au>` element (cmi5 13.1.4).
fn au(el: &Child, ids: &mut Ids) -> Result<Au, ManifestError> {
    let allowed = [
        "id",
        "launchMethod",
        "moveOn",
        "masteryScore",
        "activityType",
    ];
    let id = identity(el, &allowed, ids)?;
    let attr = |name| xml::attr(el.node, name);
    let launch_method = match attr("launchMethod") {
        None => LaunchMethod::default(),
        Some(name) => LaunchMethod::from_name(name).ok_or_else(|| {
            let at = el.loc.attr("launchMethod");
            at.error(format!("must be AnyWindow or OwnWindow, got {name:?}"))
        })?,
    };
    let move_on = match attr("moveOn") {
        None => MoveOn::default(),
        Some(name) => MoveOn::from_name(name).ok_or_else(|| {
            let at = el.loc.attr("moveOn");
            at.error(format!("must be one of {MOVE_ON_NAMES}, got {name:?}"))
        })?,
    };
    let mastery_score = match attr("masteryScore") {
        None => None,
        Some(text) => Some(mastery_score(text).ok_or_else(|| {
            let at = el.loc.attr("masteryScore");
            at.error(format!(
                "must be a decimal from 0 to 1 such as 0.8, got {text:?}"
            ))
        })?),
    };
    let activity_type = match attr("activityType") {
        None => None,
        some => Some(xml::iri(some, &el.loc.attr("activityType"))?),
    };
    let (mut title, mut description, mut url) = (None, None, None);
    let (mut launch_parameters, mut entitlement_key) = (None, None);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &[])? {
        match child.name_in(NAMESPACE) {
            Some("title") => xml::once(&mut title, lang_string(&child)?, &child.loc)?,
            Some("description") => xml::once(&mut description, lang_string(&child)?, &child.loc)?,
            // References to objectives: nothing in Black Belt reads them.
            Some("objectives") => {}
            Some("url") => xml::once(
                &mut url,
                (xml::text(&child)?, child.loc.clone()),
                &child.loc,
            )?,
            Some("launchParameters") => {
                xml::once(&mut launch_parameters, xml::text(&child)?, &child.loc)?
            }
            Some("entitlementKey") => {
                xml::once(&mut entitlement_key, xml::text(&child)?, &child.loc)?
            }
            Some(_) => {
                let expected =
                    "title, description, objectives, url, launchParameters, entitlementKey";
                return Err(unknown(&child, expected));
            }
            None => foreign(&child)?,
        }
    }
    let title = required(title, &el.loc, "title")?;
    let (url, url_at) = required(url, &el.loc, "url")?;
    if url.is_empty() {
        return Err(url_at.error("must not be empty: it is the page the AU launches"));
    }
    Ok(Au {
        id,
        title,
        description: description.unwrap_or_default(),
        url,
        launch_method,
        move_on,
        mastery_score,
        launch_parameters,
        entitlement_key,
        activity_type,
    })
}

/// Checks the element's attributes and claims its `id` (an absolute IRI, unique
/// across the whole course structure: it becomes an xAPI activity id).
fn identity(el: &Child, allowed: &[&str], ids: &mut Ids) -> Result<String, ManifestError> {
    xml::known_attributes(el.node, &el.loc, allowed)?;
    let at = el.loc.attr("id");
    let id = xml::iri(xml::attr(el.node, "id"), &at)?;
    if let Some(first) = ids.0.get(&id) {
        return Err(at.error(format!(
            "{id} is already the id of {first}; ids must be unique in the course structure"
        )));
    }
    ids.0.insert(id.clone(), el.loc.to_string());
    Ok(id)
}

/// Every id seen so far, with where it was first seen.
#[derive(Default)]
struct Ids(HashMap<String, String>);

/// A `title` or `description`: one or more `langstring`s (cmi5 13.1, langstring type).
fn lang_string(el: &Child) -> Result<LangString, ManifestError> {
    xml::known_attributes(el.node, &el.loc, &[])?;
    let mut text = LangString::default();
    for child in xml::children(el.node, &el.loc, NAMESPACE, &["langstring"])? {
        match child.name_in(NAMESPACE) {
            Some("langstring") => {
                xml::known_attributes(child.node, &child.loc, &["lang"])?;
                let lang = xml::attr(child.node, "lang");
                xml::push_lang(&mut text, lang, xml::text(&child)?, &child.loc.attr("lang"))?;
            }
            Some(_) => return Err(unknown(&child, "langstring")),
            None => foreign(&child)?,
        }
    }
    if text.is_empty() {
        return Err(el.loc.error(
            "needs at least one langstring, such as <langstring lang=\"en-US\">...</langstring>",
        ));
    }
    Ok(text)
}

/// `masteryScore`: an `xs:decimal` from 0 to 1. The lexical check comes first because
/// Rust's float parser also takes `1e-1`, `inf` and `NaN`, which the XSD does not.
fn mastery_score(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let lexical = !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction);
    let value: f64 = text.parse().ok()?;
    // The range takes "-0" (-0.0 == 0.0); abs() stores it as 0.
    (lexical && (0.0..=1.0).contains(&value)).then_some(value.abs())
}

fn required<T>(value: Option<T>, parent: &Loc, name: &str) -> Result<T, ManifestError> {
    value.ok_or_else(|| parent.child(name).error("is required"))
}

fn unknown(el: &Child, expected: &str) -> ManifestError {
    el.loc.error(format!(
        "{} is not a cmi5 element here; expected {expected} \
         (elements in another namespace are allowed as extensions)",
        el.name
    ))
}

/// Elements from other namespaces are extensions an LMS may ignore (cmi5 13.1.5),
/// except ours out of place, which would otherwise be dropped silently, and elements
/// in no namespace, which the XSD does not allow.
fn foreign(el: &Child) -> Result<(), ManifestError> {
    match el.namespace {
        None => Err(el.loc.error(format!(
            "{} has no namespace, so it is neither cmi5 nor an extension",
            el.name
        ))),
        Some(EXTENSIONS) => Err(el.loc.error(format!(
            "{} is not a Black Belt extension element here; the only one is audience, inside course",
            el.name
        ))),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests;
