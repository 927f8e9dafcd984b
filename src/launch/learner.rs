//! The learner of a launch: an xAPI Agent identified by an `account` (cmi5 §9.2).

use poem_openapi::Object;
use serde_json::{Value, json};

use crate::error::Error;
use crate::xapi::validate::is_absolute_iri;

/// Who is launched, as an LMS or an administrator names them.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Learner {
    /// The learner's account in the launching system: `homePage` (the system's URL)
    /// and `name` (its stable user id).
    pub account: LearnerAccount,
    /// Display name, shown in reports.
    pub name: Option<String>,
    /// Email address (`mailto:` optional); kept with the registration, never put in
    /// statements, since cmi5 identifies the learner by the account alone.
    pub mbox: Option<String>,
}

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct LearnerAccount {
    pub home_page: String,
    pub name: String,
}

impl Learner {
    /// The actor of the learner's statements; errors name the field and the rule.
    pub fn actor(&self) -> Result<Value, Error> {
        let home = self.account.home_page.trim();
        if !is_absolute_iri(home) || !(home.starts_with("http://") || home.starts_with("https://"))
        {
            return Err(Error::BadRequest(format!(
                "learner.account.homePage must be an absolute http(s) URL, got {home:?}"
            )));
        }
        let name = self.account.name.trim();
        if name.is_empty() || name.len() > 255 {
            return Err(Error::BadRequest(
                "learner.account.name must be 1 to 255 characters".into(),
            ));
        }
        let mut actor = json!({
            "objectType": "Agent",
            "account": {"homePage": home, "name": name},
        });
        if let Some(display) = self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            actor["name"] = Value::String(display.to_owned());
        }
        Ok(actor)
    }

    /// The email as a `mailto:` IRI, checked.
    pub fn email(&self) -> Result<Option<String>, Error> {
        let Some(raw) = self
            .mbox
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        else {
            return Ok(None);
        };
        let address = raw.strip_prefix("mailto:").unwrap_or(raw);
        let valid = address.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !address.contains(char::is_whitespace)
        });
        if !valid {
            return Err(Error::BadRequest(format!(
                "learner.mbox must be an email address, got {raw:?}"
            )));
        }
        Ok(Some(format!("mailto:{address}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learner(home: &str, name: &str, mbox: Option<&str>) -> Learner {
        Learner {
            account: LearnerAccount {
                home_page: home.into(),
                name: name.into(),
            },
            name: Some("Ada".into()),
            mbox: mbox.map(str::to_owned),
        }
    }

    #[test]
    fn actor_has_account_and_name_only() {
        let actor = learner("https://lms.example.com", "u42", Some("ada@example.com"))
            .actor()
            .unwrap();
        assert_eq!(
            actor,
            json!({"objectType": "Agent", "name": "Ada",
                   "account": {"homePage": "https://lms.example.com", "name": "u42"}})
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let err = learner("lms", "u", None).actor().unwrap_err().to_string();
        assert!(err.contains("learner.account.homePage"), "{err}");
        let err = learner("https://x.example", " ", None)
            .actor()
            .unwrap_err()
            .to_string();
        assert!(err.contains("learner.account.name"), "{err}");
        let err = learner("https://x.example", "u", Some("nope"))
            .email()
            .unwrap_err()
            .to_string();
        assert!(err.contains("learner.mbox"), "{err}");
        assert_eq!(
            learner("https://x.example", "u", Some("mailto:a@b.co"))
                .email()
                .unwrap(),
            Some("mailto:a@b.co".into())
        );
    }
}
