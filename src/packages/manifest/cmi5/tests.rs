//! Parsing valid course structures, including the packages we ship; the refusals,
//! one test per rule, are in `refusals`.

mod refusals;
mod xsd_rules;

use super::*;

const OPEN: &str = r#"<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
    xmlns:bb="https://blackbelt.example/xmlns/cmi5-extensions" xmlns:x="https://vendor.example/ext">"#;

const COURSE: &str = r#"<course id="https://x.example/c">
    <title><langstring lang="en">C</langstring></title>
    <description><langstring lang="en">D</langstring></description></course>"#;

fn structure(inner: &str) -> String {
    format!("{OPEN}{inner}</courseStructure>")
}

/// A valid course head followed by `members`.
fn course_with(members: &str) -> String {
    structure(&format!("{COURSE}{members}"))
}

/// A minimal valid AU with the given id suffix and extra attributes.
fn au(id: &str, attributes: &str) -> String {
    format!(
        r#"<au id="https://x.example/au/{id}" {attributes}>
            <title><langstring lang="en">AU {id}</langstring></title>
            <description><langstring lang="en">About {id}</langstring></description><url>{id}.html</url></au>"#
    )
}

fn block(id: &str, members: &str) -> String {
    format!(
        r#"<block id="https://x.example/block/{id}">
            <title><langstring lang="en">Block {id}</langstring></title>
            <description><langstring lang="en">About {id}</langstring></description>{members}</block>"#
    )
}

const FULL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
                 xmlns:bb="https://blackbelt.example/xmlns/cmi5-extensions"
                 xmlns:x="https://vendor.example/ext"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <!-- a comment -->
  <course id="  https://x.example/course  " x:flavour="vanilla">
    <title>
      <langstring lang="en-US">  Geology  </langstring>
      <langstring lang="de-DE">Geologie</langstring>
    </title>
    <description><langstring lang="en-US">Rocks.</langstring></description>
    <bb:audience> executives </bb:audience>
    <bb:audience>partners</bb:audience>
    <x:publisher>Vendor Inc.</x:publisher>
  </course>
  <objectives>
    <objective id="https://x.example/objective/1">
      <title><langstring lang="en-US">Know rocks</langstring></title>
      <description><langstring lang="en-US">Knowledge of rocks.</langstring></description>
    </objective>
  </objectives>
  <au id="https://x.example/au/intro" launchMethod="OwnWindow" moveOn="Completed"
      masteryScore="0.75" activityType="http://adlnet.gov/expapi/activities/media">
    <title><langstring lang="en-US">Intro</langstring></title>
    <description><langstring lang="en-US">Start here.</langstring></description>
    <objectives><objective idref="https://x.example/objective/1"/></objectives>
    <url>intro/index.html?mode=full</url>
    <launchParameters> Start=1,QuizMode=1 </launchParameters>
    <entitlementKey>xyz-123</entitlementKey>
    <x:anything><x:nested/></x:anything>
  </au>
  <block id="https://x.example/block/outer">
    <title><langstring lang="en-US">Outer</langstring></title>
    <description><langstring lang="en-US">Two parts.</langstring></description>
    <objectives><objective idref="https://x.example/objective/1"/></objectives>
    <au id="https://x.example/au/a1" moveOn="Passed" masteryScore="1">
      <title><langstring lang="en-US">A1</langstring></title><description><langstring lang="en-US">A1.</langstring></description>
      <url>a1.html</url>
    </au>
    <block id="https://x.example/block/inner">
      <title><langstring lang="en-US">Inner</langstring></title><description><langstring lang="en-US">Inner.</langstring></description>
      <au id="https://x.example/au/a2" moveOn="CompletedOrPassed" masteryScore="0">
        <title><langstring lang="en-US">A2</langstring></title><description><langstring lang="en-US">A2.</langstring></description>
        <url>https://cdn.example/a2.html</url>
      </au>
    </block>
    <au id="https://x.example/au/a3" moveOn="NotApplicable">
      <title><langstring lang="en-US">A3</langstring></title><description><langstring lang="en-US">A3.</langstring></description>
      <url>a3.html</url>
    </au>
  </block>
  <au id="urn:x-example:au:last" moveOn="CompletedAndPassed" launchMethod="AnyWindow">
    <title><langstring lang="en-US">Last</langstring></title><description><langstring lang="en-US">Last.</langstring></description>
    <url><![CDATA[last.html]]></url>
  </au>
  <x:trailer/>
</courseStructure>"#;

#[test]
fn a_full_course_structure_parses_with_every_field() {
    let course = parse_cmi5(FULL).unwrap();
    assert_eq!(course.id, "https://x.example/course");
    assert_eq!(course.format, Format::Cmi5);
    assert_eq!(
        course.title.0,
        [
            ("en-US".to_string(), "Geology".to_string()),
            ("de-DE".to_string(), "Geologie".to_string())
        ]
    );
    assert_eq!(course.description.best("en"), Some("Rocks."));
    assert_eq!(course.audiences, ["executives", "partners"]);

    let ids: Vec<&str> = course.aus().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://x.example/au/intro",
            "https://x.example/au/a1",
            "https://x.example/au/a2",
            "https://x.example/au/a3",
            "urn:x-example:au:last",
        ]
    );
    let blocks: Vec<&str> = course.blocks().iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        blocks,
        [
            "https://x.example/block/outer",
            "https://x.example/block/inner"
        ]
    );

    let intro = course.aus()[0].clone();
    assert_eq!(
        intro,
        Au {
            id: "https://x.example/au/intro".into(),
            title: LangString(vec![("en-US".into(), "Intro".into())]),
            description: LangString(vec![("en-US".into(), "Start here.".into())]),
            url: "intro/index.html?mode=full".into(),
            launch_method: LaunchMethod::OwnWindow,
            move_on: MoveOn::Completed,
            mastery_score: Some(0.75),
            launch_parameters: Some("Start=1,QuizMode=1".into()),
            entitlement_key: Some("xyz-123".into()),
            activity_type: Some("http://adlnet.gov/expapi/activities/media".into()),
        }
    );
    let aus = course.aus();
    assert_eq!(
        (aus[1].move_on, aus[1].mastery_score),
        (MoveOn::Passed, Some(1.0))
    );
    assert_eq!(
        (aus[2].move_on, aus[2].mastery_score),
        (MoveOn::CompletedOrPassed, Some(0.0))
    );
    assert_eq!(aus[2].url, "https://cdn.example/a2.html");
    assert_eq!(aus[3].move_on, MoveOn::NotApplicable);
    assert_eq!(aus[4].move_on, MoveOn::CompletedAndPassed);
    assert_eq!(aus[4].url, "last.html");
    assert_eq!(aus[1].description.best("en"), Some("A1."));

    let Node::Block(outer) = &course.children[1] else {
        panic!("expected the outer block")
    };
    assert_eq!(outer.description.best("en"), Some("Two parts."));
    assert_eq!(outer.children.len(), 3);
    assert!(matches!(&outer.children[1], Node::Block(inner) if inner.children.len() == 1));
}

#[test]
fn a_parsed_course_round_trips_through_json() {
    let course = parse_cmi5(FULL).unwrap();
    let json = serde_json::to_string(&course).unwrap();
    assert_eq!(serde_json::from_str::<Course>(&json).unwrap(), course);
}

#[test]
fn au_attributes_take_the_spec_defaults() {
    let course = parse_cmi5(&course_with(&au("a", ""))).unwrap();
    let au = course.aus()[0];
    assert_eq!(au.launch_method, LaunchMethod::AnyWindow);
    assert_eq!(au.move_on, MoveOn::NotApplicable);
    assert_eq!(au.mastery_score, None);
    assert_eq!(
        (
            &au.launch_parameters,
            &au.entitlement_key,
            &au.activity_type
        ),
        (&None, &None, &None)
    );
    assert!(course.audiences.is_empty());
}

#[test]
fn the_shipped_packages_parse_with_sixteen_aus() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packages");
    let mut courses = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let manifest = entry.unwrap().path().join("cmi5.xml");
        if manifest.is_file() {
            let xml = std::fs::read_to_string(&manifest).unwrap();
            let course = parse_cmi5(&xml).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
            courses.push(course);
        }
    }
    assert_eq!(courses.len(), 8);
    assert_eq!(courses.iter().map(|c| c.aus().len()).sum::<usize>(), 16);
    let executives = courses
        .iter()
        .find(|c| c.id == "https://blackbelt.example/courses/executives")
        .unwrap();
    assert_eq!(executives.audiences, ["executives"]);
    assert_eq!(executives.aus()[0].mastery_score, Some(0.8));
    assert_eq!(executives.aus()[0].move_on, MoveOn::CompletedAndPassed);
}
