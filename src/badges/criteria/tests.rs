//! One rule of the criteria narrative per test.

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
        t.contains("  - meet any one of the following:\n    - complete the learning module `c`"),
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
    assert!(
        t.contains(
            "**Validity:** 12 months from the date it is awarded or renewed, then 30 days of grace"
        ),
        "{t}"
    );
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
