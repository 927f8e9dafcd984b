//! Objectives (cmi5 13.1.3): the course's definitions and the references blocks and
//! AUs make to them. Checked, not stored: nothing in Black Belt reads them yet.

use super::super::model::ManifestError;
use super::super::sequence::Sequence;
use super::super::xml::{self, Child};
use super::{NAMESPACE, OBJECTIVES, Scope, extension, id_iri, lang_string, required, unknown};

/// The course's `<objectives>` (`objectivesType`, cmi5 13.1.3): each objective has an
/// id (an absolute IRI, unique among objectives), then a title and a description in
/// either order (`xs:all`), and nothing else.
pub(super) fn objective_definitions(el: &Child, scope: &mut Scope) -> Result<(), ManifestError> {
    xml::known_attributes(el.node, &el.loc, &[])?;
    let mut sequence = Sequence::new(OBJECTIVES);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &["objective"])? {
        match child.name_in(NAMESPACE) {
            Some("objective") => sequence.take(&child)?,
            Some(_) => return Err(unknown(&child, "objective")),
            None => {
                extension(&child, &mut sequence)?;
                continue;
            }
        }
        only_attributes(&child, &["id"])?;
        let at = child.loc.attr("id");
        let id = id_iri(xml::attr(child.node, "id"), &at)?;
        if let Some(first) = scope.objectives.get(&id) {
            return Err(at.error(format!(
                "{id} is already the id of {first}; objective ids must be unique \
                 in the course structure (cmi5 13.1.3.0-1)"
            )));
        }
        let (mut title, mut description) = (None, None);
        for part in xml::children(child.node, &child.loc, NAMESPACE, &[])? {
            match part.name_in(NAMESPACE) {
                Some("title") => xml::once(&mut title, lang_string(&part)?, &part.loc)?,
                Some("description") => xml::once(&mut description, lang_string(&part)?, &part.loc)?,
                _ => {
                    return Err(part.loc.error(format!(
                        "{} is not allowed in an objective: the XSD gives it a title and a \
                         description and nothing else",
                        part.name
                    )));
                }
            }
        }
        required(title, &child.loc, "title")?;
        required(description, &child.loc, "description")?;
        scope.objectives.insert(id, child.loc.to_string());
    }
    sequence.finish(&el.loc)
}

/// A block's or AU's `<objectives>` (`referencesObjectivesType`): empty `objective`
/// elements whose `idref` names an objective of the course's `<objectives>`.
pub(super) fn objective_references(el: &Child, scope: &Scope) -> Result<(), ManifestError> {
    xml::known_attributes(el.node, &el.loc, &[])?;
    let mut sequence = Sequence::new(OBJECTIVES);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &["objective"])? {
        match child.name_in(NAMESPACE) {
            Some("objective") => sequence.take(&child)?,
            Some(_) => return Err(unknown(&child, "objective")),
            None => {
                extension(&child, &mut sequence)?;
                continue;
            }
        }
        only_attributes(&child, &["idref"])?;
        if let Some(inner) = xml::children(child.node, &child.loc, NAMESPACE, &[])?.first() {
            return Err(inner.loc.error(
                "is not allowed: an objective reference is an empty element with an idref",
            ));
        }
        let at = child.loc.attr("idref");
        let idref = xml::iri(xml::attr(child.node, "idref"), &at)?;
        if !scope.objectives.contains_key(&idref) {
            return Err(at.error(format!(
                "{idref} names no objective; define it in courseStructure/objectives first"
            )));
        }
    }
    sequence.finish(&el.loc)
}

/// Refuses every attribute but `allowed`, namespaced ones too: the XSD's objective
/// types have no `xs:anyAttribute`.
fn only_attributes(el: &Child, allowed: &[&str]) -> Result<(), ManifestError> {
    match el
        .node
        .attributes()
        .find(|a| a.namespace().is_some() || !allowed.contains(&a.name()))
    {
        None => Ok(()),
        Some(other) => Err(el.loc.attr(other.name()).error(format!(
            "is not an attribute of this element; the only one is {}",
            allowed.join(", ")
        ))),
    }
}
