//! Programs as the API and the CLI show them: each belt in a line, its requirements in
//! words.

use poem_openapi::Object;
use serde::Serialize;

use super::model::{Belt, Program, Requirement};
use entities::cert_program;

/// A stored program version, its belts summarised.
#[derive(Debug, Clone, Serialize, Object)]
#[serde(rename_all = "camelCase")]
#[oai(rename_all = "camelCase")]
pub struct ProgramSummary {
    /// The program's id.
    pub id: String,
    pub name: String,
    pub description: String,
    /// 1 for the first import, +1 for each changed re-import.
    pub version: i32,
    /// SHA-256 of the normalised definition.
    pub content_hash: String,
    /// When this version was imported (RFC 3339).
    pub imported_at: String,
    /// The belts, lowest tier first.
    pub belts: Vec<BeltSummary>,
}

/// One belt in a line.
#[derive(Debug, Clone, Serialize, Object)]
#[serde(rename_all = "camelCase")]
#[oai(
    rename = "ProgramBelt",
    rename_all = "camelCase",
    skip_serializing_if_is_none
)]
pub struct BeltSummary {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// 1 for the lowest tier.
    pub tier: u32,
    pub audiences: Vec<String>,
    /// Months an award is valid; absent: it never expires.
    pub validity_months: Option<u32>,
    pub grace_days: u32,
    /// True when the belt has its own recertification requirements.
    pub recertify: bool,
    /// The requirements in words.
    pub requires: String,
}

pub fn summary(row: &cert_program::Model, program: &Program) -> ProgramSummary {
    ProgramSummary {
        id: row.program_id.clone(),
        name: row.name.clone(),
        description: program.program.description.clone(),
        version: row.version,
        content_hash: row.content_hash.clone(),
        imported_at: rfc3339(row.imported_us),
        belts: belts(program),
    }
}

pub fn belts(program: &Program) -> Vec<BeltSummary> {
    program
        .belts
        .iter()
        .enumerate()
        .map(|(i, b)| belt(i, b))
        .collect()
}

fn belt(index: usize, belt: &Belt) -> BeltSummary {
    BeltSummary {
        id: belt.id.clone(),
        name: belt.name.clone(),
        colour: belt.colour.clone(),
        tier: index as u32 + 1,
        audiences: belt.audiences.clone(),
        validity_months: belt.validity_months,
        grace_days: belt.grace_days,
        recertify: belt.recertify.is_some(),
        requires: words(&belt.requires),
    }
}

fn rfc3339(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The last path segment of an IRI, which is what people recognise.
fn short(iri: &str) -> &str {
    iri.trim_end_matches('/').rsplit('/').next().unwrap_or(iri)
}

/// A requirement in words: `all of (AU policy-essentials ≥ 0.8, belt white)`.
pub fn words(requirement: &Requirement) -> String {
    let list = |items: &[Requirement]| items.iter().map(words).collect::<Vec<_>>().join(", ");
    match requirement {
        Requirement::AllOf(items) => format!("all of ({})", list(items)),
        Requirement::AnyOf(items) => format!("any of ({})", list(items)),
        Requirement::AtLeast(a) => format!("at least {} of ({})", a.n, list(&a.of)),
        Requirement::Au(s) | Requirement::Course(s) => {
            let kind = if matches!(requirement, Requirement::Au(_)) {
                "AU"
            } else {
                "course"
            };
            let mut text = format!("{kind} {}", short(&s.id));
            if let Some(score) = s.min_score {
                text.push_str(&format!(" ≥ {score}"));
            }
            if let Some(months) = s.within_months {
                text.push_str(&format!(" within {months} months"));
            }
            text
        }
        Requirement::Belt(id) => format!("belt {id}"),
        Requirement::Evidence(e) => format!("evidence {:?} approved", e.id),
        Requirement::Statements(p) => {
            let mut text = format!("{} × {:?}", p.min_count, p.label);
            if let Some(days) = p.within_days {
                text.push_str(&format!(" within {days} days"));
            }
            text
        }
        Requirement::Attribute(a) => format!("{} is one of {}", a.name, a.any_of.join("|")),
    }
}
