//! The credential's `evidence`: what met the belt's requirements (the award's
//! `evidence` JSON, and the last renewal's), each as an OB `Evidence` with a name, a
//! description and a narrative. Nothing links to reviewed submissions or statements:
//! they are private to the organisation, so no `id` URL is given.

use serde_json::{Value, json};

use crate::certification::evidence::submission::evidence_requirements;
use crate::certification::program::model::{Belt, Program};

/// `Evidence` objects of what met the requirements; `renewal` (the date in words) marks
/// the items of a renewal.
pub fn evidence(program: &Program, belt: &Belt, met: &Value, renewal: Option<&str>) -> Vec<Value> {
    let items: Vec<&Value> = match met {
        Value::Array(list) => list.iter().collect(),
        Value::Object(map) if map.contains_key("manual") => vec![met],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|item| one(program, belt, item))
        .map(|mut e| {
            if let Some(date) = renewal {
                let name = e["name"].as_str().unwrap_or_default();
                e["name"] = json!(format!("{name} (renewal, {date})"));
            }
            e
        })
        .collect()
}

fn one(program: &Program, belt: &Belt, item: &Value) -> Option<Value> {
    let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default();
    if item.get("manual").is_some() {
        // The reason and the person stay private: they may name others.
        return Some(object(
            "Awarded by the issuer",
            "The issuer's staff awarded the belt after checking prior achievements.",
            "Awarded by a person at the issuer, not from recorded activity.",
            "Award",
        ));
    }
    match text("kind") {
        kind @ ("au" | "course") => {
            let what = if kind == "au" {
                "Learning module"
            } else {
                "Course"
            };
            let mut narrative = format!("Completed `{}`", text("object_id").replace('`', "'"));
            if let Some(score) = item.get("score").and_then(Value::as_f64) {
                narrative.push_str(&format!(" with a scaled score of {:.0}%", score * 100.0));
            }
            if !text("at").is_empty() {
                narrative.push_str(&format!(" ({})", date_of(text("at"))));
            }
            narrative.push('.');
            Some(object(
                &format!("{what} completed"),
                &format!("A {} the requirements name.", what.to_lowercase()),
                &narrative,
                "Assessment",
            ))
        }
        "belt" => {
            let id = text("belt");
            let name = program
                .belts
                .iter()
                .find(|b| b.id == id)
                .map_or(id, |b| b.name.as_str());
            Some(object(
                &format!("{name} held"),
                "A lower belt of the same program, held when this one was earned.",
                &format!("Held the {name} of {}.", program.program.name),
                "Certification",
            ))
        }
        "evidence" => {
            let id = text("requirement");
            let requirement = evidence_requirements(belt).into_iter().find(|e| e.id == id);
            let (title, description) =
                requirement.map_or((id, ""), |e| (e.title.as_str(), e.description.as_str()));
            let n = item
                .get("evidence_ids")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            Some(object(
                title,
                description,
                &format!(
                    "{} approved by a reviewer.",
                    if n == 1 {
                        "One submission".to_owned()
                    } else {
                        format!("{n} submissions")
                    }
                ),
                "Reviewed submission",
            ))
        }
        "statements" => {
            let n = item
                .get("statement_ids")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            Some(object(
                text("label"),
                "Recorded activity matching the requirement.",
                &if n == 1 {
                    "1 recorded activity (xAPI statement) matched.".to_owned()
                } else {
                    format!("{n} recorded activities (xAPI statements) matched.")
                },
                "Activity",
            ))
        }
        "attribute" => Some(object(
            "Role or group",
            "A learner attribute recorded by the organisation.",
            &format!(
                "{} is {}.",
                text("name").replace(['_', '-'], " "),
                item.get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ),
            "Attribute",
        )),
        _ => None,
    }
}

fn object(name: &str, description: &str, narrative: &str, genre: &str) -> Value {
    let mut e = json!({
        "type": ["Evidence"],
        "name": name,
        "narrative": narrative,
        "genre": genre,
    });
    if !description.is_empty() {
        e["description"] = json!(description);
    }
    e
}

/// `2026-12-07` of an RFC 3339 time.
fn date_of(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::program::model::{Evidence, EvidenceKind, ProgramInfo, Requirement};

    fn program() -> Program {
        let belt = |id: &str, name: &str, requires| Belt {
            id: id.into(),
            name: name.into(),
            colour: "#fff".into(),
            description: String::new(),
            audiences: Vec::new(),
            requires,
            validity_months: None,
            grace_days: 0,
            recertify: None,
        };
        Program {
            program: ProgramInfo {
                id: "p".into(),
                name: "Prog".into(),
                description: String::new(),
            },
            belts: vec![
                belt("white", "White Belt", Requirement::Belt("x".into())),
                belt(
                    "green",
                    "Green Belt",
                    Requirement::Evidence(Evidence {
                        id: "portfolio".into(),
                        title: "Portfolio".into(),
                        description: "Links to your work".into(),
                        kinds: vec![EvidenceKind::File],
                    }),
                ),
            ],
        }
    }

    fn of(met: Value) -> Vec<Value> {
        let p = program();
        evidence(&p, &p.belts[1], &met, None)
    }

    #[test]
    fn reviewed_evidence_takes_its_requirement_title_and_never_links_the_files() {
        let e =
            of(json!([{"kind": "evidence", "requirement": "portfolio", "evidence_ids": [4, 9]}]));
        assert_eq!(e[0]["name"], "Portfolio");
        assert_eq!(e[0]["description"], "Links to your work");
        assert_eq!(e[0]["narrative"], "2 submissions approved by a reviewer.");
        assert_eq!(e[0]["type"], json!(["Evidence"]));
        assert!(e[0].get("id").is_none());
    }

    #[test]
    fn a_standing_gives_its_score_and_date() {
        let e = of(
            json!([{"kind": "au", "object_id": "https://x/au", "score": 0.85, "at": "2026-01-02T03:04:05Z"}]),
        );
        assert_eq!(e[0]["name"], "Learning module completed");
        assert_eq!(
            e[0]["narrative"],
            "Completed `https://x/au` with a scaled score of 85% (2026-01-02)."
        );
    }

    #[test]
    fn statements_are_counted_not_listed() {
        let e =
            of(json!([{"kind": "statements", "label": "Posts", "statement_ids": ["a", "b", "c"]}]));
        assert_eq!(e[0]["name"], "Posts");
        assert!(!e[0].to_string().contains("\"a\""));
        assert!(
            e[0]["narrative"]
                .as_str()
                .unwrap()
                .starts_with("3 recorded")
        );
    }

    #[test]
    fn a_belt_held_is_named_from_the_program() {
        let e = of(json!([{"kind": "belt", "belt": "white", "award_id": 3}]));
        assert_eq!(e[0]["name"], "White Belt held");
    }

    #[test]
    fn a_manual_award_keeps_its_reason_and_author_private() {
        let e = of(json!({"manual": {"by": "console:alice", "reason": "met Bob at the fair"}}));
        assert_eq!(e.len(), 1);
        assert!(!e[0].to_string().contains("alice") && !e[0].to_string().contains("Bob"));
    }

    #[test]
    fn renewal_items_say_so_and_unknown_kinds_are_skipped() {
        let p = program();
        let met = json!([{"kind": "attribute", "name": "role", "value": "lead"}, {"kind": "new"}]);
        let e = evidence(&p, &p.belts[1], &met, Some("2027-01-01"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0]["name"], "Role or group (renewal, 2027-01-01)");
        assert_eq!(e[0]["narrative"], "role is lead.");
    }
}
