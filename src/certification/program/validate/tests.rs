//! One rule per test, through the whole file path (`parse`), each asserting the message
//! names the place and the rule.

use super::*;
use crate::certification::program::parse::parse;
use crate::certification::program::problem::ProgramError;

const AU: &str = "https://example.test/course/au/one";

/// A valid file of two belts; `extra` is appended (more belts), `white` replaces the
/// first belt's requirement.
fn file(white: &str, extra: &str) -> String {
    format!(
        r##"
[program]
id = "p"
name = "P"

[[belt]]
id = "white"
name = "White"
colour = "#ffffff"
description = ""
requires = {white}

[[belt]]
id = "green"
name = "Green"
colour = "#00aa00"
description = ""
requires = {{ belt = "white" }}
{extra}
"##
    )
}

fn au() -> String {
    format!("{{ au = {{ id = \"{AU}\" }} }}")
}

fn problems(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(_) => Vec::new(),
        Err(ProgramError::Invalid(problems)) => problems.iter().map(|p| p.to_string()).collect(),
        Err(other) => vec![other.to_string()],
    }
}

/// The one problem the file has.
fn only(text: &str) -> String {
    let found = problems(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    found[0].clone()
}

#[test]
fn a_valid_file_has_no_problem() {
    assert_eq!(problems(&file(&au(), "")), Vec::<String>::new());
}

#[test]
fn a_syntax_error_names_its_line() {
    let text = file(&au(), "oops = [");
    match parse(&text) {
        Err(ProgramError::Syntax(message)) => assert!(message.contains("line 19"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_program_id_must_be_an_id() {
    let text = file(&au(), "").replace(r#"id = "p""#, r#"id = "My Program""#);
    let message = only(&text);
    assert!(
        message.starts_with("program.id: must be an id"),
        "{message}"
    );
}

#[test]
fn belt_ids_are_unique() {
    let text = file(&au(), "").replace(r#"id = "green""#, r#"id = "white""#);
    let found = problems(&text);
    assert!(
        found
            .iter()
            .any(|m| m.starts_with(r#"belt "white" id: is also the id of belt[0]"#)),
        "{found:#?}"
    );
}

#[test]
fn a_colour_is_rrggbb() {
    let message = only(&file(&au(), "").replace("#00aa00", "green"));
    assert!(
        message.starts_with(r#"belt "green" colour: must be a colour as #rrggbb"#),
        "{message}"
    );
}

#[test]
fn min_score_must_be_within_0_and_1() {
    let requirement = format!(
        "{{ all_of = [{}, {}, {{ au = {{ id = \"{AU}\", min_score = 1.5 }} }}] }}",
        au(),
        au()
    );
    let message = only(&file(&requirement, ""));
    assert_eq!(
        message,
        r#"belt "white" requires.all_of[2].au.min_score: must be within 0..=1 (a scaled score), not 1.5"#
    );
}

#[test]
fn at_least_n_cannot_exceed_its_options() {
    let requirement = format!("{{ at_least = {{ n = 3, of = [{}, {}] }} }}", au(), au());
    let message = only(&file(&requirement, ""));
    assert!(
        message.starts_with(r#"belt "white" requires.at_least.n: is 3 but `of` lists only 2"#),
        "{message}"
    );
}

#[test]
fn at_least_zero_is_refused() {
    let requirement = format!("{{ at_least = {{ n = 0, of = [{}] }} }}", au());
    let message = only(&file(&requirement, ""));
    assert!(
        message.starts_with(r#"belt "white" requires.at_least.n: must be at least 1"#),
        "{message}"
    );
}

#[test]
fn an_empty_all_of_is_refused() {
    let message = only(&file("{ all_of = [] }", ""));
    assert!(
        message.starts_with(r#"belt "white" requires.all_of: must list at least one requirement"#),
        "{message}"
    );
}

#[test]
fn an_empty_any_of_is_refused() {
    let requirement = format!("{{ all_of = [{}, {{ any_of = [] }}] }}", au());
    let message = only(&file(&requirement, ""));
    assert!(
        message.starts_with(r#"belt "white" requires.all_of[1].any_of: must list at least one"#),
        "{message}"
    );
}

#[test]
fn an_attribute_name_must_be_known() {
    let message = only(&file(
        r#"{ attribute = { name = "shoe_size", any_of = ["42"] } }"#,
        "",
    ));
    assert!(
        message.starts_with(r#"belt "white" requires.attribute.name: is "shoe_size"; it must be one of audience, role, org_unit"#),
        "{message}"
    );
}

#[test]
fn an_attribute_with_no_values_is_never_met() {
    let message = only(&file(
        r#"{ attribute = { name = "role", any_of = [] } }"#,
        "",
    ));
    assert!(
        message
            .starts_with(r#"belt "white" requires.attribute.any_of: must list at least one value"#),
        "{message}"
    );
}

#[test]
fn a_statement_pattern_needs_a_verb_an_activity_or_a_type() {
    let message = only(&file(r#"{ statements = { label = "anything" } }"#, ""));
    assert!(
        message.starts_with(
            r#"belt "white" requires.statements: needs a verb, an activity or an activity_type"#
        ),
        "{message}"
    );
}

#[test]
fn a_statement_pattern_counts_at_least_one() {
    let message = only(&file(
        r#"{ statements = { label = "x", verb = "http://adlnet.gov/expapi/verbs/shared", min_count = 0 } }"#,
        "",
    ));
    assert!(
        message.starts_with(r#"belt "white" requires.statements.min_count: must be at least 1"#),
        "{message}"
    );
}

#[test]
fn evidence_needs_a_kind() {
    let message = only(&file(
        r#"{ evidence = { id = "cap", title = "Capstone", description = "", kinds = [] } }"#,
        "",
    ));
    assert!(
        message.starts_with(r#"belt "white" requires.evidence.kinds: must list at least one of"#),
        "{message}"
    );
}

#[test]
fn evidence_ids_are_unique_in_a_belt() {
    let evidence = r#"{ evidence = { id = "cap", title = "Capstone", description = "" } }"#;
    let message = only(&file(
        &format!("{{ all_of = [{evidence}, {evidence}] }}"),
        "",
    ));
    assert!(
        message.starts_with(r#"belt "white" requires.all_of[1].evidence.id: evidence id "cap" is already used at belt "white" requires.all_of[0]"#),
        "{message}"
    );
}

#[test]
fn a_belt_requirement_names_a_belt_of_the_program() {
    let message = only(&file(r#"{ belt = "purple" }"#, ""));
    assert!(
        message.starts_with(
            r#"belt "white" requires: names belt "purple", which this program does not define"#
        ),
        "{message}"
    );
}

#[test]
fn belts_that_need_each_other_form_a_cycle() {
    let message = only(&file(r#"{ belt = "green" }"#, ""));
    assert_eq!(
        message,
        r#"belt "green" requires: belts form a cycle (green → white → green): none of them could ever be earned"#
    );
}

#[test]
fn a_belt_may_need_a_higher_tier_when_no_cycle_forms() {
    let extra = format!(
        "\n[[belt]]\nid = \"black\"\nname = \"Black\"\ncolour = \"#000000\"\ndescription = \"\"\nrequires = {}\n",
        au()
    );
    assert_eq!(
        problems(&file(r#"{ belt = "black" }"#, &extra)),
        Vec::<String>::new()
    );
}

#[test]
fn recertify_needs_a_validity() {
    let extra = format!("[belt.recertify]\nwindow_days = 30\nrequires = {}\n", au());
    let message = only(&file(&au(), &extra));
    assert!(
        message.starts_with(r#"belt "green" recertify: needs validity_months"#),
        "{message}"
    );
}

#[test]
fn a_recertify_window_is_at_least_one_day() {
    let extra = format!(
        "validity_months = 12\n[belt.recertify]\nwindow_days = 0\nrequires = {}\n",
        au()
    );
    let message = only(&file(&au(), &extra));
    assert!(
        message.starts_with(r#"belt "green" recertify.window_days: must be at least 1"#),
        "{message}"
    );
}

#[test]
fn an_unknown_field_is_named() {
    let message = only(&file(&au(), "colour_name = \"green\""));
    assert!(message.starts_with(r#"belt "green": "#), "{message}");
    assert!(message.contains("colour_name"), "{message}");
}

fn program(text: &str) -> Program {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_au_must_be_imported() {
    let program = program(&file(&au(), ""));
    let found = references(&program, &Known::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].to_string().starts_with(&format!(
            r#"belt "white" requires.au.id: no imported course that is offered has an AU "{AU}""#
        )),
        "{}",
        found[0]
    );
    let known = Known {
        aus: [AU.to_owned()].into(),
        courses: Default::default(),
    };
    assert!(references(&program, &known).is_empty());
}

#[test]
fn a_course_must_be_imported() {
    let program = program(&file(
        r#"{ course = { id = "https://example.test/c" } }"#,
        "",
    ));
    let found = references(&program, &Known::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .to_string()
            .starts_with(r#"belt "white" requires.course.id: no course"#)
    );
}

fn loaded(version: i32, text: &str) -> LoadedProgram {
    LoadedProgram {
        program_id: "p".into(),
        version,
        program: program(text),
    }
}

#[test]
fn a_belt_id_reused_for_another_belt_is_refused() {
    let v1 = loaded(1, &file(&au(), ""));
    // A new belt takes the name "Green" at tier 2, and the id "green" moves up to tier 3
    // as "Blue": awards of the old green would read as blue ones.
    let v2 = file(&au(), "").replace(r#"id = "green""#, r#"id = "jade""#)
        + "\n[[belt]]\nid = \"green\"\nname = \"Blue\"\ncolour = \"#0000ff\"\ndescription = \"\"\nrequires = { belt = \"jade\" }\n";
    let found = reuse(&program(&v2), &[v1]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].to_string().starts_with(
            r#"belt "green" id: belt id "green" meant "Green" (tier 2) in version 1 of program "p"; here it is "Blue" (tier 3)"#
        ),
        "{}",
        found[0]
    );
}

#[test]
fn renaming_or_moving_a_belt_alone_is_allowed() {
    let v1 = loaded(1, &file(&au(), ""));
    let renamed = file(&au(), "").replace(r#"name = "Green""#, r#"name = "Jade""#);
    assert!(reuse(&program(&renamed), std::slice::from_ref(&v1)).is_empty());
    let extra_first = file(&au(), "").replace(
        "[[belt]]\nid = \"white\"",
        &format!("[[belt]]\nid = \"intro\"\nname = \"Intro\"\ncolour = \"#eeeeee\"\ndescription = \"\"\nrequires = {}\n\n[[belt]]\nid = \"white\"", au()),
    );
    assert!(reuse(&program(&extra_first), &[v1]).is_empty());
}
