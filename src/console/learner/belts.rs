//! A learner's awards as the page shows them: status in words, dates, what earned the
//! belt (a summary of the award's evidence) and the Open Badges credential when one
//! was issued (never issued by viewing the page).

use std::collections::HashMap;

use serde_json::Value;

use entities::{badge_credential, cert_award};

/// One award (held or lapsed).
pub struct BeltLine {
    pub belt: String,
    /// `Held`, `Expired` or `Revoked`.
    pub status: &'static str,
    /// `ok`, `warn` or `bad` (the tag's colour; the word says it too).
    pub tone: &'static str,
    pub earned: String,
    pub valid_until: String,
    pub expires: String,
    /// How it was earned, in words.
    pub evidence: String,
    /// Revoked: when, by whom, why.
    pub revoked: String,
    /// `/verify/<credential id>` when a credential was issued.
    pub credential: Option<String>,
}

pub fn lines(
    awards: Vec<cert_award::Model>,
    credentials: &[badge_credential::Model],
    names: &HashMap<String, String>,
) -> Vec<BeltLine> {
    let by_award: HashMap<i64, &str> = credentials
        .iter()
        .map(|c| (c.award_id, c.id.as_str()))
        .collect();
    awards
        .into_iter()
        .map(|a| {
            let (status, tone) = match a.status.as_str() {
                "active" => ("Held", "ok"),
                "expired" => ("Expired", "warn"),
                _ => ("Revoked", "bad"),
            };
            let when = |us: Option<i64>| us.map(super::when).unwrap_or_else(|| "—".into());
            let revoked = match a.revoked_us {
                Some(at) => format!(
                    "{} by {}: {}",
                    super::when(at),
                    a.revoked_by.as_deref().unwrap_or("someone"),
                    a.revoked_reason.as_deref().unwrap_or("no reason given")
                ),
                None => String::new(),
            };
            BeltLine {
                belt: names
                    .get(&a.belt_id)
                    .cloned()
                    .unwrap_or_else(|| a.belt_id.clone()),
                status,
                tone,
                earned: super::when(a.earned_us),
                valid_until: when(a.valid_until_us),
                expires: when(a.expires_us),
                evidence: evidence(&a.source, a.reason.as_deref(), &a.evidence),
                revoked,
                credential: by_award.get(&a.id).map(|id| {
                    let encoded: String =
                        url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
                    format!("/verify/{encoded}")
                }),
            }
        })
        .collect()
}

/// What earned an award, in words: `manual: <reason>`, or the kinds of what met it
/// ("2 AUs, 1 evidence").
pub fn evidence(source: &str, reason: Option<&str>, evidence: &Value) -> String {
    if source == "manual" {
        return format!("Awarded by hand: {}", reason.unwrap_or("no reason given"));
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for item in evidence.as_array().into_iter().flatten() {
        let kind = item
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("other")
            .to_owned();
        match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((kind, 1)),
        }
    }
    if counts.is_empty() {
        return "Earned by the rules".into();
    }
    let parts: Vec<String> = counts
        .into_iter()
        .map(|(kind, n)| {
            let word = match kind.as_str() {
                "au" => "AU",
                "course" => "course",
                "belt" => "belt held",
                "evidence" => "evidence approved",
                "statements" => "statement pattern",
                "attribute" => "attribute",
                _ => "other",
            };
            format!("{n} {word}")
        })
        .collect();
    format!("Earned by the rules: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evidence_is_summarised_by_kind() {
        let e = json!([{"kind": "au"}, {"kind": "au"}, {"kind": "evidence"}]);
        assert_eq!(
            evidence("rules", None, &e),
            "Earned by the rules: 2 AU, 1 evidence approved"
        );
        assert_eq!(
            evidence("manual", Some("transfer"), &json!([])),
            "Awarded by hand: transfer"
        );
    }
}
