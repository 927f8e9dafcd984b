//! A certification program as the program file states it (`packages/**/program.toml`):
//! ordered belts, each with requirements that compose with all-of / any-of /
//! at-least-n-of over standings, belts, evidence, statement patterns and attributes.
//! These types are the contract between the file, the import's validation, the
//! evaluator and the API; `packages/README.md` documents them field by field.

use serde::{Deserialize, Serialize};

/// The whole program file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub program: ProgramInfo,
    /// Belts from the lowest tier to the highest; the order is the tier order.
    #[serde(rename = "belt")]
    pub belts: Vec<Belt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramInfo {
    /// Stable id of the program (`[a-z0-9-]+`); a re-import with changes is its next version.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// One tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Belt {
    /// Stable id (`[a-z0-9-]+`), unique in the program, never reused with another meaning.
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    pub description: String,
    /// Who the belt is for (`executives`, `middle-managers`, `center-of-excellence`,
    /// `business-units`, `all-employees`, `partners`…); informative, the requirements
    /// decide.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// What earns the belt.
    pub requires: Requirement,
    /// Months a new award is valid; `None`: it never expires.
    #[serde(default)]
    pub validity_months: Option<u32>,
    /// Days after validity ends during which the belt is still held and can be renewed.
    #[serde(default)]
    pub grace_days: u32,
    /// What renews the belt: evaluated from `window_days` before validity ends to the end
    /// of grace. `None`: the belt's `requires`, met again within that window.
    #[serde(default)]
    pub recertify: Option<Recertify>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recertify {
    /// Days before `valid_until` from which renewal work counts.
    pub window_days: u32,
    pub requires: Requirement,
}

/// A requirement, written in TOML as a one-key table: `{ all_of = [...] }`,
/// `{ au = { id = "…", min_score = 0.8 } }`, `{ belt = "white" }`…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Requirement {
    AllOf(Vec<Requirement>),
    AnyOf(Vec<Requirement>),
    AtLeast(AtLeast),
    /// An AU satisfied (its cmi5 standing), by its AU id (IRI).
    Au(Standing),
    /// A course satisfied (its cmi5 standing), by its course id (IRI).
    Course(Standing),
    /// Another belt of the same program held (active).
    Belt(String),
    /// Evidence approved by a reviewer.
    Evidence(Evidence),
    /// Statements matching a pattern, from any authority.
    Statements(StatementPattern),
    /// A learner attribute given by the LMS or the API.
    Attribute(Attribute),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtLeast {
    pub n: u32,
    pub of: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standing {
    /// The AU's or course's id (IRI) as in its cmi5.xml.
    pub id: String,
    /// Minimum scaled score in [0, 1]; the standing must carry a score at least this.
    #[serde(default)]
    pub min_score: Option<f64>,
    /// Satisfied within the last N months (of the evaluation time).
    #[serde(default)]
    pub within_months: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Unique within the belt; submissions name it.
    pub id: String,
    pub title: String,
    /// What to submit and how it is judged.
    pub description: String,
    /// Which forms are accepted: `text`, `url`, `file`.
    #[serde(default = "all_evidence_kinds")]
    pub kinds: Vec<EvidenceKind>,
}

fn all_evidence_kinds() -> Vec<EvidenceKind> {
    vec![EvidenceKind::Text, EvidenceKind::Url, EvidenceKind::File]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Text,
    Url,
    File,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementPattern {
    /// A short label for people ("5 posts shared").
    pub label: String,
    /// Verb IRI.
    #[serde(default)]
    pub verb: Option<String>,
    /// Object activity id (IRI).
    #[serde(default)]
    pub activity: Option<String>,
    /// Object activity type (IRI), as the statement's object definition states it.
    #[serde(default)]
    pub activity_type: Option<String>,
    /// At least this many matching statements (default 1).
    #[serde(default = "one")]
    pub min_count: u32,
    /// Counted within the last N days (of the evaluation time).
    #[serde(default)]
    pub within_days: Option<u32>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// `audience`, `role` or `org_unit`.
    pub name: String,
    /// Met when the learner has any of these values.
    pub any_of: Vec<String>,
}
