//! The valid variants of the 1EdTech certification: each must be accepted, with roles,
//! name and email read as sent.

use super::*;
use crate::lti::claims::DEEP_LINKING_SETTINGS;

#[test]
fn good_launch_is_accepted_with_every_field_read() {
    let c = check(&sign(&good_claims())).unwrap();
    assert_eq!((c.issuer.as_str(), c.subject.as_str()), (ISS, "user-42"));
    assert_eq!(
        (c.audience_client_id.as_str(), c.deployment_id.as_str()),
        (CLIENT, DEPLOYMENT)
    );
    assert_eq!(c.message_type, MessageType::ResourceLink);
    assert_eq!(
        c.target_link_uri.as_deref(),
        Some("https://tool.example/launch")
    );
    assert_eq!(c.resource_link_id.as_deref(), Some("link-7"));
    assert_eq!(c.resource_link_title.as_deref(), Some("Week 1"));
    assert_eq!(c.given_name.as_deref(), Some("Ada"));
    assert_eq!(c.family_name.as_deref(), Some("Lovelace"));
    assert_eq!(c.context_id.as_deref(), Some("course-9"));
    assert_eq!(c.context_title.as_deref(), Some("Social Media 101"));
    assert_eq!(c.custom.get("tier"), Some(&json!("white")));
    assert_eq!(
        c.return_url.as_deref(),
        Some("https://lms.example.edu/return")
    );
    assert!(c.ags.is_some() && c.nrps.is_none() && c.deep_linking.is_none());
    assert_eq!(c.nonce, "nonce-1");
}

/// Variant, claims, then the roles, name and email it must be read with.
type Row = (
    &'static str,
    Value,
    Vec<Role>,
    Option<&'static str>,
    Option<&'static str>,
);

#[test]
fn valid_variants_are_accepted_with_roles_names_and_email_mapped() {
    use Role::{Administrator, Instructor, Learner, Other};
    let v2 = |suffix: &str| format!("{V2}{suffix}");
    let (ada, mail) = (Some("Ada Lovelace"), Some("ada@example.edu"));
    let names = ["name", "given_name", "family_name"];
    let no_pii = ["name", "given_name", "family_name", "email"];
    let multiple = json!([
        v2("membership#Learner"),
        v2("institution/person#Student"),
        v2("membership#Mentor")
    ]);
    let admins = json!([
        v2("institution/person#Administrator"),
        v2("system/person#Administrator")
    ]);
    let azp = with(
        set("aud", json!(["other-tool", CLIENT])),
        "azp",
        json!(CLIENT),
    );
    let rows: Vec<Row> = vec![
        (
            "multiple roles",
            set(ROLES, multiple),
            vec![Learner, Other],
            ada,
            mail,
        ),
        (
            "short role names",
            set(ROLES, json!(["Learner", "Instructor"])),
            vec![Learner, Instructor],
            ada,
            mail,
        ),
        (
            "unknown role",
            set(ROLES, json!(["http://example.com/r#Wizard"])),
            vec![Other],
            ada,
            mail,
        ),
        ("no role", set(ROLES, json!([])), vec![], ada, mail),
        (
            "administrators",
            set(ROLES, admins),
            vec![Administrator],
            ada,
            mail,
        ),
        ("email only", omit(&names), vec![Learner], None, mail),
        ("names only", omit(&["email"]), vec![Learner], ada, None),
        ("no PII", omit(&no_pii), vec![Learner], None, None),
        ("no context", omit(&[CONTEXT]), vec![Learner], ada, mail),
        (
            "aud as a one-entry array",
            set("aud", json!([CLIENT])),
            vec![Learner],
            ada,
            mail,
        ),
        ("several audiences with azp", azp, vec![Learner], ada, mail),
        (
            "expired within the leeway",
            set("exp", json!(NOW - 30)),
            vec![Learner],
            ada,
            mail,
        ),
        (
            "issued ahead within the leeway",
            set("iat", json!(NOW + 30)),
            vec![Learner],
            ada,
            mail,
        ),
        (
            "fractional times",
            set("exp", json!(NOW as f64 + 0.5)),
            vec![Learner],
            ada,
            mail,
        ),
    ];
    for (name, claims, roles, full_name, email) in rows {
        let c = check(&sign(&claims)).unwrap_or_else(|e| panic!("{name}: refused: {e}"));
        assert_eq!(c.roles, roles, "{name}");
        assert_eq!(c.name.as_deref(), full_name, "{name}");
        assert_eq!(c.email.as_deref(), email, "{name}");
        assert_eq!(c.audience_client_id, CLIENT, "{name}");
    }
}

#[test]
fn no_context_leaves_context_fields_empty() {
    let c = check(&sign(&omit(&[CONTEXT]))).unwrap();
    assert_eq!((c.context_id, c.context_title), (None, None));
}

#[test]
fn deep_linking_launch_is_accepted_without_a_resource_link() {
    let settings = json!({
        "deep_link_return_url": "https://lms.example.edu/dl",
        "accept_types": ["ltiResourceLink"]
    });
    let claims = with(
        omit(&[RESOURCE_LINK]),
        MESSAGE_TYPE,
        json!("LtiDeepLinkingRequest"),
    );
    let c = check(&sign(&with(claims, DEEP_LINKING_SETTINGS, settings))).unwrap();
    assert_eq!(c.message_type, MessageType::DeepLinking);
    let dl = c.deep_linking.unwrap();
    assert_eq!(dl.return_url, "https://lms.example.edu/dl");
    assert_eq!(dl.accept_types, ["ltiResourceLink"]);
}
