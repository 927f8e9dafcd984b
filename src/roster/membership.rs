//! NRPS 2.0 wire formats, read once into our types: the launch claim
//! (`context_memberships_url`, `service_versions`) and a membership container page
//! (`context`, `members[]`). Pure.
//! <https://www.imsglobal.org/spec/lti-nrps/v2p0#membership-container-media-type>

use serde_json::Value;

/// NRPS §2.2: the token scope that reads a context's memberships.
pub const SCOPE: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
/// NRPS §2.1: the media type of the membership container, sent as `Accept`.
pub const MEDIA_TYPE: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

/// What a launch's NRPS claim says about its context's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterService {
    /// An absolute http(s) URL.
    pub memberships_url: String,
    pub service_versions: Vec<String>,
}

/// The NRPS claim as stored in a launch's `services.nrps`, or why it cannot be used.
pub fn roster_service(claim: &Value) -> Result<RosterService, String> {
    let url = claim
        .get("context_memberships_url")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or("the NRPS claim has no context_memberships_url")?;
    let parsed = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or("the NRPS claim's context_memberships_url is not an absolute http(s) URL")?;
    let service_versions: Vec<String> = match claim.get("service_versions") {
        None | Some(Value::Null) => vec!["2.0".to_owned()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(_) => return Err("the NRPS claim's service_versions is not an array".into()),
    };
    if !service_versions.iter().any(|v| v == "2.0") {
        return Err(format!(
            "the NRPS claim offers service versions {service_versions:?}, not 2.0"
        ));
    }
    Ok(RosterService {
        memberships_url: parsed.to_string(),
        service_versions,
    })
}

/// A member's status in the context (NRPS §2.3: `Active` when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    Active,
    Inactive,
    Deleted,
}

impl MemberStatus {
    pub fn name(self) -> &'static str {
        match self {
            MemberStatus::Active => "Active",
            MemberStatus::Inactive => "Inactive",
            MemberStatus::Deleted => "Deleted",
        }
    }

    /// The spec's names; any letter case, since some platforms lower-case them.
    pub fn parse(name: &str) -> Option<MemberStatus> {
        [
            MemberStatus::Active,
            MemberStatus::Inactive,
            MemberStatus::Deleted,
        ]
        .into_iter()
        .find(|s| s.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// One member of a roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user_id: String,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub sourced_id: Option<String>,
    pub roles: Vec<String>,
    pub status: MemberStatus,
}

/// One page of a membership container.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// The container's `context.id` and `context.title`, when given.
    pub context_id: Option<String>,
    pub context_title: Option<String>,
    pub members: Vec<Member>,
    /// Entries that are not members we can keep (no `user_id`, an unknown status).
    pub skipped: usize,
}

/// A membership container page, or what is wrong with it.
pub fn page(body: &Value) -> Result<Page, String> {
    let Some(container) = body.as_object() else {
        return Err("the membership container is not a JSON object".into());
    };
    let Some(list) = container.get("members").and_then(Value::as_array) else {
        return Err("the membership container has no members array".into());
    };
    let context = container.get("context");
    let mut out = Page {
        context_id: context.and_then(|c| text(c, "id")),
        context_title: context.and_then(|c| text(c, "title")),
        ..Page::default()
    };
    for entry in list {
        match member(entry) {
            Some(m) => out.members.push(m),
            None => out.skipped += 1,
        }
    }
    Ok(out)
}

fn member(entry: &Value) -> Option<Member> {
    let status = match entry.get("status") {
        None | Some(Value::Null) => MemberStatus::Active,
        Some(Value::String(s)) => MemberStatus::parse(s)?,
        Some(_) => return None,
    };
    Some(Member {
        user_id: text(entry, "user_id")?,
        name: text(entry, "name"),
        given_name: text(entry, "given_name"),
        family_name: text(entry, "family_name"),
        email: text(entry, "email"),
        sourced_id: text(entry, "lis_person_sourcedid"),
        roles: entry
            .get("roles")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        status,
    })
}

/// A non-empty string field.
fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_claim_with_a_url_and_version_2_is_a_roster_service() {
        let s = roster_service(
            &json!({"context_memberships_url": "https://lms.example/m?c=1",
            "service_versions": ["1.0", "2.0"]}),
        )
        .unwrap();
        assert_eq!(s.memberships_url, "https://lms.example/m?c=1");
        assert_eq!(s.service_versions, vec!["1.0", "2.0"]);
        let bare = roster_service(&json!({"context_memberships_url": "https://lms.example/m"}));
        assert_eq!(bare.unwrap().service_versions, vec!["2.0"]);
    }

    #[test]
    fn a_claim_without_a_usable_url_or_version_2_is_refused_with_its_reason() {
        let no_url = roster_service(&json!({"service_versions": ["2.0"]})).unwrap_err();
        assert!(no_url.contains("context_memberships_url"), "{no_url}");
        let relative = roster_service(&json!({"context_memberships_url": "/m"})).unwrap_err();
        assert!(relative.contains("absolute"), "{relative}");
        let old = roster_service(&json!({"context_memberships_url": "https://l/m",
            "service_versions": ["1.0"]}))
        .unwrap_err();
        assert!(old.contains("not 2.0"), "{old}");
    }

    #[test]
    fn a_page_keeps_each_member_s_fields_and_defaults_status_to_active() {
        let p = page(
            &json!({"id": "x", "context": {"id": "c1", "title": "Safety 101"},
            "members": [
              {"user_id": "u1", "name": "Ada L", "given_name": "Ada", "family_name": "L",
               "email": "ada@x", "lis_person_sourcedid": "S1",
               "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]},
              {"user_id": "u2", "status": "Inactive", "roles": []}
            ]}),
        )
        .unwrap();
        assert_eq!(p.context_id.as_deref(), Some("c1"));
        assert_eq!(p.context_title.as_deref(), Some("Safety 101"));
        assert_eq!(p.members.len(), 2);
        let ada = &p.members[0];
        assert_eq!(ada.status, MemberStatus::Active);
        assert_eq!(ada.given_name.as_deref(), Some("Ada"));
        assert_eq!(ada.sourced_id.as_deref(), Some("S1"));
        assert_eq!(ada.roles.len(), 1);
        assert_eq!(p.members[1].status, MemberStatus::Inactive);
        assert_eq!(
            MemberStatus::parse("inactive"),
            Some(MemberStatus::Inactive)
        );
    }

    #[test]
    fn entries_without_user_id_or_with_an_unknown_status_are_skipped_and_counted() {
        let p = page(
            &json!({"members": [{"name": "nobody"}, {"user_id": "u", "status": "Gone"},
            {"user_id": "v"}]}),
        )
        .unwrap();
        assert_eq!(p.members.len(), 1);
        assert_eq!(p.skipped, 2);
    }

    #[test]
    fn a_body_that_is_not_a_container_is_an_error() {
        assert!(page(&json!([])).is_err());
        assert!(page(&json!({"members": "no"})).is_err());
    }
}
