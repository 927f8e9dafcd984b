//! One test per cmi5 rule: each refusal names the location and the rule broken.

use super::*;

/// Asserts that `xml` is refused at `path` with a rule starting with `rule`.
fn assert_refused(xml: &str, path: &str, rule: &str) {
    let error = parse_cmi5(xml).expect_err("should be refused");
    assert_eq!(error.path, path, "{error}");
    assert!(
        error.rule.starts_with(rule),
        "{error}\nshould start with {rule:?}"
    );
}

#[test]
fn the_root_must_be_course_structure_in_the_cmi5_namespace() {
    assert_refused(
        "<manifest/>",
        "manifest",
        "the root element must be courseStructure in namespace",
    );
    assert_refused(
        &format!("<courseStructure>{COURSE}{}</courseStructure>", au("a", "")),
        "courseStructure",
        "the root element must be courseStructure in namespace https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd",
    );
}

#[test]
fn exactly_one_course_element_is_required() {
    assert_refused(
        &structure(&au("a", "")),
        "courseStructure/au[1]",
        "au comes before course, which is required",
    );
    assert_refused(
        &course_with(&format!("{COURSE}{}", au("a", ""))),
        "courseStructure/course[2]",
        "appears more than once",
    );
}

#[test]
fn the_course_id_is_required_and_an_absolute_iri() {
    let head = |id: &str| COURSE.replace(r#"id="https://x.example/c""#, id);
    let without = structure(&format!("{}{}", head(""), au("a", "")));
    assert_refused(
        &without,
        "courseStructure/course/@id",
        "is required: an absolute IRI",
    );
    for bad in [
        r#"id="courses/x""#,
        r#"id="https://x.example/my course""#,
        r#"id="""#,
    ] {
        let xml = structure(&format!("{}{}", head(bad), au("a", "")));
        assert_refused(
            &xml,
            "courseStructure/course/@id",
            "must be an absolute IRI",
        );
    }
}

#[test]
fn the_course_title_is_required_with_a_langstring() {
    let no_title = r#"<course id="https://x.example/c"/>"#;
    assert_refused(
        &structure(&format!("{no_title}{}", au("a", ""))),
        "courseStructure/course/title",
        "is required",
    );
    let empty = r#"<course id="https://x.example/c"><title/></course>"#;
    assert_refused(
        &structure(&format!("{empty}{}", au("a", ""))),
        "courseStructure/course/title",
        "needs at least one langstring",
    );
}

#[test]
fn every_langstring_needs_a_language() {
    for lang in ["", r#"lang="""#, r#"lang="   ""#] {
        let head = format!(
            r#"<course id="https://x.example/c"><title><langstring {lang}>C</langstring></title></course>"#
        );
        assert_refused(
            &structure(&format!("{head}{}", au("a", ""))),
            "courseStructure/course/title/langstring[1]/@lang",
            "is required: the language of the text",
        );
    }
    let bad = r#"<course id="https://x.example/c"><title><langstring lang="en US">C</langstring></title></course>"#;
    assert_refused(
        &structure(&format!("{bad}{}", au("a", ""))),
        "courseStructure/course/title/langstring[1]/@lang",
        "\"en US\" is not a language tag",
    );
}

#[test]
fn a_language_may_appear_once_per_text() {
    let title = r#"<title><langstring lang="en">A</langstring><langstring lang="EN">B</langstring></title>"#;
    let xml = course_with(&format!(
        r#"<au id="https://x.example/a">{title}<url>a.html</url></au>"#
    ));
    assert_refused(
        &xml,
        "courseStructure/au[1]/title/langstring[2]/@lang",
        "language EN is given twice",
    );
}

#[test]
fn the_course_needs_at_least_one_au() {
    assert_refused(
        &structure(COURSE),
        "courseStructure",
        "needs at least one au or block",
    );
}

#[test]
fn a_block_needs_an_id_a_title_and_members() {
    let no_id = r#"<block><title><langstring lang="en">B</langstring></title></block>"#;
    assert_refused(
        &course_with(no_id),
        "courseStructure/block[1]/@id",
        "is required",
    );
    let no_title = format!(r#"<block id="https://x.example/b">{}</block>"#, au("a", ""));
    assert_refused(
        &course_with(&no_title),
        "courseStructure/block[1]/au[1]",
        "au comes before title, which is required",
    );
    let empty = format!("{}{}", au("a", ""), block("b", ""));
    assert_refused(
        &course_with(&empty),
        "courseStructure/block[1]",
        "needs at least one au or block",
    );
    let nested_empty = block("outer", &format!("{}{}", au("a", ""), block("inner", "")));
    assert_refused(
        &course_with(&nested_empty),
        "courseStructure/block[1]/block[1]",
        "needs at least one au or block",
    );
}

#[test]
fn an_au_needs_an_iri_id_and_a_title() {
    let no_id = r#"<au><title><langstring lang="en">A</langstring></title><url>a.html</url></au>"#;
    assert_refused(
        &course_with(no_id),
        "courseStructure/au[1]/@id",
        "is required: an absolute IRI",
    );
    let bad_id = au("a", "").replace("https://x.example/au/a", "a.html");
    assert_refused(
        &course_with(&bad_id),
        "courseStructure/au[1]/@id",
        "must be an absolute IRI",
    );
    let no_title = r#"<au id="https://x.example/a"><url>a.html</url></au>"#;
    assert_refused(
        &course_with(no_title),
        "courseStructure/au[1]/url",
        "url comes before title, which is required",
    );
}

#[test]
fn an_au_needs_a_non_empty_url() {
    let no_url = r#"<au id="https://x.example/a"><title><langstring lang="en">A</langstring></title>
        <description><langstring lang="en">D</langstring></description></au>"#;
    assert_refused(
        &course_with(&format!("{}{no_url}", au("z", ""))),
        "courseStructure/au[2]/url",
        "is required",
    );
    let blank = au("a", "").replace("<url>a.html</url>", "<url>  </url>");
    assert_refused(
        &course_with(&block("b", &blank)),
        "courseStructure/block[1]/au[1]/url",
        "must not be empty",
    );
}

#[test]
fn launch_method_must_be_any_window_or_own_window() {
    assert_refused(
        &course_with(&au("a", r#"launchMethod="NewWindow""#)),
        "courseStructure/au[1]/@launchMethod",
        "must be AnyWindow or OwnWindow, got \"NewWindow\"",
    );
}

#[test]
fn move_on_must_be_one_of_the_five_values() {
    assert_refused(
        &course_with(&au("a", r#"moveOn="completed""#)),
        "courseStructure/au[1]/@moveOn",
        "must be one of Passed, Completed, CompletedAndPassed, CompletedOrPassed, NotApplicable",
    );
}

#[test]
fn mastery_score_must_be_a_decimal_from_zero_to_one() {
    for bad in ["1.5", "-0.1", "0.8x", "1e-1", "NaN", "inf", "", ".", "0,8"] {
        let members = format!(
            "{}{}",
            au("a", ""),
            au("b", &format!(r#"masteryScore="{bad}""#))
        );
        assert_refused(
            &course_with(&members),
            "courseStructure/au[2]/@masteryScore",
            "must be a decimal from 0 to 1",
        );
    }
    for (good, value) in [
        ("0", 0.0),
        ("1", 1.0),
        ("1.000", 1.0),
        (".5", 0.5),
        ("+0.25", 0.25),
        ("-0", 0.0),
        (" 0.8 ", 0.8),
    ] {
        let course =
            parse_cmi5(&course_with(&au("a", &format!(r#"masteryScore="{good}""#)))).unwrap();
        assert_eq!(course.aus()[0].mastery_score, Some(value), "{good}");
    }
}

#[test]
fn activity_type_must_be_an_absolute_iri() {
    assert_refused(
        &course_with(&au("a", r#"activityType="media""#)),
        "courseStructure/au[1]/@activityType",
        "must be an absolute IRI",
    );
}

#[test]
fn ids_are_unique_across_course_blocks_and_aus() {
    let twice = format!("{}{}", au("a", ""), block("b", &au("a", "")));
    let error = parse_cmi5(&course_with(&twice)).unwrap_err();
    assert_eq!(error.path, "courseStructure/block[1]/au[1]/@id");
    assert_eq!(
        error.rule,
        "https://x.example/au/a is already the id of courseStructure/au[1]; \
         ids must be unique in the course structure (cmi5 13.1.4.0-1)"
    );
    let block_like_course =
        block("b", &au("a", "")).replace("https://x.example/block/b", "https://x.example/c");
    assert_refused(
        &course_with(&block_like_course),
        "courseStructure/block[1]/@id",
        "https://x.example/c is already the id of courseStructure/course",
    );
}

#[test]
fn unknown_cmi5_elements_are_refused() {
    let extra = au("a", "").replace("<url>", "<launchUrl>x</launchUrl><url>");
    assert_refused(
        &course_with(&extra),
        "courseStructure/au[1]/launchUrl",
        "launchUrl is not a cmi5 element here; expected title, description, objectives, url",
    );
    assert_refused(
        &course_with(&format!("<module/>{}", au("a", ""))),
        "courseStructure/module",
        "module is not a cmi5 element",
    );
}

#[test]
fn elements_in_no_namespace_are_refused() {
    let xml = course_with(&au("a", "").replace("<url>", r#"<note xmlns="">hi</note><url>"#));
    assert_refused(&xml, "courseStructure/au[1]/note", "note has no namespace");
}

#[test]
fn elements_that_may_appear_once_are_refused_twice() {
    let xml = course_with(&au("a", "").replace(
        "<url>",
        r#"<title><langstring lang="en">again</langstring></title><url>"#,
    ));
    assert_refused(
        &xml,
        "courseStructure/au[1]/title[2]",
        "appears more than once",
    );
    let xml = course_with(
        &au("a", "").replace("<url>a.html</url>", "<url>a.html</url><url>b.html</url>"),
    );
    assert_refused(
        &xml,
        "courseStructure/au[1]/url[2]",
        "appears more than once",
    );
}

#[test]
fn unknown_attributes_are_refused_but_namespaced_ones_pass() {
    assert_refused(
        &course_with(&au("a", r#"launchParameters="x=1""#)),
        "courseStructure/au[1]/@launchParameters",
        "is not an attribute of this element; allowed: id, launchMethod, moveOn, masteryScore, activityType",
    );
    assert!(parse_cmi5(&course_with(&au("a", r#"x:tracking="on""#))).is_ok());
}

#[test]
fn audiences_must_be_named_once_and_sit_inside_course() {
    let head = |audiences: &str| COURSE.replace("</course>", &format!("{audiences}</course>"));
    let xml = structure(&format!(
        "{}{}",
        head("<bb:audience> </bb:audience>"),
        au("a", "")
    ));
    assert_refused(
        &xml,
        "courseStructure/course/bb:audience",
        "must name an audience",
    );
    let xml = structure(&format!(
        "{}{}",
        head("<bb:audience>a</bb:audience><bb:audience>a</bb:audience>"),
        au("a", "")
    ));
    assert_refused(
        &xml,
        "courseStructure/course/bb:audience[2]",
        "audience a is listed twice",
    );
    let misplaced = au("a", "").replace("<url>", "<bb:audience>executives</bb:audience><url>");
    assert_refused(
        &course_with(&misplaced),
        "courseStructure/au[1]/bb:audience",
        "audience is not a Black Belt extension element here",
    );
    let unknown = structure(&format!(
        "{}{}",
        head("<bb:tier>gold</bb:tier>"),
        au("a", "")
    ));
    assert_refused(
        &unknown,
        "courseStructure/course/bb:tier",
        "tier is not a Black Belt extension element here",
    );
}

#[test]
fn blocks_nest_at_most_thirty_two_deep() {
    let nest = |depth: usize| {
        (0..depth).fold(au("leaf", ""), |inner, level| {
            block(&level.to_string(), &inner)
        })
    };
    assert!(parse_cmi5(&course_with(&nest(32))).is_ok());
    let error = parse_cmi5(&course_with(&nest(33))).unwrap_err();
    assert_eq!(
        error.path,
        format!("courseStructure{}", "/block[1]".repeat(33))
    );
    assert!(error.rule.contains("at most 32 deep"), "{error}");
}

#[test]
fn stray_text_is_refused() {
    let xml = course_with(&au("a", "").replace("<url>", "oops<url>"));
    assert_refused(&xml, "courseStructure/au[1]", "has stray text \"oops\"");
}

#[test]
fn oversized_manifests_and_dtds_are_refused() {
    let padding = format!("<!--{}-->", " ".repeat(xml::MAX_BYTES));
    let error = parse_cmi5(&course_with(&format!("{padding}{}", au("a", "")))).unwrap_err();
    assert_eq!(error.path, "document");
    assert!(error.rule.contains("may be at most 1 MiB"), "{error}");
    let dtd = format!(
        r#"<!DOCTYPE courseStructure [<!ENTITY e "x">]>{}"#,
        course_with(&au("a", ""))
    );
    assert_refused(&dtd, "document", "has a DTD");
    assert_refused("<courseStructure", "document", "is not well-formed XML");
}
