//! Certification programs for the benches, built from the program model
//! (`certification::program::model`) and stored as an import would store them: five
//! belts from white to black over two courses, each tier needing the one below, with
//! AU and course standings (some with a minimum score) and, at the top, a statement
//! pattern among at-least-2-of.

use blackbelt::certification::program::model::{
    AtLeast, Belt, Program, ProgramInfo, Requirement, Standing, StatementPattern,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

/// A course and the ids (IRIs, as in its cmi5.xml) of the AUs the belts name.
pub struct CourseIds {
    pub course: String,
    pub aus: Vec<String>,
}

impl CourseIds {
    /// `https://blackbelt.example/courses/<slug>` and its AUs `…/au/<au>`, as the
    /// packages in `packages/` name them.
    pub fn shipped(slug: &str, aus: &[&str]) -> CourseIds {
        let course = format!("https://blackbelt.example/courses/{slug}");
        CourseIds {
            aus: aus.iter().map(|au| format!("{course}/au/{au}")).collect(),
            course,
        }
    }
}

/// The verb of the top belt's statement pattern ("posts shared"), sent by no bench.
pub const SHARED: &str = "http://adlnet.gov/expapi/verbs/shared";

fn au(id: &str, min_score: Option<f64>) -> Requirement {
    Requirement::Au(standing(id, min_score))
}

fn standing(id: &str, min_score: Option<f64>) -> Standing {
    Standing {
        id: id.to_owned(),
        min_score,
        within_months: None,
    }
}

fn belt(id: &str, name: &str, colour: &str, requires: Requirement, validity: Option<u32>) -> Belt {
    Belt {
        id: id.to_owned(),
        name: name.to_owned(),
        colour: colour.to_owned(),
        description: format!("The {name} of the bench program."),
        audiences: vec!["all-employees".to_owned()],
        requires,
        validity_months: validity,
        grace_days: if validity.is_some() { 30 } else { 0 },
        recertify: None,
    }
}

/// Five belts over `first` and `second` (2 AUs of each):
/// - white: the first course's AU 0 satisfied;
/// - yellow: white, and AU 1 satisfied with a score of at least 0.7;
/// - green: yellow, and the first course satisfied;
/// - brown: green, and the second course's AU 0 with a score of at least 0.8;
/// - black: brown, and 2 of: the second course's AU 1, the second course, 3 statements
///   with the verb [`SHARED`] in 90 days.
pub fn five_belts(program_id: &str, first: &CourseIds, second: &CourseIds) -> Program {
    let belt_req = |id: &str| Requirement::Belt(id.to_owned());
    Program {
        program: ProgramInfo {
            id: program_id.to_owned(),
            name: "Bench program".to_owned(),
            description: "Five belts over two courses, for the benchmarks.".to_owned(),
        },
        belts: vec![
            belt(
                "white",
                "White belt",
                "#ffffff",
                au(&first.aus[0], None),
                None,
            ),
            belt(
                "yellow",
                "Yellow belt",
                "#ffd700",
                Requirement::AllOf(vec![belt_req("white"), au(&first.aus[1], Some(0.7))]),
                Some(24),
            ),
            belt(
                "green",
                "Green belt",
                "#2e8b57",
                Requirement::AllOf(vec![
                    belt_req("yellow"),
                    Requirement::Course(standing(&first.course, None)),
                ]),
                Some(24),
            ),
            belt(
                "brown",
                "Brown belt",
                "#8b4513",
                Requirement::AllOf(vec![belt_req("green"), au(&second.aus[0], Some(0.8))]),
                Some(12),
            ),
            belt(
                "black",
                "Black belt",
                "#000000",
                Requirement::AllOf(vec![
                    belt_req("brown"),
                    Requirement::AtLeast(AtLeast {
                        n: 2,
                        of: vec![
                            au(&second.aus[1], None),
                            Requirement::Course(standing(&second.course, None)),
                            Requirement::Statements(StatementPattern {
                                label: "3 posts shared".to_owned(),
                                verb: Some(SHARED.to_owned()),
                                activity: None,
                                activity_type: None,
                                min_count: 3,
                                within_days: Some(90),
                            }),
                        ],
                    }),
                ]),
                Some(12),
            ),
        ],
    }
}

/// Stores `program` as version 1, as an import of its file would.
pub async fn store(conn: &impl ConnectionTrait, program: &Program) {
    let definition: Value = serde_json::to_value(program).expect("program JSON");
    let hash = blackbelt::packages::digest::sha256_hex(definition.to_string().as_bytes());
    entities::cert_program::ActiveModel {
        program_id: Set(program.program.id.clone()),
        version: Set(1),
        content_hash: Set(hash),
        name: Set(program.program.name.clone()),
        definition: Set(definition),
        imported_us: Set(jiff::Timestamp::now().as_microsecond()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .expect("program stored");
}
