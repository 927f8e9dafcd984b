//! Voiding from the explorer (administrators): a confirmation page that works without
//! script, then the voiding statement through the same write path as
//! `POST /xapi/statements`, audited.

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use super::HERE;
use super::view::Readable;
use crate::auth::Principal;
use crate::auth::{Scope, Scopes};
use crate::console::admin::entry;
use crate::console::audit_on_write::AuditOnWrite;
use crate::console::page::{self, Chrome};
use crate::console::role::Can;
use crate::console::{Console, Viewer};
use crate::xapi::attachments::StatementRequest;
use crate::xapi::statements::read::{self, Visibility};
use crate::xapi::statements::service;
use crate::xapi::validate::VOIDED_VERB;
use crate::xapi::version::XapiVersion;

#[derive(Debug, Deserialize)]
struct VoidQuery {
    #[serde(default)]
    id: String,
}

#[derive(Template)]
#[template(path = "statements_void.html")]
struct VoidPage {
    title: String,
    chrome: Chrome,
    target: Option<Readable>,
    error: Option<String>,
}

/// The confirmation page (works without script): what will be voided, and the button.
#[handler]
pub(super) async fn confirm(
    viewer: Viewer,
    console: Data<&Console>,
    Query(q): Query<VoidQuery>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    match voidable(&console, &q.id).await {
        Ok(target) => page::render(&void_page(&viewer, Some(target), None)),
        Err((status, message)) => {
            page::render_status(status, &void_page(&viewer, None, Some(message)))
        }
    }
}

fn void_page(viewer: &Viewer, target: Option<Readable>, error: Option<String>) -> VoidPage {
    VoidPage {
        title: "Void a statement".into(),
        chrome: Chrome::new(viewer, HERE),
        target,
        error,
    }
}

/// The statement `id` names, if it may be voided; else the status and the reason.
async fn voidable(console: &Console, id: &str) -> Result<Readable, (StatusCode, String)> {
    let id = service::require_uuid("statement id", Some(id.trim())).map_err(|_| {
        (
            StatusCode::BAD_REQUEST,
            format!(
                "Statement id: {:?} is not a statement id (a UUID).",
                id.trim()
            ),
        )
    })?;
    let found = read::find_by_id(&console.db.conn, &id, &Visibility::Everything)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading a statement to void");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The statement could not be read; try again.".to_owned(),
            )
        })?
        .ok_or((
            StatusCode::NOT_FOUND,
            format!("No statement has the id {id}. Nothing was voided."),
        ))?;
    if found.voided {
        return Err((
            StatusCode::CONFLICT,
            format!("Statement {id} is already voided. Nothing was changed."),
        ));
    }
    let payload = found.payload().map_err(|e| {
        tracing::error!(error = %e, "reading a statement to void");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The statement could not be read; try again.".to_owned(),
        )
    })?;
    let readable = Readable::of(&payload);
    if readable.voids {
        return Err((
            StatusCode::CONFLICT,
            format!(
                "Statement {id} is itself a voiding statement, and a voiding statement \
                 cannot be voided (xAPI). Nothing was changed."
            ),
        ));
    }
    Ok(readable)
}

#[derive(Debug, Deserialize)]
struct VoidForm {
    /// Absent is refused like wrong (403), not as a malformed form.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

#[handler]
pub(super) async fn void(
    viewer: Viewer,
    console: Data<&Console>,
    Form(form): Form<VoidForm>,
) -> poem::Result<Response> {
    viewer.require(Can::Administer)?;
    viewer.check_csrf(&form.csrf)?;
    let target = match voidable(&console, &form.id).await {
        Ok(target) => target,
        Err((status, message)) => {
            return page::render_status(status, &void_page(&viewer, None, Some(message)));
        }
    };
    let agent = console_agent(&viewer, &console.config.public_url);
    let voiding = json!({
        "actor": agent,
        "verb": {"id": VOIDED_VERB, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target.id},
    });
    let principal = Principal {
        // Not a stored credential: statements the server makes itself carry 0.
        credential_id: crate::launch::token::LAUNCH_CREDENTIAL_ID,
        key: viewer.actor(),
        scopes: {
            let mut s = Scopes::default();
            s.insert(Scope::StatementsWrite);
            s
        },
        authority: agent,
        grant: None,
    };
    let request = StatementRequest {
        json: voiding,
        parts: Default::default(),
    };
    let audit = entry(&viewer, "statement.void", json!({"statement": target.id}));
    service::store_with(
        &console.statements,
        &principal,
        XapiVersion::V1_0,
        request,
        None,
        Some(Arc::new(AuditOnWrite(audit))),
    )
    .await
    .map_err(page::from_error)?;
    Ok(page::see_other(&format!(
        "{HERE}?statement_id={}&done=voided",
        target.id
    )))
}

/// The console user as an xAPI Agent: an account on this server.
fn console_agent(viewer: &Viewer, public_url: &str) -> Value {
    json!({
        "objectType": "Agent",
        "name": viewer.display_name,
        "account": {"homePage": public_url, "name": viewer.actor()},
    })
}
