//! Belt requirements in a learner's words: module and course titles instead of ids,
//! scores as percentages ("Pass “Policy essentials” with at least 80 %").

use std::collections::HashMap;

use crate::certification::program::model::Requirement;

/// Titles of what requirements name: AUs and courses by id, belts by id.
#[derive(Debug, Default)]
pub struct Titles {
    pub aus: HashMap<String, String>,
    pub courses: HashMap<String, String>,
    pub belts: HashMap<String, String>,
}

impl Titles {
    fn au(&self, id: &str) -> String {
        self.aus.get(id).cloned().unwrap_or_else(|| short(id))
    }

    fn course(&self, id: &str) -> String {
        self.courses.get(id).cloned().unwrap_or_else(|| short(id))
    }

    fn belt(&self, id: &str) -> String {
        self.belts
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("{id} belt"))
    }
}

/// The last path segment of an IRI, when no title is known.
fn short(iri: &str) -> String {
    iri.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(iri)
        .to_owned()
}

fn within_months(months: Option<u32>) -> String {
    match months {
        Some(1) => " within the last month".into(),
        Some(n) => format!(" within the last {n} months"),
        None => String::new(),
    }
}

/// One requirement, as a learner reads it.
pub fn say(req: &Requirement, titles: &Titles) -> String {
    let list = |items: &[Requirement], joiner: &str| {
        items
            .iter()
            .map(|r| say(r, titles))
            .collect::<Vec<_>>()
            .join(joiner)
    };
    match req {
        Requirement::Au(s) => {
            let score = s
                .min_score
                .map(|m| format!(" with at least {} %", (m * 100.0).round()))
                .unwrap_or_default();
            format!(
                "Pass “{}”{score}{}",
                titles.au(&s.id),
                within_months(s.within_months)
            )
        }
        Requirement::Course(s) => format!(
            "Complete the course “{}”{}",
            titles.course(&s.id),
            within_months(s.within_months)
        ),
        Requirement::Belt(id) => format!("Hold the {}", titles.belt(id)),
        Requirement::Evidence(e) => format!("Have “{}” approved by a reviewer", e.title),
        Requirement::Statements(p) => {
            let days = p
                .within_days
                .map(|d| format!(" within {d} days"))
                .unwrap_or_default();
            if p.min_count > 1 {
                format!("{} ({} times{days})", p.label, p.min_count)
            } else {
                format!("{}{days}", p.label)
            }
        }
        Requirement::Attribute(a) => format!(
            "Be recorded with {} {}",
            a.name.replace('_', " "),
            a.any_of.join(" or ")
        ),
        Requirement::AllOf(items) => list(items, "; and "),
        Requirement::AnyOf(items) => format!("One of: {}", list(items, "; or ")),
        Requirement::AtLeast(a) => format!("{} of: {}", a.n, list(&a.of, "; ")),
    }
}

/// What is still open on a belt whose top-level requirement is `requires`, given its
/// unmet top-level items and how many more are needed: one line per item for an
/// all-of, one line naming the choice for an at-least-n-of.
pub fn open_lines(
    requires: &Requirement,
    unmet: &[Requirement],
    more_needed: usize,
    titles: &Titles,
) -> Vec<String> {
    match requires {
        Requirement::AtLeast(_) if !unmet.is_empty() => {
            let choices: Vec<String> = unmet.iter().map(|r| say(r, titles)).collect();
            vec![format!("{more_needed} more of: {}", choices.join("; "))]
        }
        _ => unmet.iter().map(|r| say(r, titles)).collect(),
    }
}

/// The AU and course ids a requirement names, anywhere inside it.
pub fn named_modules(req: &Requirement, aus: &mut Vec<String>, courses: &mut Vec<String>) {
    match req {
        Requirement::Au(s) => aus.push(s.id.clone()),
        Requirement::Course(s) => courses.push(s.id.clone()),
        Requirement::AllOf(items) | Requirement::AnyOf(items) => {
            items.iter().for_each(|r| named_modules(r, aus, courses))
        }
        Requirement::AtLeast(a) => a.of.iter().for_each(|r| named_modules(r, aus, courses)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::program::model::{AtLeast, Standing};

    fn au(id: &str, min: Option<f64>) -> Requirement {
        Requirement::Au(Standing {
            id: id.into(),
            min_score: min,
            within_months: None,
        })
    }

    #[test]
    fn modules_are_named_by_title_and_scores_as_percentages() {
        let mut titles = Titles::default();
        titles
            .aus
            .insert("https://x/au/policy".into(), "Policy essentials".into());
        assert_eq!(
            say(&au("https://x/au/policy", Some(0.8)), &titles),
            "Pass “Policy essentials” with at least 80 %"
        );
        assert_eq!(
            say(&au("https://x/au/other", None), &titles),
            "Pass “other”"
        );
        titles.belts.insert("white".into(), "White Belt".into());
        assert_eq!(
            say(&Requirement::Belt("white".into()), &titles),
            "Hold the White Belt"
        );
    }

    #[test]
    fn an_at_least_belt_says_how_many_more_of_what() {
        let titles = Titles::default();
        let req = Requirement::AtLeast(AtLeast {
            n: 2,
            of: vec![au("a", None), au("b", None), au("c", None)],
        });
        let lines = open_lines(&req, &[au("b", None), au("c", None)], 1, &titles);
        assert_eq!(lines, ["1 more of: Pass “b”; Pass “c”"]);
        let all = Requirement::AllOf(vec![au("a", None), au("b", None)]);
        assert_eq!(open_lines(&all, &[au("b", None)], 1, &titles), ["Pass “b”"]);
    }

    #[test]
    fn nested_requirements_name_their_modules() {
        let req = Requirement::AllOf(vec![
            au("a", None),
            Requirement::AnyOf(vec![
                au("b", None),
                Requirement::Course(Standing {
                    id: "c".into(),
                    min_score: None,
                    within_months: None,
                }),
            ]),
        ]);
        let (mut aus, mut courses) = (Vec::new(), Vec::new());
        named_modules(&req, &mut aus, &mut courses);
        assert_eq!(aus, ["a", "b"]);
        assert_eq!(courses, ["c"]);
    }
}
