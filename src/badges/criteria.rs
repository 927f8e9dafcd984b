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
mod tests;
