//! cmi5 course structures (`cmi5.xml`) into a [`Course`].
//! Spec: cmi5 13.1 Course Structure Data Model and 14.0 Course Package
//! (<https://github.com/AICC/CMI-5_Spec_Current/blob/quartz/cmi5_spec.md#course_requirements>),
//! with the element rules of `v1/CourseStructure.xsd`: element order and counts (see
//! [`sequence`](super::sequence)), required attributes, enumerations, and extensions
//! only where the XSD's `xs:any namespace="##other"` allows them (last).
//!
//! Stricter than the XSD where silence would hide a mistake: unknown attributes, our
//! extension out of place, language tags (xAPI language maps need one), ids checked as
//! absolute IRIs (cmi5 3.0), objective references that name no objective, AU urls that
//! are not URLs or collide with launch parameters. Objectives are checked, not stored:
//! nothing in Black Belt reads them yet.

use std::collections::HashMap;

use super::au_url;
use super::model::{
    Au, Block, Course, Format, LangString, LaunchMethod, ManifestError, MoveOn, Node,
};
use super::sequence::{Sequence, Slot, one, optional, some};
use super::xml::{self, Child, Loc};
use objectives::{objective_definitions, objective_references};

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

/// `courseType`: the root's children.
const ROOT: &[Slot] = &[
    one(&["course"]),
    optional(&["objectives"]),
    some(&["au", "block"]),
];
/// The anonymous type of `<course>`.
const COURSE: &[Slot] = &[one(&["title"]), one(&["description"])];
/// `blockType`.
const BLOCK: &[Slot] = &[
    one(&["title"]),
    one(&["description"]),
    optional(&["objectives"]),
    some(&["au", "block"]),
];
/// `auType`.
const AU: &[Slot] = &[
    one(&["title"]),
    one(&["description"]),
    optional(&["objectives"]),
    one(&["url"]),
    optional(&["launchParameters"]),
    optional(&["entitlementKey"]),
];
/// `textType` (title, description), and `objectivesType` / `referencesObjectivesType`.
const TEXT: &[Slot] = &[some(&["langstring"])];
const OBJECTIVES: &[Slot] = &[some(&["objective"])];

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
    let mut scope = Scope::default();
    let mut head = None;
    let mut members = Vec::new();
    let mut sequence = Sequence::new(ROOT);
    for child in xml::children(root, &at, NAMESPACE, &["au", "block"])? {
        match child.name_in(NAMESPACE) {
            Some(name @ ("course" | "objectives" | "au" | "block")) => {
                sequence.take(&child)?;
                match name {
                    "course" => head = Some(course_head(&child, &mut scope)?),
                    "objectives" => objective_definitions(&child, &mut scope)?,
                    _ => members.push(member(&child, 1, &mut scope)?),
                }
            }
            Some(_) => return Err(unknown(&child, "course, objectives, au, block")),
            None => extension(&child, &mut sequence)?,
        }
    }
    sequence.finish(&at)?;
    let head = head.ok_or_else(|| at.child("course").error("is required"))?;
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

fn course_head(el: &Child, scope: &mut Scope) -> Result<CourseHead, ManifestError> {
    let id = identity(el, &["id"], scope)?;
    let (mut title, mut description, mut audiences) = (None, None, Vec::<String>::new());
    let mut sequence = Sequence::new(COURSE);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &[])? {
        match child.name_in(NAMESPACE) {
            Some("title") => title = Some(text_of(&child, &mut sequence)?),
            Some("description") => description = Some(text_of(&child, &mut sequence)?),
            Some(_) => return Err(unknown(&child, "title, description")),
            None if child.name_in(EXTENSIONS) == Some("audience") => {
                sequence.extension(&child)?;
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
            None => extension(&child, &mut sequence)?,
        }
    }
    sequence.finish(&el.loc)?;
    Ok(CourseHead {
        id,
        title: required(title, &el.loc, "title")?,
        description: required(description, &el.loc, "description")?,
        audiences,
    })
}

/// An `au` or `block` child, at nesting `depth` (1 for the top level).
fn member(el: &Child, depth: usize, scope: &mut Scope) -> Result<Node, ManifestError> {
    if el.name == "au" {
        return au(el, scope).map(Node::Au);
    }
    if depth > MAX_BLOCK_DEPTH {
        return Err(el.loc.error(format!(
            "blocks may be nested at most {MAX_BLOCK_DEPTH} deep"
        )));
    }
    let id = identity(el, &["id"], scope)?;
    let (mut title, mut description, mut members) = (None, None, Vec::new());
    let mut sequence = Sequence::new(BLOCK);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &["au", "block"])? {
        match child.name_in(NAMESPACE) {
            Some("title") => title = Some(text_of(&child, &mut sequence)?),
            Some("description") => description = Some(text_of(&child, &mut sequence)?),
            Some("objectives") => {
                sequence.take(&child)?;
                objective_references(&child, scope)?;
            }
            Some("au" | "block") => {
                sequence.take(&child)?;
                members.push(member(&child, depth + 1, scope)?);
            }
            Some(_) => return Err(unknown(&child, "title, description, objectives, au, block")),
            None => extension(&child, &mut sequence)?,
        }
    }
    sequence.finish(&el.loc)?;
    Ok(Node::Block(Block {
        id,
        title: required(title, &el.loc, "title")?,
        description: required(description, &el.loc, "description")?,
        children: members,
    }))
}

/// An `<au>` element (cmi5 13.1.4).
fn au(el: &Child, scope: &mut Scope) -> Result<Au, ManifestError> {
    let allowed = [
        "id",
        "launchMethod",
        "moveOn",
        "masteryScore",
        "activityType",
    ];
    let id = identity(el, &allowed, scope)?;
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
    let mut sequence = Sequence::new(AU);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &[])? {
        match child.name_in(NAMESPACE) {
            Some("title") => title = Some(text_of(&child, &mut sequence)?),
            Some("description") => description = Some(text_of(&child, &mut sequence)?),
            Some("objectives") => {
                sequence.take(&child)?;
                objective_references(&child, scope)?;
            }
            Some("url") => {
                sequence.take(&child)?;
                let text = xml::text(&child)?;
                au_url::check(&text, &child.loc)?;
                url = Some(text);
            }
            Some("launchParameters") => {
                sequence.take(&child)?;
                launch_parameters = Some(xml::text(&child)?);
            }
            Some("entitlementKey") => {
                sequence.take(&child)?;
                entitlement_key = Some(xml::text(&child)?);
            }
            Some(_) => {
                let expected =
                    "title, description, objectives, url, launchParameters, entitlementKey";
                return Err(unknown(&child, expected));
            }
            None => extension(&child, &mut sequence)?,
        }
    }
    sequence.finish(&el.loc)?;
    Ok(Au {
        id,
        title: required(title, &el.loc, "title")?,
        description: required(description, &el.loc, "description")?,
        url: required(url, &el.loc, "url")?,
        launch_method,
        move_on,
        mastery_score,
        launch_parameters,
        entitlement_key,
        activity_type,
    })
}

/// Checks the element's attributes and claims its `id` (an absolute IRI, cmi5
/// 3.0.0.0-1, unique across the whole course structure: it becomes an xAPI activity id).
fn identity(el: &Child, allowed: &[&str], scope: &mut Scope) -> Result<String, ManifestError> {
    xml::known_attributes(el.node, &el.loc, allowed)?;
    let at = el.loc.attr("id");
    let id = id_iri(xml::attr(el.node, "id"), &at)?;
    if let Some(first) = scope.ids.get(&id) {
        let requirement = match el.name {
            "au" => " (cmi5 13.1.4.0-1)",
            "block" => " (cmi5 13.1.2.0-1)",
            _ => "",
        };
        return Err(at.error(format!(
            "{id} is already the id of {first}; ids must be unique in the course structure{requirement}"
        )));
    }
    scope.ids.insert(id.clone(), el.loc.to_string());
    Ok(id)
}

/// An id: an absolute IRI (cmi5 3.0.0.0-1), said so when it is not.
fn id_iri(value: Option<&str>, at: &Loc) -> Result<String, ManifestError> {
    xml::iri(value, at).map_err(|mut error| {
        error.rule.push_str(" (cmi5 3.0.0.0-1)");
        error
    })
}

/// The ids seen so far (course, blocks and AUs share one space; objectives have
/// theirs), each with where it was first seen.
#[derive(Default)]
struct Scope {
    ids: HashMap<String, String>,
    objectives: HashMap<String, String>,
}

/// A `title` or `description` in a sequence.
fn text_of(el: &Child, sequence: &mut Sequence) -> Result<LangString, ManifestError> {
    sequence.take(el)?;
    lang_string(el)
}

/// A `title` or `description`: one or more `langstring`s (cmi5 13.1, `textType`).
fn lang_string(el: &Child) -> Result<LangString, ManifestError> {
    xml::known_attributes(el.node, &el.loc, &[])?;
    let mut text = LangString::default();
    let mut sequence = Sequence::new(TEXT);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &["langstring"])? {
        match child.name_in(NAMESPACE) {
            Some("langstring") => {
                sequence.take(&child)?;
                xml::known_attributes(child.node, &child.loc, &["lang"])?;
                let lang = xml::attr(child.node, "lang");
                xml::push_lang(&mut text, lang, xml::text(&child)?, &child.loc.attr("lang"))?;
            }
            Some(_) => return Err(unknown(&child, "langstring")),
            None => extension(&child, &mut sequence)?,
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

/// An element of another namespace: allowed as an extension (see [`foreign`]), after
/// the cmi5 elements of its parent.
fn extension(el: &Child, sequence: &mut Sequence) -> Result<(), ManifestError> {
    foreign(el)?;
    sequence.extension(el)
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

mod objectives;
#[cfg(test)]
mod tests;
