use serde_json::{Value, json};

use super::*;

const V2: &str = "http://purl.imsglobal.org/vocab/lis/v2/";

#[test]
fn roles_map_from_full_uris_short_names_and_lti_1_1_urns() {
    let rows: &[(&str, Role)] = &[
        ("membership#Learner", Role::Learner),
        ("membership#Instructor", Role::Instructor),
        ("membership#ContentDeveloper", Role::Instructor),
        ("membership#Administrator", Role::Administrator),
        ("membership#Mentor", Role::Other),
        ("membership/Instructor#TeachingAssistant", Role::Instructor),
        ("membership/Learner#NonCreditLearner", Role::Learner),
        ("institution/person#Administrator", Role::Administrator),
        ("institution/person#Student", Role::Learner),
        ("institution/person#Faculty", Role::Other),
        ("institution/person#Instructor", Role::Other),
        ("system/person#Administrator", Role::Administrator),
        ("system/person#SysAdmin", Role::Administrator),
        ("system/person#User", Role::Other),
        ("membership", Role::Other),
    ];
    for (suffix, want) in rows {
        assert_eq!(Role::from_uri(&format!("{V2}{suffix}")), *want, "{suffix}");
    }
    let others: &[(&str, Role)] = &[
        ("Learner", Role::Learner),
        ("Instructor", Role::Instructor),
        ("Administrator", Role::Administrator),
        ("ContentDeveloper", Role::Instructor),
        ("Mentor", Role::Other),
        ("urn:lti:role:ims/lis/Learner", Role::Learner),
        (
            "urn:lti:role:ims/lis/Learner/NonCreditLearner",
            Role::Learner,
        ),
        ("urn:lti:role:ims/lis/TeachingAssistant", Role::Instructor),
        (
            "urn:lti:instrole:ims/lis/Administrator",
            Role::Administrator,
        ),
        ("urn:lti:sysrole:ims/lis/SysAdmin", Role::Administrator),
        ("http://example.com/roles#Wizard", Role::Other),
        ("", Role::Other),
    ];
    for (role, want) in others {
        assert_eq!(Role::from_uri(role), *want, "{role}");
    }
}

#[test]
fn the_manager_context_role_maps_to_manager_in_every_spelling() {
    for role in [
        format!("{V2}membership#Manager"),
        format!("{V2}membership/Manager#AreaManager"),
        "Manager".to_owned(),
        "urn:lti:role:ims/lis/Manager".to_owned(),
        "urn:lti:role:ims/lis/Manager/AreaManager".to_owned(),
    ] {
        assert_eq!(Role::from_uri(&role), Role::Manager, "{role}");
    }
    // Not an LIS institution or system role: it says nothing about this course.
    assert_eq!(
        Role::from_uri(&format!("{V2}institution/person#Manager")),
        Role::Other
    );
    assert_eq!(
        Role::from_uri(&format!("{V2}system/person#Manager")),
        Role::Other
    );
}

fn deep_linking_payload() -> Value {
    json!({
        "iss": "https://lms.example.edu",
        "aud": "client",
        "sub": "user-1",
        "nonce": "n-1",
        MESSAGE_TYPE: "LtiDeepLinkingRequest",
        VERSION: "1.3.0",
        DEPLOYMENT_ID: "d-1",
        ROLES: [format!("{V2}membership#Instructor")],
        DEEP_LINKING_SETTINGS: {
            "deep_link_return_url": "https://lms.example.edu/dl/return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": true,
            "data": "opaque-123"
        }
    })
}

#[test]
fn deep_linking_request_needs_no_resource_link_and_reads_its_settings() {
    let claims = read_claims(&deep_linking_payload()).unwrap();
    assert_eq!(claims.message_type, MessageType::DeepLinking);
    assert_eq!(claims.resource_link_id, None);
    let dl = claims.deep_linking.unwrap();
    assert_eq!(dl.return_url, "https://lms.example.edu/dl/return");
    assert_eq!(dl.accept_types, ["ltiResourceLink"]);
    assert_eq!(
        dl.accept_presentation_document_targets,
        ["iframe", "window"]
    );
    assert!(dl.accept_multiple);
    assert_eq!(dl.data, Some(serde_json::json!("opaque-123")));
}

#[test]
fn deep_linking_request_without_return_url_names_the_field() {
    let mut payload = deep_linking_payload();
    payload[DEEP_LINKING_SETTINGS]
        .as_object_mut()
        .unwrap()
        .remove("deep_link_return_url");
    let err = read_claims(&payload).unwrap_err();
    assert_eq!(err.code(), "missing_claim");
    assert!(err.to_string().contains("deep_link_return_url"), "{err}");
}

#[test]
fn deep_linking_accept_multiple_defaults_to_one_item() {
    let mut payload = deep_linking_payload();
    payload[DEEP_LINKING_SETTINGS]
        .as_object_mut()
        .unwrap()
        .remove("accept_multiple");
    let dl = read_claims(&payload).unwrap().deep_linking.unwrap();
    assert!(!dl.accept_multiple);
}

#[test]
fn claims_of_the_wrong_shape_are_invalid_not_missing() {
    let rows: &[(&str, Value)] = &[
        (CUSTOM, json!("x=1")),
        (CONTEXT, json!(["course"])),
        ("email", json!(42)),
        (ROLES, json!("Learner")),
        (ROLES, json!(["Learner", 7])),
    ];
    for (claim, value) in rows {
        let mut payload = deep_linking_payload();
        payload[*claim] = value.clone();
        let err = read_claims(&payload).unwrap_err();
        assert_eq!(err.code(), "invalid_claim", "{claim}: {err}");
        assert!(err.to_string().contains(claim), "{err}");
    }
}

#[test]
fn blank_and_null_optional_claims_read_as_absent() {
    let mut payload = deep_linking_payload();
    payload["email"] = json!("");
    payload["name"] = Value::Null;
    let claims = read_claims(&payload).unwrap();
    assert_eq!(claims.email, None);
    assert_eq!(claims.name, None);
}

#[test]
fn duplicate_roles_map_once_in_first_seen_order() {
    let mut payload = deep_linking_payload();
    payload[ROLES] = json!([
        "Instructor",
        format!("{V2}membership#Learner"),
        format!("{V2}institution/person#Student"),
        format!("{V2}membership#Instructor"),
    ]);
    let claims = read_claims(&payload).unwrap();
    assert_eq!(claims.roles, [Role::Instructor, Role::Learner]);
    assert_eq!(claims.raw_roles.len(), 4);
    assert!(claims.has_role(Role::Learner));
    assert!(!claims.has_role(Role::Administrator));
}
