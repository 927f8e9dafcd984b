//! JSON paths for error messages, built lazily so valid statements pay nothing.

use std::fmt;

/// A location inside the request body, rendered like `$.object.definition.name`.
#[derive(Clone, Copy)]
pub struct JsonPath<'a> {
    parent: Option<&'a JsonPath<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root(&'a str),
    Key(&'a str),
    Index(usize),
}

impl<'a> JsonPath<'a> {
    /// The root of a document; `name` is `$` for a single body, `$[3]` for a batch item.
    pub fn root(name: &'a str) -> Self {
        JsonPath {
            parent: None,
            segment: Segment::Root(name),
        }
    }

    pub fn key(&'a self, key: &'a str) -> JsonPath<'a> {
        JsonPath {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    pub fn index(&'a self, index: usize) -> JsonPath<'a> {
        JsonPath {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.segment {
            Segment::Root(name) => f.write_str(name),
            Segment::Key(key) => write!(f, ".{key}"),
            Segment::Index(index) => write!(f, "[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_and_indexes_in_order() {
        let root = JsonPath::root("$");
        let context = root.key("context");
        let parents = context.key("parent");
        let first = parents.index(0);
        assert_eq!(first.key("id").to_string(), "$.context.parent[0].id");
    }
}
