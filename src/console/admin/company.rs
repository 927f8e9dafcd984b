//! `/console/admin/company`: the company variables AUs show (issue 20, contract §4):
//! each set here overrides the configuration's `[company]`, and an empty field falls
//! back to it. Every value is checked (URLs http(s) only, lengths bounded, emails
//! shaped); one bad field refuses the whole form, naming it, and nothing is written.
//! A change is audited in its own transaction. Courses are untouched: AUs read the
//! values at run time (`GET /api/learn/settings`).

use std::collections::BTreeMap;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Response, Route, get, handler};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Change;
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::learn::company::{self, NAMES};
use crate::learn::company_store;

const HERE: &str = "/console/admin/company";

/// One field of the form.
pub struct Field {
    name: &'static str,
    label: &'static str,
    /// What the field holds now (the console's value, or what was sent back).
    value: String,
    /// The configuration's value, shown as the fallback.
    configured: Option<String>,
    hint: &'static str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_company.html")]
struct CompanyPage {
    title: String,
    chrome: Chrome,
    fields: Vec<Field>,
    /// `(field name, message)` for the error summary.
    errors: Vec<(String, String)>,
}

fn hint(name: &str) -> &'static str {
    match company::kind(name) {
        Some(company::Kind::Url) => "An address starting with https:// (or http://).",
        Some(company::Kind::Contact) => {
            "An email address (name@example.com) or a web address starting with https://."
        }
        _ => "At most 120 characters, on one line.",
    }
}

fn configured(console: &Console) -> BTreeMap<String, String> {
    console.config.company.values().unwrap_or_default()
}

fn fields(
    values: &BTreeMap<String, String>,
    configured: &BTreeMap<String, String>,
    errors: &[(String, String)],
) -> Vec<Field> {
    NAMES
        .iter()
        .map(|&name| Field {
            name,
            label: company::label(name),
            value: values.get(name).cloned().unwrap_or_default(),
            configured: configured.get(name).cloned(),
            hint: hint(name),
            error: errors
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, m)| m.clone()),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    done: Option<String>,
}

#[handler]
async fn show(
    viewer: Viewer,
    console: Data<&Console>,
    Query(q): Query<ShowQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let overrides = company_store::overrides(&console.db.conn)
        .await
        .map_err(page::from_error)?;
    let notice = match q.done.as_deref() {
        Some("saved") => Some("Saved. Modules show the new values from their next page load."),
        Some("unchanged") => Some("Nothing was changed: the values were already these."),
        _ => None,
    };
    page::render(&CompanyPage {
        title: "Company".into(),
        chrome: Chrome::new(&viewer, "/console/admin").with_notice(notice),
        fields: fields(&overrides, &configured(&console), &[]),
        errors: Vec::new(),
    })
}

/// The form as sent: the CSRF token and one field per variable.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CompanyForm {
    csrf: String,
    company_name: String,
    policy_url: String,
    coe_name: String,
    coe_contact: String,
    escalation_contact: String,
    logo_url: String,
}

impl CompanyForm {
    fn sent(&self) -> BTreeMap<String, String> {
        [
            ("company_name", &self.company_name),
            ("policy_url", &self.policy_url),
            ("coe_name", &self.coe_name),
            ("coe_contact", &self.coe_contact),
            ("escalation_contact", &self.escalation_contact),
            ("logo_url", &self.logo_url),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }
}

/// Checks every value sent; the errors name the field and its rule.
fn check_all(sent: &BTreeMap<String, String>) -> Vec<(String, String)> {
    sent.iter()
        .filter_map(|(name, value)| {
            company::check(name, value)
                .err()
                .map(|rule| (name.clone(), format!("{} {rule}.", company::label(name))))
        })
        .collect()
}

#[handler]
async fn save(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<CompanyForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let sent = form.sent();
    let errors = check_all(&sent);
    if !errors.is_empty() {
        return page::render_status(
            StatusCode::BAD_REQUEST,
            &CompanyPage {
                title: "Company".into(),
                chrome: Chrome::new(&viewer, "/console/admin"),
                fields: fields(&sent, &configured(&console), &errors),
                errors,
            },
        );
    }
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    let before = company_store::overrides(&change.txn)
        .await
        .map_err(page::from_error)?;
    let mut changed = Map::new();
    let now = crate::console::now_us();
    for name in NAMES {
        let (old, new) = (before.get(name), sent.get(name));
        if old == new {
            continue;
        }
        company_store::set(
            &change.txn,
            name,
            new.map(String::as_str),
            &viewer.actor(),
            now,
        )
        .await
        .map_err(page::from_error)?;
        changed.insert(name.to_owned(), json!({"from": old, "to": new}));
    }
    if changed.is_empty() {
        drop(change);
        return Ok(page::see_other(&format!("{HERE}?done=unchanged")));
    }
    change
        .commit(
            &viewer,
            "company.settings.update",
            json!({"changed": Value::Object(changed)}),
        )
        .await
        .map_err(page::from_error)?;
    Ok(page::see_other(&format!("{HERE}?done=saved")))
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/admin/company", get(show).post(save))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_field_is_named_with_its_rule() {
        let sent = BTreeMap::from([
            ("policy_url".to_owned(), "javascript:x".to_owned()),
            ("coe_contact".to_owned(), "nobody".to_owned()),
            ("company_name".to_owned(), "Acme".to_owned()),
        ]);
        let errors = check_all(&sent);
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["coe_contact", "policy_url"]);
        assert!(
            errors[1]
                .1
                .starts_with("Social media policy address must be")
        );
    }
}
