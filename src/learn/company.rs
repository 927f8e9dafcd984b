//! Company variables (contract §4 of issue 20): the company's name, its social media
//! policy, its Center of Excellence and where to report a crisis, and its logo. AUs
//! show them in place of their defaults (`data-bb-var`), read at run time, so changing
//! them never versions a course. Set in `[company]` of the configuration (or
//! `BLACKBELT_COMPANY_<NAME>`), overridden per variable in the console.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Every variable, in the order forms and documents list them.
pub const NAMES: [&str; 6] = [
    "company_name",
    "policy_url",
    "coe_name",
    "coe_contact",
    "escalation_contact",
    "logo_url",
];

/// Longest name (company, team) accepted.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest URL accepted.
pub const MAX_URL_CHARS: usize = 2000;
/// Longest email address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// `[company]` of the configuration: every variable optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompanyConfig {
    /// The company's name, as learners read it ("Acme").
    pub company_name: Option<String>,
    /// The social media policy's address (http or https).
    pub policy_url: Option<String>,
    /// The Center of Excellence team's name.
    pub coe_name: Option<String>,
    /// How to reach the Center of Excellence: an email address or an http(s) URL.
    pub coe_contact: Option<String>,
    /// Where to report a crisis or a complaint: an email address or an http(s) URL.
    pub escalation_contact: Option<String>,
    /// The company's logo (http or https; shown in AUs only when set).
    pub logo_url: Option<String>,
}

impl CompanyConfig {
    /// The variables set, checked: an error names the setting and the rule.
    pub fn values(&self) -> Result<BTreeMap<String, String>, String> {
        let given = [
            ("company_name", &self.company_name),
            ("policy_url", &self.policy_url),
            ("coe_name", &self.coe_name),
            ("coe_contact", &self.coe_contact),
            ("escalation_contact", &self.escalation_contact),
            ("logo_url", &self.logo_url),
        ];
        let mut out = BTreeMap::new();
        for (name, value) in given {
            let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            let checked = check(name, value).map_err(|rule| format!("company.{name} {rule}"))?;
            out.insert(name.to_owned(), checked);
        }
        Ok(out)
    }
}

/// What kind of value a variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Name,
    Url,
    /// An email address or an http(s) URL.
    Contact,
}

/// The kind of a variable, `None` for an unknown name.
pub fn kind(name: &str) -> Option<Kind> {
    match name {
        "company_name" | "coe_name" => Some(Kind::Name),
        "policy_url" | "logo_url" => Some(Kind::Url),
        "coe_contact" | "escalation_contact" => Some(Kind::Contact),
        _ => None,
    }
}

/// A person-readable label for a variable (forms, error summaries).
pub fn label(name: &str) -> &'static str {
    match name {
        "company_name" => "Company name",
        "policy_url" => "Social media policy address",
        "coe_name" => "Center of Excellence name",
        "coe_contact" => "Center of Excellence contact",
        "escalation_contact" => "Crisis and complaint contact",
        "logo_url" => "Logo address",
        _ => "Unknown setting",
    }
}

/// Checks one value (already trimmed, not empty) and returns it as stored, or the rule
/// it breaks ("must be an http or https URL").
pub fn check(name: &str, value: &str) -> Result<String, String> {
    let Some(kind) = kind(name) else {
        return Err(format!(
            "is not a company variable; they are {}",
            NAMES.join(", ")
        ));
    };
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters (such as line breaks)".into());
    }
    match kind {
        Kind::Name => {
            if value.chars().count() > MAX_NAME_CHARS {
                return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
            }
        }
        Kind::Url => check_url(value)?,
        Kind::Contact => {
            if value.contains('@') && !value.contains("://") {
                check_email(value.strip_prefix("mailto:").unwrap_or(value))?;
            } else if check_url(value).is_err() {
                return Err(
                    "must be an email address (name@example.com) or an http or https URL".into(),
                );
            }
        }
    }
    Ok(value.to_owned())
}

fn check_url(value: &str) -> Result<(), String> {
    if value.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err("must be an absolute http or https URL (https://…)".into()),
    }
}

fn check_email(value: &str) -> Result<(), String> {
    let shaped = value.len() <= MAX_EMAIL_CHARS
        && value.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty()
                && !host.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains('@')
        })
        && !value.contains(char::is_whitespace);
    if shaped {
        Ok(())
    } else {
        Err(format!(
            "must be an email address such as name@example.com (at most {MAX_EMAIL_CHARS} characters)"
        ))
    }
}

/// The values in force: the configuration's, each replaced by the console's when set.
pub fn merged(
    configured: &BTreeMap<String, String>,
    overrides: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out = configured.clone();
    for (name, value) in overrides {
        if kind(name).is_some() {
            out.insert(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_or_https() {
        assert!(check("policy_url", "https://intranet.example.com/policy").is_ok());
        assert!(check("policy_url", "javascript:alert(1)").is_err());
        assert!(check("logo_url", "data:image/png;base64,AAAA").is_err());
        assert!(check("logo_url", "/relative.png").is_err());
    }

    #[test]
    fn contacts_are_emails_or_urls() {
        assert!(check("coe_contact", "coe@example.com").is_ok());
        assert!(check("coe_contact", "mailto:coe@example.com").is_ok());
        assert!(check("escalation_contact", "https://help.example.com/crisis").is_ok());
        let err = check("coe_contact", "coe@localhost").unwrap_err();
        assert!(err.contains("email"), "{err}");
        assert!(check("escalation_contact", "call Bob").is_err());
    }

    #[test]
    fn names_are_bounded_and_single_line() {
        assert!(check("company_name", "Acme").is_ok());
        assert!(check("company_name", &"a".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(check("coe_name", "Social\nTeam").is_err());
        assert!(check("favourite_colour", "blue").is_err());
    }

    #[test]
    fn the_console_overrides_the_configuration_per_variable() {
        let configured = BTreeMap::from([
            ("company_name".to_owned(), "Acme".to_owned()),
            ("coe_name".to_owned(), "Social CoE".to_owned()),
        ]);
        let overrides = BTreeMap::from([("company_name".to_owned(), "Acme Ltd".to_owned())]);
        let m = merged(&configured, &overrides);
        assert_eq!(m["company_name"], "Acme Ltd");
        assert_eq!(m["coe_name"], "Social CoE");
    }

    #[test]
    fn configured_values_are_checked_by_name() {
        let config = CompanyConfig {
            policy_url: Some("ftp://x.example".into()),
            ..CompanyConfig::default()
        };
        let err = config.values().unwrap_err();
        assert!(err.starts_with("company.policy_url"), "{err}");
    }
}
