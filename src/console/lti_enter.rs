//! `GET /console/lti/enter/:token`: where an instructor or manager arrives from the LMS.
//! The LTI launch of the console link (inside the LMS's frame) handed them a single-use
//! token (`lti_handoff`); here, in a window of its own, the token is redeemed once and a
//! console session starts: read-only (the manager role), scoped to that course's
//! roster. No password is involved, so none can be changed (`account.rs`).

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, Route, get, handler};
use sea_orm::TransactionTrait;
use serde_json::json;

use super::lti_handoff::{self, Handoff};
use super::page::{self, see_other};
use super::session::Owner;
use super::sign_in::{replace_session, with_cookies};
use super::{Console, now_us, throttle};
use crate::certification::audit::{self, Entry};
use crate::error::Error;

/// Adds the route (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/lti/enter/:token", get(enter))
}

fn dead_link() -> poem::Error {
    page::problem(
        StatusCode::NOT_FOUND,
        "Console link not valid",
        lti_handoff::DEAD,
    )
}

/// The name the console shows for them: the LMS's name, else their LMS user id.
fn display_name(who: &Handoff) -> String {
    who.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("LMS user {}", who.subject))
}

/// `GET /console/lti/enter/:token`: redeems the token and signs the browser in, or says
/// the link is dead (unknown, used or expired: one answer) and changes nothing.
#[handler]
async fn enter(
    req: &Request,
    Path(token): Path<String>,
    Data(console): Data<&Console>,
) -> poem::Result<Response> {
    let now = now_us();
    let client = throttle::ip_key(req.remote_addr());
    let started = {
        let _gate = console.db.write_gate().await;
        start(req, console, &token, &client, now).await
    };
    match started {
        Ok(Some(session)) => Ok(with_cookies(
            see_other("/console"),
            &[console.sessions.cookie(&session)],
        )),
        Ok(None) => {
            tracing::info!(
                client,
                "console LTI handoff refused: unknown, used or expired"
            );
            Err(dead_link())
        }
        Err(e) => Err(page::internal(&e)),
    }
}

/// In one transaction: use the token up, start the session, audit the sign-in. Returns
/// the session's cookie token, or `None` when the handoff is not usable.
async fn start(
    req: &Request,
    console: &Console,
    token: &str,
    client: &str,
    now: i64,
) -> Result<Option<String>, Error> {
    let tx = console.db.writer().begin().await?;
    let Some(who) = lti_handoff::redeem(&tx, token, now).await? else {
        return Ok(None);
    };
    let owner = Owner::LtiContext {
        context_id: who.context_row_id,
        name: display_name(&who),
        role: who.lti_role.clone(),
    };
    let session = replace_session(req, console, &tx, owner, now).await?;
    let entry = Entry {
        actor: format!("console:lti-context-{}", who.context_row_id),
        action: "console.sign_in.lti".into(),
        details: json!({
            "platform": who.platform_id,
            "context": who.context_row_id,
            "sub": who.subject,
            "name": who.name,
            "ltiRole": who.lti_role,
            "client": client,
        }),
        ..Entry::default()
    };
    audit::record(&tx, now, entry).await?;
    tx.commit().await?;
    Ok(Some(session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nameless_lms_user_is_shown_by_their_lms_id() {
        let mut who = Handoff {
            platform_id: 1,
            context_row_id: 2,
            subject: "u-9".into(),
            name: Some("  ".into()),
            lti_role: "instructor".into(),
        };
        assert_eq!(display_name(&who), "LMS user u-9");
        who.name = Some("Ada".into());
        assert_eq!(display_name(&who), "Ada");
    }
}
