//! `/console/admin/credentials`: API credentials (LRS clients and the admin API). Created
//! and revoked through the same `auth::store` and `AuthService` the CLI uses; a new
//! secret is shown once, on the answer to the form, and never stored.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Response, Route, get, handler, post};
use serde::Deserialize;
use serde_json::json;

use super::Change;
use crate::auth::store;
use crate::auth::{Scope, Scopes};
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer, csv, paging};
use entities::credential;

const HERE: &str = "/console/admin/credentials";
const LABEL_MAX: usize = 100;

/// What each scope allows, in words (the form's checkboxes).
fn describe(scope: Scope) -> &'static str {
    match scope {
        Scope::All => "everything of the xAPI (read and write all resources)",
        Scope::AllRead => "read everything of the xAPI",
        Scope::StatementsRead => "read all statements",
        Scope::StatementsReadMine => "read the statements this credential stored",
        Scope::StatementsWrite => "store statements",
        Scope::State => "read and write the State resource",
        Scope::Define => "define activities",
        Scope::Profile => "read and write agent and activity profiles",
        Scope::Admin => "the admin API (packages, launches, LTI, passback, program)",
    }
}

pub struct ScopeChoice {
    name: &'static str,
    words: &'static str,
    checked: bool,
}

fn choices(selected: &[String]) -> Vec<ScopeChoice> {
    Scope::EVERY
        .into_iter()
        .map(|s| ScopeChoice {
            name: s.name(),
            words: describe(s),
            checked: selected.iter().any(|x| x == s.name()),
        })
        .collect()
}

pub struct Row {
    key: String,
    label: String,
    scopes: String,
    created: String,
    revoked: Option<String>,
}

impl From<credential::Model> for Row {
    fn from(c: credential::Model) -> Row {
        let when = |ms: i64| {
            jiff::Timestamp::from_millisecond(ms)
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default()
        };
        Row {
            key: c.key,
            label: c.name,
            scopes: c.scopes.replace(',', ", "),
            created: when(c.created_at_ms),
            revoked: c.revoked_at_ms.map(when),
        }
    }
}

/// A credential just made: shown once.
pub struct Created {
    key: String,
    secret: String,
    scopes: String,
    /// `Basic base64(key:secret)`, ready for an Authorization header.
    header: String,
}

#[derive(Template)]
#[template(path = "admin_credentials.html")]
struct CredentialsPage {
    title: String,
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    scopes: Vec<ScopeChoice>,
    label: String,
    error: Option<String>,
    created: Option<Created>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    after: Option<String>,
    done: Option<String>,
}

async fn page_for(
    console: &Console,
    viewer: &Viewer,
    after: Option<&str>,
) -> poem::Result<CredentialsPage> {
    let after: Option<i64> = paging::decode(after);
    let rows = store::list_page(&console.db.conn, after, paging::PAGE + 1)
        .await
        .map_err(|e| page::internal(&e))?;
    let (rows, more) = paging::split(rows, paging::PAGE);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| format!("{HERE}?after={}", paging::encode(&r.id)))
        })
        .flatten();
    Ok(CredentialsPage {
        title: "API credentials".into(),
        chrome: Chrome::new(viewer, "/console/admin"),
        rows: rows.into_iter().map(Row::from).collect(),
        next,
        scopes: choices(&[]),
        label: String::new(),
        error: None,
        created: None,
    })
}

#[handler]
async fn list(
    viewer: Viewer,
    console: Data<&Console>,
    Query(q): Query<ListQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let mut page = page_for(&console, &viewer, q.after.as_deref()).await?;
    let notice = match q.done.as_deref() {
        Some("revoked") => Some("The credential was revoked: it is refused from now on."),
        _ => None,
    };
    page.chrome = page.chrome.with_notice(notice);
    page::render(&page)
}

/// The create form: a label and the chosen scopes (checkboxes share the name `scope`,
/// so the body is read as pairs rather than into a struct).
#[handler]
async fn create(viewer: Viewer, console: Data<&Console>, body: String) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    viewer.check_csrf(&field("csrf"))?;
    let label = field("label").trim().to_owned();
    let selected: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let checked = check(&label, &selected);
    let mut page = page_for(&console, &viewer, None).await?;
    let scopes = match checked {
        Ok(scopes) => scopes,
        Err(message) => {
            page.scopes = choices(&selected);
            page.label = label;
            page.error = Some(message);
            return page::render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    let made = store::create(&change.txn, &label, scopes, &console.config.public_url)
        .await
        .map_err(|e| page::internal(&e))?;
    change
        .commit(
            &viewer,
            "credential.create",
            json!({"key": made.key, "label": made.name, "scopes": made.scopes}),
        )
        .await
        .map_err(page::from_error)?;
    // Listed again so the new credential is in the table below its secret.
    let mut page = page_for(&console, &viewer, None).await?;
    page.chrome = page.chrome.with_notice(Some(
        "Credential created. Copy its secret now: it is not stored and will not be shown again.",
    ));
    page.created = Some(Created {
        header: crate::console::admin::credentials::basic(&made.key, &made.secret),
        key: made.key,
        secret: made.secret,
        scopes: made.scopes.replace(',', ", "),
    });
    page::render(&page)
}

/// `Basic base64(key:secret)`.
pub fn basic(key: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"))
    )
}

/// The label and scopes of the form, or what to fix (naming the field).
fn check(label: &str, selected: &[String]) -> Result<Scopes, String> {
    if label.is_empty() {
        return Err("Label: give the credential a name saying who uses it.".into());
    }
    if label.chars().count() > LABEL_MAX {
        return Err(format!("Label: at most {LABEL_MAX} characters."));
    }
    if selected.is_empty() {
        return Err("Scopes: choose at least one scope.".into());
    }
    Scopes::parse_list(&selected.join(",")).map_err(|why| format!("Scopes: {why}."))
}

#[derive(Debug, Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
}

#[handler]
async fn revoke(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<RevokeForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let key = form.key.trim();
    let change = Change::begin(&console.db).await.map_err(page::from_error)?;
    let revoked = store::revoke(&change.txn, key)
        .await
        .map_err(|e| page::internal(&e))?;
    if !revoked {
        drop(change);
        let mut page = page_for(&console, &viewer, None).await?;
        page.error = Some(format!(
            "No active credential has the key {key:?}: it may be revoked already. Nothing was changed."
        ));
        return page::render_status(StatusCode::NOT_FOUND, &page);
    }
    change
        .commit(&viewer, "credential.revoke", json!({"key": key}))
        .await
        .map_err(page::from_error)?;
    console.auth.forget(key);
    Ok(page::see_other(&format!("{HERE}?done=revoked")))
}

/// Every credential as CSV, oldest first (never a secret: none is stored).
#[handler]
async fn export(viewer: Viewer, console: Data<&Console>) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    let conn = console.db.conn.clone();
    let fetch = move |after: Option<i64>, limit: u64| {
        let conn = conn.clone();
        async move { store::list_page(&conn, after, limit).await }
    };
    Ok(csv::keyset_download(
        "credentials.csv",
        csv::line(["id", "key", "label", "scopes", "created", "revoked"]),
        fetch,
        |c: &credential::Model| c.id,
        csv_line,
    ))
}

fn csv_line(c: &credential::Model) -> String {
    let iso = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    csv::line([
        c.id.to_string(),
        c.key.clone(),
        c.name.clone(),
        c.scopes.clone(),
        iso(c.created_at_ms),
        c.revoked_at_ms.map(iso).unwrap_or_default(),
    ])
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/credentials", get(list).post(create))
        .at("/admin/credentials/export", get(export))
        .at("/admin/credentials/revoke", post(revoke))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_needs_a_label_and_a_known_scope() {
        assert!(check("", &["all".into()]).unwrap_err().starts_with("Label"));
        assert!(check("lms", &[]).unwrap_err().starts_with("Scopes"));
        assert!(
            check("lms", &["root".into()])
                .unwrap_err()
                .contains("unknown scope")
        );
        let scopes = check(
            "lms",
            &["statements/read".into(), "statements/write".into()],
        )
        .unwrap();
        assert_eq!(scopes.to_list(), "statements/read,statements/write");
    }
}
