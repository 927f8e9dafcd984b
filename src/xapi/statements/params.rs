//! Query parameters of GET /statements, parsed into a filter, and the opaque `more`
//! cursor that carries a filter and a position from one page to the next.
//! Spec: xAPI-Communication 2.1.3 (GET Statements), 2.1.4 (StatementResult `more`).

use super::format::Format;
use super::index::{KeyKind, agent_key, key_text};
use super::read::{Position, StatementFilter};
use crate::error::Error;
use crate::xapi::validate::time::parse_timestamp;
use crate::xapi::validate::{JsonPath, agent_or_group, is_uuid, parse_unique};

/// The parameters GET /statements accepts; anything else is refused.
pub const KNOWN: [&str; 15] = [
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "more",
];

/// Parameters allowed beside statementId / voidedStatementId.
pub const SINGLE_ALLOWED: [&str; 4] = ["statementId", "voidedStatementId", "format", "attachments"];

/// Raw text of the query parameters (as sent), keyed by name.
pub type RawParams = Vec<(String, String)>;

pub fn get<'a>(params: &'a RawParams, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn flag(params: &RawParams, name: &str) -> Result<bool, Error> {
    match get(params, name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Error::BadRequest(format!(
            "parameter `{name}` must be true or false, got {other:?}"
        ))),
    }
}

pub fn format(params: &RawParams) -> Result<Format, Error> {
    match get(params, "format") {
        None => Ok(Format::Exact),
        Some(text) => Format::parse(text).ok_or_else(|| {
            Error::BadRequest(format!(
                "parameter `format` must be ids, exact or canonical, got {text:?}"
            ))
        }),
    }
}

/// Builds the filter of a query from its parameters.
pub fn filter(params: &RawParams) -> Result<StatementFilter, Error> {
    let mut filter = StatementFilter {
        ascending: flag(params, "ascending")?,
        ..StatementFilter::default()
    };
    if let Some(text) = get(params, "agent") {
        let agent = parse_unique(text.as_bytes(), "agent")
            .map_err(|e| Error::BadRequest(format!("parameter `agent` is not JSON: {e}")))?;
        agent_or_group(&agent, &JsonPath::root("agent"))?;
        let key = agent_key(&agent).ok_or_else(|| {
            Error::BadRequest("parameter `agent` must identify an Agent or identified Group".into())
        })?;
        let kind = if flag(params, "related_agents")? {
            KeyKind::RelatedAgent
        } else {
            KeyKind::Agent
        };
        filter.add_key(kind, key);
    }
    if let Some(verb) = get(params, "verb") {
        require_iri("verb", verb)?;
        filter.add_key(KeyKind::Verb, key_text(verb.to_owned()));
    }
    if let Some(activity) = get(params, "activity") {
        require_iri("activity", activity)?;
        let kind = if flag(params, "related_activities")? {
            KeyKind::RelatedActivity
        } else {
            KeyKind::Activity
        };
        filter.add_key(kind, key_text(activity.to_owned()));
    }
    if let Some(registration) = get(params, "registration") {
        if !is_uuid(registration) {
            return Err(Error::BadRequest(format!(
                "parameter `registration` must be a UUID, got {registration:?}"
            )));
        }
        filter.add_key(KeyKind::Registration, registration.to_ascii_lowercase());
    }
    filter.since_us = time_param(params, "since")?;
    filter.until_us = time_param(params, "until")?;
    Ok(filter)
}

fn require_iri(name: &str, value: &str) -> Result<(), Error> {
    if crate::xapi::validate::is_absolute_iri(value) {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "parameter `{name}` must be an absolute IRI, got {value:?}"
        )))
    }
}

fn time_param(params: &RawParams, name: &str) -> Result<Option<i64>, Error> {
    get(params, name)
        .map(|text| {
            parse_timestamp(text)
                .map(|ts| ts.as_microsecond())
                .map_err(|why| Error::BadRequest(format!("parameter `{name}` {text:?}: {why}")))
        })
        .transpose()
}

/// `limit`: absent means the default page size, 0 the server maximum.
pub fn limit(params: &RawParams, default: u32, max: u32) -> Result<u32, Error> {
    match get(params, "limit") {
        None => Ok(default.min(max)),
        Some(text) => match text.parse::<u32>() {
            Ok(0) => Ok(max),
            Ok(n) => Ok(n.min(max)),
            Err(_) => Err(Error::BadRequest(format!(
                "parameter `limit` must be a non-negative integer, got {text:?}"
            ))),
        },
    }
}

/// Everything needed to fetch the next page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    pub filter: StatementFilter,
    pub after: Position,
    pub limit: u32,
    pub format: Format,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> RawParams {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn agent_parameter_becomes_an_agent_key() {
        let filter = filter(&params(&[("agent", r#"{"mbox":"mailto:a@b.c"}"#)])).unwrap();
        assert_eq!(
            filter.keys,
            vec![(KeyKind::Agent.code(), "mbox:mailto:a@b.c".to_owned())]
        );
    }

    #[test]
    fn invalid_agent_parameter_is_a_bad_request() {
        assert!(filter(&params(&[("agent", "mailto:a@b.c")])).is_err());
        assert!(filter(&params(&[("agent", r#"{"name":"x"}"#)])).is_err());
    }

    #[test]
    fn registration_drives_the_scan() {
        let filter = filter(&params(&[
            ("verb", "http://v"),
            ("registration", "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
        ]))
        .unwrap();
        assert_eq!(filter.keys[0].0, KeyKind::Registration.code());
    }

    #[test]
    fn limit_zero_means_the_maximum() {
        assert_eq!(limit(&params(&[("limit", "0")]), 100, 500).unwrap(), 500);
        assert_eq!(limit(&params(&[("limit", "10")]), 100, 500).unwrap(), 10);
        assert_eq!(limit(&params(&[]), 100, 500).unwrap(), 100);
        assert!(limit(&params(&[("limit", "-1")]), 100, 500).is_err());
    }
}
