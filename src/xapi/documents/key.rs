//! Which document a request names: the resource, its scope (activity, agent,
//! registration) and the document id, parsed from the query string.
//! Spec: xAPI-Communication 2.3 (State), 2.6 (Agent Profile), 2.7 (Activity Profile).

use crate::error::Error;
use crate::xapi::statements::index::{agent_key, key_text};
use crate::xapi::validate::time::parse_timestamp;
use crate::xapi::validate::{JsonPath, agent_or_group, is_absolute_iri, is_uuid, parse_unique};

/// The three document resources. Stored as a small integer; never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    State = 1,
    ActivityProfile = 2,
    AgentProfile = 3,
}

impl DocumentKind {
    pub fn code(self) -> i16 {
        self as i16
    }

    /// The query parameter naming one document.
    pub fn id_param(self) -> &'static str {
        match self {
            DocumentKind::State => "stateId",
            _ => "profileId",
        }
    }

    fn known_params(self) -> &'static [&'static str] {
        match self {
            DocumentKind::State => &["activityId", "agent", "registration", "stateId", "since"],
            DocumentKind::ActivityProfile => &["activityId", "profileId", "since"],
            DocumentKind::AgentProfile => &["agent", "profileId", "since"],
        }
    }

    pub fn resource(self) -> &'static str {
        match self {
            DocumentKind::State => "/activities/state",
            DocumentKind::ActivityProfile => "/activities/profile",
            DocumentKind::AgentProfile => "/agents/profile",
        }
    }
}

/// The set of documents one id listing or scope-wide delete covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentScope {
    pub kind: DocumentKind,
    /// Empty when the resource has no activity (Agent Profile).
    pub activity_key: String,
    /// Empty when the resource has no agent (Activity Profile).
    pub agent_key: String,
    /// Empty when no registration was given.
    pub registration: String,
}

/// A parsed document request: its scope, the document id if one was named, and `since`.
#[derive(Debug, Clone)]
pub struct DocumentParams {
    pub scope: DocumentScope,
    pub doc_id: Option<String>,
    pub since_us: Option<i64>,
}

impl DocumentParams {
    /// Parses and validates the query string of a request to `kind`.
    pub fn parse(kind: DocumentKind, query: &str) -> Result<DocumentParams, Error> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in crate::xapi::query::pairs(Some(query)) {
            if !kind.known_params().contains(&name.as_ref()) {
                return Err(Error::BadRequest(format!(
                    "unknown parameter `{name}`; {} accepts {}",
                    kind.resource(),
                    kind.known_params().join(", ")
                )));
            }
            if pairs.iter().any(|(k, _)| *k == name) {
                return Err(Error::BadRequest(format!(
                    "parameter `{name}` is given more than once"
                )));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let activity_key = match kind {
            DocumentKind::AgentProfile => String::new(),
            _ => activity_param(get("activityId"))?,
        };
        let agent_key = match kind {
            DocumentKind::ActivityProfile => String::new(),
            _ => agent_param(get("agent"))?,
        };
        let registration = match get("registration") {
            None => String::new(),
            Some(text) if is_uuid(text) => text.to_ascii_lowercase(),
            Some(text) => {
                return Err(Error::BadRequest(format!(
                    "parameter `registration` must be a UUID, got {text:?}"
                )));
            }
        };
        let since_us = get("since")
            .map(|text| {
                parse_timestamp(text)
                    .map(|ts| ts.as_microsecond())
                    .map_err(|why| Error::BadRequest(format!("parameter `since` {text:?}: {why}")))
            })
            .transpose()?;
        let doc_id = get(kind.id_param());
        if doc_id.is_some_and(|id| id.contains('\0')) {
            // Ids are listed back as given, and PostgreSQL text cannot hold NUL.
            return Err(Error::BadRequest(format!(
                "parameter `{}` must not contain the character U+0000",
                kind.id_param()
            )));
        }
        Ok(DocumentParams {
            scope: DocumentScope {
                kind,
                activity_key,
                agent_key,
                registration,
            },
            doc_id: doc_id.map(str::to_owned),
            since_us,
        })
    }

    /// The document id, which this request must name.
    pub fn require_doc_id(&self) -> Result<&str, Error> {
        let name = self.scope.kind.id_param();
        if self.since_us.is_some() {
            return Err(Error::BadRequest(format!(
                "parameter `since` lists ids; it cannot be combined with `{name}`"
            )));
        }
        self.doc_id
            .as_deref()
            .ok_or_else(|| Error::BadRequest(format!("parameter `{name}` is required")))
    }
}

/// The stored, bounded form of a document id.
pub fn doc_key(doc_id: &str) -> String {
    key_text(doc_id.to_owned())
}

fn activity_param(value: Option<&str>) -> Result<String, Error> {
    match value {
        None => Err(Error::BadRequest(
            "parameter `activityId` is required".into(),
        )),
        Some(iri) if is_absolute_iri(iri) => Ok(key_text(iri.to_owned())),
        Some(other) => Err(Error::BadRequest(format!(
            "parameter `activityId` must be an absolute IRI, got {other:?}"
        ))),
    }
}

/// `agent`: JSON of an Agent (or identified Group) with exactly one IFI.
pub fn agent_param(value: Option<&str>) -> Result<String, Error> {
    let text = value.ok_or_else(|| Error::BadRequest("parameter `agent` is required".into()))?;
    let agent = parse_unique(text.as_bytes(), "agent")
        .map_err(|e| Error::BadRequest(format!("parameter `agent` is not JSON: {e}")))?;
    agent_or_group(&agent, &JsonPath::root("agent"))?;
    agent_key(&agent).ok_or_else(|| {
        Error::BadRequest("parameter `agent` must identify an Agent or identified Group".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: &str = r#"{"mbox":"mailto:a@example.com"}"#;

    fn query(pairs: &[(&str, &str)]) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    #[test]
    fn state_needs_activity_and_agent() {
        let q = query(&[("agent", AGENT), ("stateId", "s")]);
        let err = DocumentParams::parse(DocumentKind::State, &q).unwrap_err();
        assert!(err.to_string().contains("activityId"), "{err}");
        let q = query(&[("activityId", "http://x.example/a"), ("stateId", "s")]);
        let err = DocumentParams::parse(DocumentKind::State, &q).unwrap_err();
        assert!(err.to_string().contains("agent"), "{err}");
    }

    #[test]
    fn registration_is_normalised_and_checked() {
        let reg = "A0B1C2D3-0000-4000-8000-000000000000";
        let q = query(&[
            ("activityId", "http://x.example/a"),
            ("agent", AGENT),
            ("registration", reg),
        ]);
        let params = DocumentParams::parse(DocumentKind::State, &q).unwrap();
        assert_eq!(params.scope.registration, reg.to_ascii_lowercase());
        let q = query(&[
            ("activityId", "http://x.example/a"),
            ("agent", AGENT),
            ("registration", "nope"),
        ]);
        assert!(DocumentParams::parse(DocumentKind::State, &q).is_err());
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let q = query(&[("activityId", "http://x.example/a"), ("agent", AGENT)]);
        assert!(DocumentParams::parse(DocumentKind::ActivityProfile, &q).is_err());
        let q = query(&[("agent", AGENT), ("agent", AGENT)]);
        assert!(DocumentParams::parse(DocumentKind::AgentProfile, &q).is_err());
    }

    #[test]
    fn agents_with_two_ifis_are_refused() {
        let q = query(&[(
            "agent",
            r#"{"mbox":"mailto:a@example.com","openid":"http://o.example/a"}"#,
        )]);
        assert!(DocumentParams::parse(DocumentKind::AgentProfile, &q).is_err());
    }
}
