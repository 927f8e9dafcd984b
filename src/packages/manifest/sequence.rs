//! The element order and counts of an XSD `xs:sequence`, checked as children are read.
//! cmi5 14.0 has a course package conform to `CourseStructure.xsd`, whose complex types
//! are sequences of elements (some optional, some repeated, one a choice of `au` or
//! `block`) ending with `xs:any namespace="##other"`: extensions come last.

use super::model::ManifestError;
use super::xml::{Child, Loc};

/// One position of a sequence: the element names it takes and how many times.
pub struct Slot {
    names: &'static [&'static str],
    min: usize,
    many: bool,
}

/// Exactly once.
pub const fn one(name: &'static [&'static str]) -> Slot {
    Slot {
        names: name,
        min: 1,
        many: false,
    }
}

/// At most once (`minOccurs="0"`).
pub const fn optional(name: &'static [&'static str]) -> Slot {
    Slot {
        names: name,
        min: 0,
        many: false,
    }
}

/// Once or more (`maxOccurs="unbounded"`), in any mix of the names (`xs:choice`).
pub const fn some(names: &'static [&'static str]) -> Slot {
    Slot {
        names,
        min: 1,
        many: true,
    }
}

/// Where a parent's children have got to in its sequence.
pub struct Sequence<'s> {
    slots: &'s [Slot],
    /// The slot the last element filled.
    at: usize,
    /// How many elements each slot has taken.
    counts: Vec<usize>,
    /// An extension element was seen: the sequence is over.
    ended: bool,
}

impl<'s> Sequence<'s> {
    pub fn new(slots: &'s [Slot]) -> Self {
        Self {
            slots,
            at: 0,
            counts: vec![0; slots.len()],
            ended: false,
        }
    }

    /// The XSD's order, for messages: `title, description, objectives?, url, ...`.
    pub fn order(&self) -> String {
        let shown: Vec<String> = self
            .slots
            .iter()
            .map(|slot| {
                let names = slot.names.join(" | ");
                let names = if slot.names.len() > 1 {
                    format!("({names})")
                } else {
                    names
                };
                match (slot.min, slot.many) {
                    (0, false) => format!("{names}?"),
                    (_, true) => format!("{names}+"),
                    _ => names,
                }
            })
            .collect();
        format!("{}, then extension elements", shown.join(", "))
    }

    fn rule(&self) -> String {
        format!(
            "the XSD (cmi5 14.0, CourseStructure.xsd) orders these elements: {}",
            self.order()
        )
    }

    /// The first slot from the current one up to `to` that still needs an element.
    fn unfilled(&self, to: usize) -> Option<&'static str> {
        (self.at..to)
            .find(|&i| self.counts[i] < self.slots[i].min)
            .map(|i| self.slots[i].names[0])
    }

    /// Takes a cmi5 element, refusing it when it is out of order or one too many.
    /// Names that are in no slot are the caller's to refuse beforehand.
    pub fn take(&mut self, child: &Child) -> Result<(), ManifestError> {
        let name = child.name;
        if self.ended {
            return Err(child.loc.error(format!(
                "{name} comes after an extension element, but extensions go last; {}",
                self.rule()
            )));
        }
        let Some(slot) = self.slots.iter().position(|s| s.names.contains(&name)) else {
            return Err(child
                .loc
                .error(format!("{name} has no place here; {}", self.rule())));
        };
        let repeat = self.counts[slot] > 0 && !self.slots[slot].many;
        if repeat {
            return Err(child
                .loc
                .error("appears more than once; only one is allowed here"));
        }
        if slot < self.at {
            let later = self.slots[self.at].names[0];
            return Err(child.loc.error(format!(
                "{name} is out of order: it must come before {later}; {}",
                self.rule()
            )));
        }
        if let Some(missing) = self.unfilled(slot) {
            return Err(child.loc.error(format!(
                "{name} comes before {missing}, which is required and goes first; {}",
                self.rule()
            )));
        }
        self.at = slot;
        self.counts[slot] += 1;
        Ok(())
    }

    /// Takes an element of another namespace: the sequence's trailing `xs:any`.
    pub fn extension(&mut self, child: &Child) -> Result<(), ManifestError> {
        if !self.ended
            && let Some(missing) = self.unfilled(self.slots.len())
        {
            return Err(child.loc.error(format!(
                "this extension element comes before {missing}, which is required; extensions go last; {}",
                self.rule()
            )));
        }
        self.ended = true;
        Ok(())
    }

    /// Refuses a sequence that ended before its required elements.
    pub fn finish(&self, parent: &Loc) -> Result<(), ManifestError> {
        if self.ended {
            return Ok(());
        }
        let missing = (self.at..self.slots.len()).find(|&i| self.counts[i] < self.slots[i].min);
        match missing.map(|i| self.slots[i].names) {
            None => Ok(()),
            Some([name]) => Err(parent.child(name).error("is required")),
            Some(names) => Err(parent.error(format!("needs at least one {}", names.join(" or ")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::manifest::xml;

    const AU: &[Slot] = &[
        one(&["title"]),
        one(&["description"]),
        optional(&["objectives"]),
        one(&["url"]),
        optional(&["launchParameters"]),
    ];

    /// Runs `xml`'s children (in namespace `urn:c`, others are extensions) through `AU`.
    fn run(body: &str) -> Result<(), ManifestError> {
        let text = format!(r#"<au xmlns="urn:c" xmlns:x="urn:x">{body}</au>"#);
        let doc = xml::open(&text).unwrap();
        let at = Loc::root("au");
        let mut sequence = Sequence::new(AU);
        for child in xml::children(doc.root_element(), &at, "urn:c", &[])? {
            if child.name_in("urn:c").is_some() {
                sequence.take(&child)?;
            } else {
                sequence.extension(&child)?;
            }
        }
        sequence.finish(&at)
    }

    #[test]
    fn elements_in_the_xsd_order_pass_with_optional_ones_left_out() {
        run("<title/><description/><url/>").unwrap();
        run("<title/><description/><objectives/><url/><launchParameters/><x:e/><x:f/>").unwrap();
    }

    #[test]
    fn an_element_before_a_required_one_is_refused_naming_both() {
        let error = run("<url/><title/><description/>").unwrap_err();
        assert_eq!(error.path, "au/url");
        assert!(error.rule.starts_with("url comes before title"), "{error}");
        assert!(
            error.rule.contains("title, description, objectives?, url"),
            "{error}"
        );
    }

    #[test]
    fn an_element_after_a_later_one_is_out_of_order() {
        let error = run("<title/><description/><url/><objectives/>").unwrap_err();
        assert_eq!(error.path, "au/objectives");
        assert!(
            error
                .rule
                .starts_with("objectives is out of order: it must come before url"),
            "{error}"
        );
    }

    #[test]
    fn a_single_element_twice_is_refused() {
        let error = run("<title/><title/><description/><url/>").unwrap_err();
        assert_eq!(error.path, "au/title[2]");
        assert!(error.rule.starts_with("appears more than once"), "{error}");
    }

    #[test]
    fn a_missing_required_element_is_named_at_the_end() {
        let error = run("<title/><description/>").unwrap_err();
        assert_eq!(error.path, "au/url");
        assert_eq!(error.rule, "is required");
    }

    #[test]
    fn extensions_go_last() {
        let error = run("<title/><x:e/><description/><url/>").unwrap_err();
        assert_eq!(error.path, "au/x:e");
        assert!(error.rule.contains("comes before description"), "{error}");
        let error = run("<title/><description/><url/><x:e/><launchParameters/>").unwrap_err();
        assert_eq!(error.path, "au/launchParameters");
        assert!(error.rule.contains("extensions go last"), "{error}");
    }

    #[test]
    fn a_choice_takes_any_mix_of_its_names_and_needs_one() {
        const COURSE: &[Slot] = &[one(&["course"]), some(&["au", "block"])];
        let text = r#"<r xmlns="urn:c"><course/><au/><block/><au/></r>"#;
        let doc = xml::open(text).unwrap();
        let at = Loc::root("r");
        let mut sequence = Sequence::new(COURSE);
        for child in xml::children(doc.root_element(), &at, "urn:c", &[]).unwrap() {
            sequence.take(&child).unwrap();
        }
        sequence.finish(&at).unwrap();
        let mut only_course = Sequence::new(COURSE);
        only_course.counts[0] = 1;
        let error = only_course.finish(&at).unwrap_err();
        assert_eq!(
            (error.path.as_str(), error.rule.as_str()),
            ("r", "needs at least one au or block")
        );
    }
}
