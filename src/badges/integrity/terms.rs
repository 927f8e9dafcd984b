//! The terms a document's `@context` defines, read from the contexts themselves (every
//! scope merged): what the safe-mode guard needs to tell a defined property from one
//! JSON-LD would silently drop.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::contexts::Loader;
use crate::error::Error;

/// What a term maps to.
#[derive(Default, Debug)]
pub struct Def {
    /// The IRIs it expands to (one per scope that defines it; usually one).
    pub iris: HashSet<String>,
    /// `@type: @json`: its value is one literal, not a node to look into.
    pub json: bool,
    /// `@container: @list`: its values are list items, not direct objects.
    pub list: bool,
}

#[derive(Default, Debug)]
pub struct Terms {
    defs: HashMap<String, Def>,
    /// Terms aliasing a keyword (`id` → `@id`, `type` → `@type`).
    keywords: HashMap<String, String>,
    /// A top-level `@vocab` maps every other key to an IRI.
    vocab: Option<String>,
}

impl Terms {
    /// The terms of `document`'s `@context`.
    pub fn of(document: &Value, loader: &Loader) -> Result<Terms, Error> {
        let mut terms = Terms::default();
        terms.add(&document["@context"], loader, true, 0)?;
        terms.resolve();
        Ok(terms)
    }

    /// The keyword `key` stands for, if any (`@id`, `@type`, …).
    pub fn keyword<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        if key.starts_with('@') {
            return Some(key);
        }
        self.keywords.get(key).map(String::as_str)
    }

    /// The definition of `key`; a term `@vocab` covers has its vocabulary IRI.
    pub fn def(&self, key: &str) -> Option<Def> {
        match (self.defs.get(key), &self.vocab) {
            (Some(def), _) => Some(Def {
                iris: def.iris.clone(),
                json: def.json,
                list: def.list,
            }),
            (None, Some(vocab)) => Some(Def {
                iris: HashSet::from([format!("{vocab}{key}")]),
                ..Def::default()
            }),
            (None, None) => None,
        }
    }

    fn add(&mut self, context: &Value, loader: &Loader, top: bool, depth: u8) -> Result<(), Error> {
        // Contexts nest through scoped definitions only; a cycle would be a broken bundle.
        if depth > 16 {
            return Err(Error::Internal("JSON-LD contexts nest too deeply".into()));
        }
        match context {
            Value::String(url) => {
                let document = loader.get(url)?;
                self.add(&document["@context"], loader, top, depth + 1)
            }
            Value::Array(items) => items
                .iter()
                .try_for_each(|c| self.add(c, loader, top, depth + 1)),
            Value::Object(map) => self.add_object(map, loader, top, depth),
            _ => Ok(()),
        }
    }

    fn add_object(
        &mut self,
        map: &Map<String, Value>,
        loader: &Loader,
        top: bool,
        depth: u8,
    ) -> Result<(), Error> {
        if let (true, Some(vocab)) = (top, map.get("@vocab").and_then(Value::as_str)) {
            self.vocab = Some(vocab.to_owned());
        }
        for (term, value) in map.iter().filter(|(k, _)| !k.starts_with('@')) {
            let (id, definition) = match value {
                Value::String(id) => (Some(id.as_str()), None),
                Value::Object(def) => (def.get("@id").and_then(Value::as_str), Some(def)),
                _ => (None, None),
            };
            if let Some(keyword) = id.filter(|id| id.starts_with('@')) {
                self.keywords.insert(term.clone(), keyword.to_owned());
                continue;
            }
            let def = self.defs.entry(term.clone()).or_default();
            if let Some(id) = id {
                def.iris.insert(id.to_owned());
            }
            if let Some(definition) = definition {
                def.json |= definition.get("@type").and_then(Value::as_str) == Some("@json");
                def.list |= match definition.get("@container") {
                    Some(Value::String(c)) => c == "@list",
                    Some(Value::Array(cs)) => cs.iter().any(|c| c == "@list"),
                    _ => false,
                };
                if let Some(scoped) = definition.get("@context") {
                    self.add(scoped, loader, false, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// Expands compact IRIs (`prefix:suffix`) and terms aliasing other terms.
    fn resolve(&mut self) {
        let single = |defs: &HashMap<String, Def>, term: &str| -> Option<String> {
            let def = defs.get(term)?;
            (def.iris.len() == 1).then(|| def.iris.iter().next().cloned())?
        };
        let mut expanded: Vec<(String, String, String)> = vec![];
        for (term, def) in &self.defs {
            for iri in &def.iris {
                let full = match iri.split_once(':') {
                    Some((prefix, rest)) if !rest.starts_with("//") => {
                        single(&self.defs, prefix).map(|p| format!("{p}{rest}"))
                    }
                    None => single(&self.defs, iri),
                    _ => None,
                };
                if let Some(full) = full {
                    expanded.push((term.clone(), iri.clone(), full));
                }
            }
        }
        for (term, old, new) in expanded {
            if let Some(def) = self.defs.get_mut(&term) {
                def.iris.remove(&old);
                def.iris.insert(new);
            }
        }
    }
}
