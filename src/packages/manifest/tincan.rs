//! `tincan.xml` (Articulate Storyline, Rustici and similar exports) into a [`Course`]
//! with one AU: the activity that can be launched.
//! Format: the TinCan package manifest, `http://projecttincan.com/tincan.xsd`.

use super::model::{Au, Course, Format, LangString, LaunchMethod, ManifestError, MoveOn, Node};
use super::xml::{self, Child, Loc};

const NAMESPACE: &str = "http://projecttincan.com/tincan.xsd";

/// The activity type exporters give the launchable course activity.
const COURSE_TYPE: &str = "http://adlnet.gov/expapi/activities/course";

/// Parses a `tincan.xml`. Elements it does not read (interactions, objectives,
/// exporter extras) are ignored: the format is loosely specified and exporters differ.
pub fn parse_tincan(xml: &str) -> Result<Course, ManifestError> {
    let document = xml::open(xml)?;
    let root = document.root_element();
    let at = Loc::root(root.tag_name().name());
    if root.tag_name().namespace() != Some(NAMESPACE) || root.tag_name().name() != "tincan" {
        return Err(at.error(format!(
            "the root element must be tincan in namespace {NAMESPACE}"
        )));
    }
    let mut list = None;
    for child in xml::children(root, &at, NAMESPACE, &[])? {
        if child.name_in(NAMESPACE) == Some("activities") {
            let loc = child.loc.clone();
            xml::once(&mut list, child, &loc)?;
        }
    }
    let list = list.ok_or_else(|| {
        at.child("activities")
            .error("is required: the list of activities")
    })?;
    let activities: Vec<Child> = xml::children(list.node, &list.loc, NAMESPACE, &["activity"])?
        .into_iter()
        .filter(|c| c.name_in(NAMESPACE) == Some("activity"))
        .collect();
    let launchable = |a: &&Child| {
        a.node
            .children()
            .any(|c| c.tag_name().namespace() == Some(NAMESPACE) && c.tag_name().name() == "launch")
    };
    let chosen = activities
        .iter()
        .filter(launchable)
        .find(|a| xml::attr(a.node, "type") == Some(COURSE_TYPE))
        .or_else(|| activities.iter().find(launchable))
        .ok_or_else(|| {
            list.loc.error(
                "no activity has a launch element, so there is nothing to start; \
                 the course activity needs one, such as <launch>index_lms.html</launch>",
            )
        })?;
    let au = activity(chosen)?;
    Ok(Course {
        id: au.id.clone(),
        title: au.title.clone(),
        description: au.description.clone(),
        audiences: Vec::new(),
        format: Format::TinCan,
        children: vec![Node::Au(au)],
    })
}

/// The launchable activity as an AU. TinCan has no moveOn; NotApplicable keeps the
/// course from waiting for verbs the content may never send.
fn activity(el: &Child) -> Result<Au, ManifestError> {
    let id = xml::iri(xml::attr(el.node, "id"), &el.loc.attr("id"))?;
    let activity_type = match xml::attr(el.node, "type") {
        None => None,
        some => Some(xml::iri(some, &el.loc.attr("type"))?),
    };
    let (mut title, mut description, mut url) =
        (LangString::default(), LangString::default(), None);
    for child in xml::children(el.node, &el.loc, NAMESPACE, &[])? {
        // Text without a lang attribute is in an undetermined language (RFC 5646 "und").
        let lang = || Some(xml::attr(child.node, "lang").unwrap_or("und"));
        match child.name_in(NAMESPACE) {
            Some("name") => xml::push_lang(
                &mut title,
                lang(),
                xml::text(&child)?,
                &child.loc.attr("lang"),
            )?,
            Some("description") => xml::push_lang(
                &mut description,
                lang(),
                xml::text(&child)?,
                &child.loc.attr("lang"),
            )?,
            Some("launch") => xml::once(
                &mut url,
                (xml::text(&child)?, child.loc.clone()),
                &child.loc,
            )?,
            _ => {}
        }
    }
    let (url, url_at) = url.ok_or_else(|| el.loc.child("launch").error("is required"))?;
    if url.is_empty() {
        return Err(url_at.error("must not be empty: it is the page the course launches"));
    }
    Ok(Au {
        id,
        title,
        description,
        url,
        launch_method: LaunchMethod::AnyWindow,
        move_on: MoveOn::NotApplicable,
        mastery_score: None,
        launch_parameters: None,
        entitlement_key: None,
        activity_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tincan(activities: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8" standalone="yes"?>
            <tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>{activities}</activities></tincan>"#
        )
    }

    const STORYLINE: &str = r#"
        <activity id="https://t.example/course/q1" type="http://adlnet.gov/expapi/activities/cmi.interaction">
          <name lang="und">Question 1</name><interactionType>choice</interactionType>
        </activity>
        <activity id="https://t.example/course" type="http://adlnet.gov/expapi/activities/course">
          <name>Storyline course</name>
          <name lang="de-DE">Storyline-Kurs</name>
          <description lang="en-US">
            About it
          </description>
          <launch lang="und">index_lms.html</launch>
        </activity>"#;

    #[test]
    fn the_launchable_course_activity_becomes_a_course_with_one_au() {
        let course = parse_tincan(&tincan(STORYLINE)).unwrap();
        assert_eq!(course.id, "https://t.example/course");
        assert_eq!(course.format, Format::TinCan);
        assert!(course.audiences.is_empty());
        assert_eq!(
            course.title.0,
            [
                ("und".to_string(), "Storyline course".to_string()),
                ("de-DE".to_string(), "Storyline-Kurs".to_string()),
            ]
        );
        assert_eq!(course.description.best("en"), Some("About it"));
        let aus = course.aus();
        assert_eq!(aus.len(), 1);
        let au = aus[0];
        assert_eq!(au.id, course.id);
        assert_eq!(au.url, "index_lms.html");
        assert_eq!(au.title, course.title);
        assert_eq!(au.description, course.description);
        assert_eq!(au.move_on, MoveOn::NotApplicable);
        assert_eq!(au.launch_method, LaunchMethod::AnyWindow);
        assert_eq!(au.activity_type.as_deref(), Some(COURSE_TYPE));
        assert_eq!(au.mastery_score, None);
    }

    #[test]
    fn a_launchable_course_activity_wins_over_an_earlier_launchable_one() {
        let xml = tincan(
            r#"<activity id="https://t.example/module"><launch>module.html</launch></activity>
               <activity id="https://t.example/course" type="http://adlnet.gov/expapi/activities/course">
                 <launch>index.html</launch></activity>"#,
        );
        let course = parse_tincan(&xml).unwrap();
        assert_eq!(course.id, "https://t.example/course");
        assert_eq!(course.aus()[0].url, "index.html");
    }

    #[test]
    fn without_a_course_type_the_first_launchable_activity_is_the_course() {
        let xml = tincan(
            r#"<activity id="https://t.example/q"><name>Q</name></activity>
               <activity id="https://t.example/a" type="http://adlnet.gov/expapi/activities/module">
                 <launch>a.html</launch></activity>
               <activity id="https://t.example/b"><launch>b.html</launch></activity>"#,
        );
        let course = parse_tincan(&xml).unwrap();
        assert_eq!(course.id, "https://t.example/a");
        assert!(course.title.is_empty());
    }

    #[test]
    fn no_launchable_activity_is_refused() {
        let xml = tincan(r#"<activity id="https://t.example/a"><name>A</name></activity>"#);
        let error = parse_tincan(&xml).unwrap_err();
        assert_eq!(error.path, "tincan/activities");
        assert!(
            error.rule.starts_with("no activity has a launch element"),
            "{error}"
        );
    }

    #[test]
    fn an_empty_launch_is_refused() {
        let xml = tincan(
            r#"<activity id="https://t.example/a"><launch lang="und">  </launch></activity>"#,
        );
        let error = parse_tincan(&xml).unwrap_err();
        assert_eq!(error.path, "tincan/activities/activity[1]/launch");
        assert!(error.rule.starts_with("must not be empty"), "{error}");
    }

    #[test]
    fn the_course_activity_id_must_be_an_absolute_iri() {
        let xml = tincan(r#"<activity id="course 1"><launch>a.html</launch></activity>"#);
        let error = parse_tincan(&xml).unwrap_err();
        assert_eq!(error.path, "tincan/activities/activity[1]/@id");
        assert!(error.rule.starts_with("must be an absolute IRI"), "{error}");
    }

    #[test]
    fn the_root_must_be_tincan_in_its_namespace() {
        let error = parse_tincan("<tincan><activities/></tincan>").unwrap_err();
        assert_eq!(error.path, "tincan");
        assert!(error.rule.contains(NAMESPACE), "{error}");
        let error =
            parse_tincan(r#"<tincan xmlns="http://projecttincan.com/tincan.xsd"/>"#).unwrap_err();
        assert_eq!(error.path, "tincan/activities");
        assert_eq!(error.rule, "is required: the list of activities");
    }

    #[test]
    fn a_name_given_twice_in_one_language_is_refused() {
        let xml = tincan(
            r#"<activity id="https://t.example/a"><name>A</name><name lang="und">B</name>
               <launch>a.html</launch></activity>"#,
        );
        let error = parse_tincan(&xml).unwrap_err();
        assert_eq!(error.path, "tincan/activities/activity[1]/name[2]/@lang");
        assert!(error.rule.contains("twice"), "{error}");
    }
}
