//! The safe-mode guard. VC Data Integrity requires that nothing in a document be left
//! out of what is signed, and JSON-LD processors drop what the `@context` does not define
//! (an unknown property, a relative `type`, a relative IRI) without a word. `oxjsonld`
//! has no "safe mode" like jsonld.js, so before signing (and when verifying) every
//! property and value of the JSON is matched against the RDF it produced; the first one
//! missing is an error naming its path.

use std::collections::{HashMap, HashSet};

use oxrdf::{Dataset, Term, vocab::rdf};
use serde_json::{Map, Value};

use super::terms::{Def, Terms};
use crate::error::Error;

/// The objects of every predicate, graphs merged.
struct Index(HashMap<String, Vec<Term>>);

impl Index {
    fn of(dataset: &Dataset) -> Index {
        let mut map: HashMap<String, Vec<Term>> = HashMap::new();
        for quad in dataset.iter() {
            map.entry(quad.predicate.as_str().to_owned())
                .or_default()
                .push(quad.object.into_owned());
        }
        Index(map)
    }

    fn objects<'a>(&'a self, predicates: &'a HashSet<String>) -> impl Iterator<Item = &'a Term> {
        predicates.iter().filter_map(|p| self.0.get(p)).flatten()
    }
}

/// Refuses `document` if any of its properties or values is missing from `dataset`.
pub fn check(document: &Value, dataset: &Dataset, terms: &Terms) -> Result<(), Error> {
    let index = Index::of(dataset);
    match document {
        Value::Object(map) => node(map, "", &index, terms),
        _ => Err(dropped("the document", "must be a JSON object")),
    }
}

fn node(map: &Map<String, Value>, path: &str, index: &Index, terms: &Terms) -> Result<(), Error> {
    // The node's own `id` first: when it is relative, JSON-LD drops the whole node.
    let (ids, rest): (Vec<_>, Vec<_>) = map
        .iter()
        .filter(|(k, _)| *k != "@context")
        .partition(|(k, _)| terms.keyword(k) == Some("@id"));
    for (key, value) in ids.into_iter().chain(rest) {
        let here = join(path, key);
        match terms.keyword(key) {
            Some("@id") => check_id(value, &here)?,
            Some("@type") => check_types(value, &here, index, terms)?,
            Some(_) => {}
            None => {
                let def = terms
                    .def(key)
                    .ok_or_else(|| dropped(&here, "is not defined by the document's @context"))?;
                for (i, item) in items(value) {
                    let at = i.map_or_else(|| here.clone(), |i| format!("{here}[{i}]"));
                    // Inside first, so a bad `id` is named rather than its parent's link.
                    // A value object (`@value`) is a literal, not a node.
                    if let (Value::Object(child), false) = (item, def.json)
                        && !child.contains_key("@value")
                    {
                        node(child, &at, index, terms)?;
                    }
                    check_value(item, &def, &at, index)?;
                }
            }
        }
    }
    Ok(())
}

fn check_id(value: &Value, path: &str) -> Result<(), Error> {
    match value.as_str() {
        Some(id) if id.starts_with("_:") || oxrdf::NamedNode::new(id).is_ok() => Ok(()),
        _ => Err(dropped(path, "must be an absolute IRI")),
    }
}

fn check_types(value: &Value, path: &str, index: &Index, terms: &Terms) -> Result<(), Error> {
    let predicates = HashSet::from([rdf::TYPE.as_str().to_owned()]);
    for (_, item) in items(value) {
        let Some(name) = item.as_str() else {
            return Err(dropped(path, "must be strings"));
        };
        let defined = terms.def(name).map(|d| d.iris).unwrap_or_default();
        let found = index.objects(&predicates).any(|object| match object {
            Term::NamedNode(n) => defined.contains(n.as_str()) || iri_names(n.as_str(), name),
            _ => false,
        });
        if !found {
            return Err(dropped(
                path,
                &format!("{name:?} is not a type the @context defines (a relative type)"),
            ));
        }
    }
    Ok(())
}

fn check_value(value: &Value, def: &Def, path: &str, index: &Index) -> Result<(), Error> {
    let mut objects = index.objects(&def.iris);
    let found = match value {
        Value::Null => return Ok(()),
        // Lists become rdf:first chains and JSON literals one canonical string: that the
        // property is there is what can be checked without redoing JSON-LD.
        _ if def.list || def.json => objects.next().is_some(),
        Value::String(text) => objects.any(|o| matches_text(o, text)),
        Value::Object(map) => match (map.get("@value"), map.get("id").or(map.get("@id"))) {
            (Some(Value::String(text)), _) => objects.any(|o| matches_text(o, text)),
            (_, Some(Value::String(id))) => {
                objects.any(|o| matches!(o, Term::NamedNode(n) if n.as_str() == id))
            }
            _ => objects.any(|o| matches!(o, Term::BlankNode(_) | Term::NamedNode(_))),
        },
        Value::Bool(b) => {
            objects.any(|o| matches!(o, Term::Literal(l) if l.value() == b.to_string()))
        }
        _ => objects.any(|o| matches!(o, Term::Literal(_))),
    };
    match found {
        true => Ok(()),
        false => Err(dropped(
            path,
            "has a value JSON-LD leaves out (a relative IRI, or a term the @context does not define)",
        )),
    }
}

/// A string value becomes a literal, an IRI, or a vocabulary term ending in it.
fn matches_text(object: &Term, text: &str) -> bool {
    match object {
        Term::Literal(l) => l.value() == text,
        Term::NamedNode(n) => n.as_str() == text || iri_names(n.as_str(), text),
        _ => false,
    }
}

fn iri_names(iri: &str, name: &str) -> bool {
    iri.strip_suffix(name)
        .is_some_and(|head| head.ends_with('#') || head.ends_with('/'))
}

/// The items of a value: itself, or each element of an array with its index.
fn items(value: &Value) -> Vec<(Option<usize>, &Value)> {
    match value {
        Value::Array(list) => list.iter().enumerate().map(|(i, v)| (Some(i), v)).collect(),
        other => vec![(None, other)],
    }
}

fn join(path: &str, key: &str) -> String {
    match path {
        "" => key.to_owned(),
        _ => format!("{path}.{key}"),
    }
}

fn dropped(path: &str, rule: &str) -> Error {
    Error::BadRequest(format!(
        "Data Integrity (safe mode): {path} {rule}, so it would not be signed"
    ))
}
