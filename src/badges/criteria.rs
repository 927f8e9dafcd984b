//! The `criteria.narrative` of a belt (Markdown), written from its requirements so a
//! reader outside the company learns what the holder did: modules passed with their
//! minimum scores, statement patterns with counts and windows, evidence reviewed, the
//! belt below, validity and recertification.

use std::fmt::Write;

use crate::certification::program::model::{
    Belt, Evidence, EvidenceKind, Program, Requirement, Standing, StatementPattern,
};

/// The whole narrative: what earns the belt, who it is for, how long it lasts and what
/// renews it.
pub fn narrative(program: &Program, belt: &Belt) -> String {
    let mut out = format!(
        "To earn the **{}** of *{}*, a person must ",
        md(&belt.name),
        md(&program.program.name)
    );
    requirement(&mut out, program, &belt.requires, 0);
    if !belt.audiences.is_empty() {
        let who: Vec<String> = belt.audiences.iter().map(|a| words(a)).collect();
        let _ = write!(out, "\n\n**Intended for:** {}.", join(&who, "and"));
    }
    out.push_str("\n\n");
    out.push_str(&validity(program, belt));
    out
}

/// One requirement, as the end of a sentence or as a nested list.
fn requirement(out: &mut String, program: &Program, req: &Requirement, depth: usize) {
    let (lead, list) = match req {
        Requirement::AllOf(list) => ("meet all of the following:", list),
        Requirement::AnyOf(list) => ("meet any one of the following:", list),
        Requirement::AtLeast(a) => {
            let lead = format!("meet at least {} of the following:", a.n);
            return nested(out, program, &lead, &a.of, depth);
        }
        leaf => {
            out.push_str(&self::leaf(program, leaf));
            if depth == 0 {
                out.push('.');
            }
            return;
        }
    };
    nested(out, program, lead, list, depth)
}

fn nested(out: &mut String, program: &Program, lead: &str, list: &[Requirement], depth: usize) {
    out.push_str(lead);
    for req in list {
        out.push('\n');
        if depth == 0 && out.ends_with(":\n") {
            out.push('\n');
        }
        out.push_str(&"  ".repeat(depth));
        out.push_str("- ");
        requirement(out, program, req, depth + 1);
    }
}

/// A leaf requirement as a verb phrase ("pass …", "hold …").
fn leaf(program: &Program, req: &Requirement) -> String {
    match req {
        Requirement::Au(s) => standing("the learning module", s),
        Requirement::Course(s) => standing("the course", s),
        Requirement::Belt(id) => {
            let name = program
                .belts
                .iter()
                .find(|b| &b.id == id)
                .map_or(id.as_str(), |b| b.name.as_str());
            format!("hold the **{}** of this program", md(name))
        }
        Requirement::Evidence(e) => evidence(e),
        Requirement::Statements(p) => statements(p),
        Requirement::Attribute(a) => {
            let values: Vec<String> = a.any_of.iter().map(|v| format!("*{}*", md(v))).collect();
            format!(
                "have the {} {} (as recorded by the organisation)",
                words(&a.name),
                join(&values, "or")
            )
        }
        Requirement::AllOf(_) | Requirement::AnyOf(_) | Requirement::AtLeast(_) => String::new(),
    }
}

fn standing(what: &str, s: &Standing) -> String {
    let mut text = format!("complete {what} `{}`", code(&s.id));
    if let Some(min) = s.min_score {
        let _ = write!(text, " with a score of at least {}%", percent(min));
    }
    if let Some(months) = s.within_months {
        let _ = write!(text, " within the last {}", count(months, "month"));
    }
    text
}

fn evidence(e: &Evidence) -> String {
    let kinds: Vec<&str> = e
        .kinds
        .iter()
        .map(|k| match k {
            EvidenceKind::Text => "a written text",
            EvidenceKind::Url => "a link",
            EvidenceKind::File => "a file",
        })
        .collect();
    let kinds: Vec<String> = kinds.into_iter().map(str::to_owned).collect();
    format!(
        "have evidence approved by a reviewer: **{}** ({}; submitted as {})",
        md(&e.title),
        md(e.description.trim_end_matches('.')),
        join(&kinds, "or")
    )
}

fn statements(p: &StatementPattern) -> String {
    let n = p.min_count.max(1);
    let mut text = format!(
        "show **{}**: at least {} recorded",
        md(&p.label),
        count(n, "activity")
    );
    if let Some(verb) = &p.verb {
        let _ = write!(text, " with the verb `{}`", code(verb));
    }
    if let Some(activity) = &p.activity {
        let _ = write!(text, " on the activity `{}`", code(activity));
    }
    if let Some(kind) = &p.activity_type {
        let _ = write!(text, " on an activity of type `{}`", code(kind));
    }
    if let Some(days) = p.within_days {
        let _ = write!(text, " within the last {}", count(days, "day"));
    }
    text
}

/// Validity, grace and recertification in words.
fn validity(program: &Program, belt: &Belt) -> String {
    let Some(months) = belt.validity_months else {
        return "**Validity:** the belt does not expire.".into();
    };
    let mut text = format!(
        "**Validity:** {} from the date it is awarded or renewed",
        count(months, "month")
    );
    if belt.grace_days > 0 {
        let _ = write!(
            text,
            ", then {} of grace during which it can still be renewed",
            count(belt.grace_days, "day")
        );
    }
    text.push('.');
    match &belt.recertify {
        None => text.push_str(
            "\n\n**Recertification:** meeting the same requirements again, with work done \
             near the end of the validity, renews the belt.",
        ),
        Some(r) => {
            let _ = write!(
                text,
                "\n\n**Recertification:** from {} before the validity ends, the holder must ",
                count(r.window_days, "day")
            );
            requirement(&mut text, program, &r.requires, 0);
        }
    }
    text
}

/// `n unit(s)`.
fn count(n: u32, unit: &str) -> String {
    match (n, unit) {
        (1, _) => format!("1 {unit}"),
        (_, "activity") => format!("{n} activities"),
        _ => format!("{n} {unit}s"),
    }
}

/// 0.8 -> "80", 0.755 -> "75.5".
fn percent(score: f64) -> String {
    let value = (score * 1000.0).round() / 10.0;
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., end] => format!("{} {last} {end}", rest.join(", ")),
    }
}

/// An id as words (`all-employees` -> `all employees`, `org_unit` -> `org unit`).
fn words(id: &str) -> String {
    md(&id.replace(['-', '_'], " "))
}

/// Program text made inert in Markdown: emphasis, links, code and HTML are escaped.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text inside a code span: a backquote would end it early.
fn code(text: &str) -> String {
    text.replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::program::model::{
        AtLeast, Attribute, ProgramInfo, Recertify, StatementPattern,
    };

    fn belt(id: &str, name: &str, requires: Requirement) -> Belt {
        Belt {
            id: id.into(),
            name: name.into(),
            colour: "#000000".into(),
            description: String::new(),
            audiences: Vec::new(),
            requires,
            validity_months: None,
            grace_days: 0,
            recertify: None,
        }
    }

    fn program(belts: Vec<Belt>) -> Program {
        Program {
            program: ProgramInfo {
                id: "smac".into(),
                name: "Social Media".into(),
                description: String::new(),
            },
            belts,
        }
    }

    fn au(id: &str, min: Option<f64>, months: Option<u32>) -> Requirement {
        Requirement::Au(Standing {
            id: id.into(),
            min_score: min,
            within_months: months,
        })
    }

    fn text(requires: Requirement) -> String {
        let p = program(vec![
            belt("white", "White Belt", au("x", None, None)),
            belt("green", "Green Belt", requires),
        ]);
        narrative(&p, &p.belts[1])
    }

    #[test]
    fn a_single_requirement_reads_as_one_sentence() {
        let t = text(au("https://ex.com/au/1", None, None));
        assert!(t.starts_with(
            "To earn the **Green Belt** of *Social Media*, a person must complete the learning module `https://ex.com/au/1`."
        ), "{t}");
    }

    #[test]
    fn a_standing_states_its_minimum_score_and_window() {
        let t = text(Requirement::Course(Standing {
            id: "https://ex.com/c".into(),
            min_score: Some(0.8),
            within_months: Some(6),
        }));
        assert!(
            t.contains("complete the course `https://ex.com/c` with a score of at least 80% within the last 6 months"),
            "{t}"
        );
    }

    #[test]
    fn all_of_any_of_and_at_least_become_nested_lists() {
        let t = text(Requirement::AllOf(vec![
            Requirement::Belt("white".into()),
            Requirement::AtLeast(AtLeast {
                n: 2,
                of: vec![
                    au("a", None, None),
                    au("b", None, None),
                    Requirement::AnyOf(vec![au("c", None, None), au("d", None, None)]),
                ],
            }),
        ]));
        assert!(t.contains("must meet all of the following:\n\n- hold the **White Belt** of this program\n- meet at least 2 of the following:\n  - complete the learning module `a`"), "{t}");
        assert!(
            t.contains(
                "  - meet any one of the following:\n    - complete the learning module `c`"
            ),
            "{t}"
        );
    }

    #[test]
    fn evidence_names_its_title_what_to_submit_and_the_accepted_forms() {
        let t = text(Requirement::Evidence(Evidence {
            id: "pledge".into(),
            title: "Pledge".into(),
            description: "Sign the pledge.".into(),
            kinds: vec![EvidenceKind::Text, EvidenceKind::Url],
        }));
        assert!(t.contains("have evidence approved by a reviewer: **Pledge** (Sign the pledge; submitted as a written text or a link)"), "{t}");
    }

    #[test]
    fn a_statement_pattern_states_its_count_verb_activity_and_window() {
        let t = text(Requirement::Statements(StatementPattern {
            label: "Posts shared".into(),
            verb: Some("http://adlnet.gov/expapi/verbs/shared".into()),
            activity: None,
            activity_type: Some("http://ex.com/post".into()),
            min_count: 5,
            within_days: Some(30),
        }));
        assert!(t.contains("show **Posts shared**: at least 5 activities recorded with the verb `http://adlnet.gov/expapi/verbs/shared` on an activity of type `http://ex.com/post` within the last 30 days"), "{t}");
    }

    #[test]
    fn an_attribute_lists_the_values_that_meet_it() {
        let t = text(Requirement::Attribute(Attribute {
            name: "org_unit".into(),
            any_of: vec!["sales".into(), "marketing".into()],
        }));
        assert!(
            t.contains("have the org unit *sales* or *marketing*"),
            "{t}"
        );
    }

    #[test]
    fn a_belt_without_validity_says_it_does_not_expire() {
        assert!(text(au("a", None, None)).ends_with("**Validity:** the belt does not expire."));
    }

    #[test]
    fn validity_grace_and_recertification_are_stated() {
        let mut b = belt("white", "White Belt", au("a", None, None));
        b.validity_months = Some(12);
        b.grace_days = 30;
        b.audiences = vec!["all-employees".into(), "partners".into()];
        b.recertify = Some(Recertify {
            window_days: 60,
            requires: au("refresher", Some(0.7), None),
        });
        let p = program(vec![b]);
        let t = narrative(&p, &p.belts[0]);
        assert!(
            t.contains("**Intended for:** all employees and partners."),
            "{t}"
        );
        assert!(t.contains("**Validity:** 12 months from the date it is awarded or renewed, then 30 days of grace"), "{t}");
        assert!(t.contains("**Recertification:** from 60 days before the validity ends, the holder must complete the learning module `refresher` with a score of at least 70%."), "{t}");
    }

    #[test]
    fn without_a_recertify_rule_the_same_requirements_renew() {
        let mut b = belt("white", "White Belt", au("a", None, None));
        b.validity_months = Some(24);
        let p = program(vec![b]);
        assert!(narrative(&p, &p.belts[0]).contains("meeting the same requirements again"));
    }

    #[test]
    fn program_text_cannot_inject_markdown_links_or_html() {
        let p = program(vec![belt(
            "w",
            "[click](http://evil) <b>",
            au("a", None, None),
        )]);
        let t = narrative(&p, &p.belts[0]);
        assert!(t.contains(r"\[click\](http://evil) \<b\>"), "{t}");
    }
}
