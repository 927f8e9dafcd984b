//! The course structure both manifest formats parse into. It is stored as JSON in the
//! database and read back, so every type round-trips through serde (camelCase names,
//! cmi5's own spellings for enum values).
//! Spec: cmi5 13.1 Course Structure Data Model.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Text in several languages, in document order: `(language tag, text)` pairs.
///
/// A list rather than a map so the author's order survives (the first entry is the
/// fallback); serialized as an xAPI language map (`{"en-US": "..."}`) because that is
/// what the catalog and xAPI activity definitions hand out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LangString(pub Vec<(String, String)>);

impl LangString {
    /// The text to show a reader who prefers `preferred`: the exact tag, else one with
    /// the same primary language (`en` for `en-GB`), else the first. Tags compare
    /// case-insensitively, as RFC 5646 says they do.
    pub fn best(&self, preferred: &str) -> Option<&str> {
        let primary = |tag: &str| {
            tag.split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let wanted = primary(preferred);
        self.0
            .iter()
            .find(|(lang, _)| lang.eq_ignore_ascii_case(preferred))
            .or_else(|| self.0.iter().find(|(lang, _)| primary(lang) == wanted))
            .or_else(|| self.0.first())
            .map(|(_, text)| text.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for LangString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (lang, text) in &self.0 {
            map.serialize_entry(lang, text)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for LangString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Keeps the entries in the order they are read, which a map type would not.
        struct LanguageMap;
        impl<'de> Visitor<'de> for LanguageMap {
            type Value = LangString;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a language map from language tags to text")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LangString, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(LangString(entries))
            }
        }
        deserializer.deserialize_map(LanguageMap)
    }
}

/// How the LMS may open the AU (cmi5 13.1.4 `launchMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LaunchMethod {
    /// The AU does not care: frameset, new window or redirect are all fine.
    #[default]
    AnyWindow,
    /// A new window, or a redirect of the current one.
    OwnWindow,
}

impl LaunchMethod {
    /// The value of a cmi5 `launchMethod` attribute, spelled exactly as the spec does.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "AnyWindow" => Some(Self::AnyWindow),
            "OwnWindow" => Some(Self::OwnWindow),
            _ => None,
        }
    }
}

/// What satisfies an AU (cmi5 13.1.4 `moveOn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MoveOn {
    Passed,
    Completed,
    CompletedAndPassed,
    CompletedOrPassed,
    /// Satisfied without any statement; the spec's default.
    #[default]
    NotApplicable,
}

impl MoveOn {
    /// The value of a cmi5 `moveOn` attribute, spelled exactly as the spec does.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "Passed" => Some(Self::Passed),
            "Completed" => Some(Self::Completed),
            "CompletedAndPassed" => Some(Self::CompletedAndPassed),
            "CompletedOrPassed" => Some(Self::CompletedOrPassed),
            "NotApplicable" => Some(Self::NotApplicable),
            _ => None,
        }
    }
}

/// One assignable unit: something a learner launches (cmi5 13.1.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Au {
    /// Absolute IRI, unique within the course; the xAPI activity id of the AU.
    pub id: String,
    pub title: LangString,
    #[serde(default)]
    pub description: LangString,
    /// Relative to the package root, or absolute; query values merge into the launch.
    pub url: String,
    #[serde(default)]
    pub launch_method: LaunchMethod,
    #[serde(default)]
    pub move_on: MoveOn,
    /// Scaled score in [0, 1] handed to the AU in its launch data.
    #[serde(default, deserialize_with = "number_inside_tagged_enum")]
    pub mastery_score: Option<f64>,
    #[serde(default)]
    pub launch_parameters: Option<String>,
    #[serde(default)]
    pub entitlement_key: Option<String>,
    #[serde(default)]
    pub activity_type: Option<String>,
}

/// A group of AUs and blocks, satisfied when all of its members are (cmi5 13.1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    pub id: String,
    pub title: LangString,
    #[serde(default)]
    pub description: LangString,
    pub children: Vec<Node>,
}

/// An AU is read through the internally tagged [`Node`], which buffers its fields; with
/// serde_json's `arbitrary_precision` (statements keep their numbers' text) a buffered
/// number is a one-entry map that only `Value` understands, not `f64`.
fn number_inside_tagged_enum<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a number, got {value}"))),
    }
}

/// A member of a course or block, in document order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Node {
    Au(Au),
    Block(Block),
}

/// Which manifest the course came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Cmi5,
    TinCan,
}

/// A whole course structure, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Course {
    pub id: String,
    pub title: LangString,
    #[serde(default)]
    pub description: LangString,
    /// Who the course is for (e.g. `executives`), from our cmi5 extension element.
    #[serde(default)]
    pub audiences: Vec<String>,
    pub format: Format,
    pub children: Vec<Node>,
}

impl Course {
    /// Every AU, depth first in document order (the order a learner meets them).
    pub fn aus(&self) -> Vec<&Au> {
        let mut out = Vec::new();
        walk(&self.children, &mut |node| {
            if let Node::Au(au) = node {
                out.push(au);
            }
        });
        out
    }

    /// Every block, depth first in document order (a parent before its children).
    pub fn blocks(&self) -> Vec<&Block> {
        let mut out = Vec::new();
        walk(&self.children, &mut |node| {
            if let Node::Block(block) = node {
                out.push(block);
            }
        });
        out
    }
}

fn walk<'a>(nodes: &'a [Node], visit: &mut impl FnMut(&'a Node)) {
    for node in nodes {
        visit(node);
        if let Node::Block(block) = node {
            walk(&block.children, visit);
        }
    }
}

/// A manifest that cannot be imported: where (an XPath-like location such as
/// `courseStructure/au[2]/@masteryScore`) and which rule it breaks, in words an author
/// can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {rule}")]
pub struct ManifestError {
    pub path: String,
    pub rule: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(pairs: &[(&str, &str)]) -> LangString {
        LangString(
            pairs
                .iter()
                .map(|(l, t)| (l.to_string(), t.to_string()))
                .collect(),
        )
    }

    fn au(id: &str) -> Node {
        Node::Au(Au {
            id: id.into(),
            title: langs(&[("en", id)]),
            description: LangString::default(),
            url: "a.html".into(),
            launch_method: LaunchMethod::OwnWindow,
            move_on: MoveOn::CompletedOrPassed,
            mastery_score: Some(0.75),
            launch_parameters: Some("x=1".into()),
            entitlement_key: None,
            activity_type: Some("http://adlnet.gov/expapi/activities/media".into()),
        })
    }

    fn block(id: &str, children: Vec<Node>) -> Node {
        Node::Block(Block {
            id: id.into(),
            title: langs(&[("en", id)]),
            description: langs(&[("en", "d")]),
            children,
        })
    }

    fn course() -> Course {
        Course {
            id: "urn:c".into(),
            title: langs(&[("en-US", "Course"), ("de-DE", "Kurs")]),
            description: LangString::default(),
            audiences: vec!["executives".into()],
            format: Format::Cmi5,
            children: vec![
                au("urn:a1"),
                block(
                    "urn:b1",
                    vec![au("urn:a2"), block("urn:b2", vec![au("urn:a3")])],
                ),
                au("urn:a4"),
            ],
        }
    }

    #[test]
    fn best_prefers_the_exact_tag_ignoring_case() {
        let text = langs(&[("en", "plain"), ("en-GB", "British"), ("en-US", "American")]);
        assert_eq!(text.best("en-us"), Some("American"));
    }

    #[test]
    fn best_falls_back_to_the_same_primary_language() {
        let text = langs(&[("de-DE", "Kurs"), ("en-US", "Course")]);
        assert_eq!(text.best("en-GB"), Some("Course"));
        assert_eq!(text.best("en"), Some("Course"));
    }

    #[test]
    fn best_falls_back_to_the_first_entry_then_none() {
        assert_eq!(
            langs(&[("fr", "Cours"), ("de", "Kurs")]).best("ja"),
            Some("Cours")
        );
        assert_eq!(LangString::default().best("en"), None);
    }

    #[test]
    fn lang_string_serializes_as_a_language_map_in_document_order() {
        let text = langs(&[("fr", "Cours"), ("de", "Kurs")]);
        assert_eq!(
            serde_json::to_string(&text).unwrap(),
            r#"{"fr":"Cours","de":"Kurs"}"#
        );
        let back: LangString = serde_json::from_str(r#"{"fr":"Cours","de":"Kurs"}"#).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn enums_serialize_as_their_cmi5_names() {
        let json =
            serde_json::to_value((MoveOn::CompletedAndPassed, LaunchMethod::OwnWindow)).unwrap();
        assert_eq!(json, serde_json::json!(["CompletedAndPassed", "OwnWindow"]));
        assert_eq!(serde_json::to_value(Format::TinCan).unwrap(), "tincan");
        assert_eq!(serde_json::to_value(Format::Cmi5).unwrap(), "cmi5");
        assert_eq!(MoveOn::from_name("Passed"), Some(MoveOn::Passed));
        assert_eq!(MoveOn::from_name("passed"), None);
        assert_eq!(
            LaunchMethod::from_name("OwnWindow"),
            Some(LaunchMethod::OwnWindow)
        );
        assert_eq!(MoveOn::default(), MoveOn::NotApplicable);
        assert_eq!(LaunchMethod::default(), LaunchMethod::AnyWindow);
    }

    #[test]
    fn course_round_trips_through_json() {
        let course = course();
        let json = serde_json::to_string(&course).unwrap();
        let back: Course = serde_json::from_str(&json).unwrap();
        assert_eq!(back, course);
    }

    #[test]
    fn course_json_uses_camel_case_and_kind_tags() {
        let json = serde_json::to_value(course()).unwrap();
        assert_eq!(json["children"][0]["kind"], "au");
        assert_eq!(json["children"][0]["moveOn"], "CompletedOrPassed");
        assert_eq!(json["children"][0]["launchMethod"], "OwnWindow");
        assert_eq!(json["children"][0]["masteryScore"], 0.75);
        assert_eq!(json["children"][0]["launchParameters"], "x=1");
        assert_eq!(json["children"][1]["kind"], "block");
        assert_eq!(json["title"]["de-DE"], "Kurs");
        assert_eq!(json["format"], "cmi5");
    }

    #[test]
    fn aus_and_blocks_are_listed_depth_first_in_document_order() {
        let course = course();
        let aus: Vec<&str> = course.aus().iter().map(|a| a.id.as_str()).collect();
        assert_eq!(aus, ["urn:a1", "urn:a2", "urn:a3", "urn:a4"]);
        let blocks: Vec<&str> = course.blocks().iter().map(|b| b.id.as_str()).collect();
        assert_eq!(blocks, ["urn:b1", "urn:b2"]);
    }

    #[test]
    fn manifest_error_displays_path_then_rule() {
        let error = ManifestError {
            path: "courseStructure/au[2]/@masteryScore".into(),
            rule: "must be a decimal from 0 to 1".into(),
        };
        assert_eq!(
            error.to_string(),
            "courseStructure/au[2]/@masteryScore: must be a decimal from 0 to 1"
        );
    }
}
