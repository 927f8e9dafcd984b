//! `/console/statements`: the statement explorer. Its filters are `GET /xapi/statements`'s
//! own (the same parameter parsing, query and sealed `more` cursor), shown as a readable
//! table with each statement's raw JSON. An administrator can void a statement: the
//! voiding statement goes through the same write path as `POST /xapi/statements`.

mod view;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Response, Route, get, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer, csv, paging};
use crate::auth::Principal;
use crate::auth::{Scope, Scopes};
use crate::error::Error;
use crate::xapi::attachments::StatementRequest;
use crate::xapi::statements::format::Format;
use crate::xapi::statements::params::{self, RawParams};
use crate::xapi::statements::read::{self, Visibility};
use crate::xapi::statements::service::{self, MoreLink};
use crate::xapi::validate::{VOIDED_VERB, parse_stored};
use crate::xapi::version::XapiVersion;
use view::{Readable, agent_param};

const HERE: &str = "/console/statements";

/// The explorer's form, as the browser sends it (every field optional).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Explore {
    agent: String,
    home_page: String,
    account: String,
    related_agents: Option<String>,
    verb: String,
    activity: String,
    related_activities: Option<String>,
    registration: String,
    since: String,
    until: String,
    statement_id: String,
    /// The next page's sealed cursor (it carries the filter; the fields are ignored).
    more: Option<String>,
    /// What the last form did (a fixed code mapped to fixed text).
    done: Option<String>,
}

impl Explore {
    /// The query as `GET /xapi/statements` parameters.
    fn raw_params(&self) -> Result<RawParams, String> {
        let mut raw: RawParams = Vec::new();
        let mut put = |name: &str, value: &str| {
            let value = value.trim();
            if !value.is_empty() {
                raw.push((name.to_owned(), value.to_owned()));
            }
        };
        if let Some(agent) = agent_param(&self.agent, &self.home_page, &self.account)? {
            put("agent", &agent);
            if self.related_agents.is_some() {
                put("related_agents", "true");
            }
        }
        put("verb", &self.verb);
        put("activity", &self.activity);
        if !self.activity.trim().is_empty() && self.related_activities.is_some() {
            put("related_activities", "true");
        }
        put("registration", &self.registration);
        put("since", &self.since);
        put("until", &self.until);
        Ok(raw)
    }

    /// The filter fields as a query string (kept on the next page's link, so the form
    /// still shows what is being paged through).
    fn query_string(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("agent", &self.agent),
            ("home_page", &self.home_page),
            ("account", &self.account),
            ("verb", &self.verb),
            ("activity", &self.activity),
            ("registration", &self.registration),
            ("since", &self.since),
            ("until", &self.until),
        ] {
            if !value.trim().is_empty() {
                out.append_pair(name, value);
            }
        }
        if self.related_agents.is_some() {
            out.append_pair("related_agents", "on");
        }
        if self.related_activities.is_some() {
            out.append_pair("related_activities", "on");
        }
        out.finish()
    }
}

#[derive(Template)]
#[template(path = "statements.html")]
struct ExplorerPage {
    title: String,
    chrome: Chrome,
    form: Explore,
    error: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
    can_void: bool,
    searched: bool,
    /// The same filter as a CSV download.
    csv: String,
}

struct Row {
    s: Readable,
    voided: bool,
}

#[handler]
async fn explore(
    viewer: Viewer,
    console: Data<&Console>,
    Query(form): Query<Explore>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeStatements)?;
    let notice = match form.done.as_deref() {
        Some("voided") => Some("The statement was voided."),
        _ => None,
    };
    let mut page = ExplorerPage {
        title: "Statements".into(),
        chrome: Chrome::new(&viewer, HERE).with_notice(notice),
        error: None,
        rows: Vec::new(),
        next: None,
        can_void: viewer.role.can(Can::Administer),
        searched: false,
        csv: String::new(),
        form,
    };
    page.csv = format!("{HERE}.csv?{}", page.form.query_string());
    match find(&console, &viewer, &page.form).await {
        Ok((rows, next)) => {
            page.rows = rows;
            page.next = next;
            page.searched = true;
            page::render(&page)
        }
        Err(Error::BadRequest(message)) => {
            page.error = Some(message);
            page::render_status(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(page::from_error(e)),
    }
}

/// The statements the form asks for, and the next page's link.
async fn find(
    console: &Console,
    viewer: &Viewer,
    form: &Explore,
) -> Result<(Vec<Row>, Option<String>), Error> {
    let db = &console.db;
    let id = form.statement_id.trim();
    if !id.is_empty() {
        let id = service::require_uuid("statement id", Some(id))?;
        let found = read::find_by_id(&db.conn, &id, &Visibility::Everything).await?;
        let rows = match found {
            Some(s) => vec![Row {
                voided: s.voided,
                s: Readable::of(&s.payload()?),
            }],
            None => Vec::new(),
        };
        return Ok((rows, None));
    }
    let holder = viewer.actor();
    let (mut filter, after) = match form.more.as_deref().filter(|m| !m.is_empty()) {
        Some(token) => {
            let cursor = console
                .cursor_key
                .open(token, &holder, console.config.max_page_size)?;
            (cursor.filter, Some(cursor.after))
        }
        None => (
            params::filter(&form.raw_params().map_err(Error::BadRequest)?)?,
            None,
        ),
    };
    filter.visibility = Visibility::Everything;
    let limit = u32::try_from(paging::PAGE).unwrap_or(50);
    let page = service::fetch_page(
        db,
        filter,
        after,
        limit,
        Format::Exact,
        &[],
        &MoreLink {
            base: HERE,
            key: &console.cursor_key,
            holder: &holder,
        },
    )
    .await?;
    // The page is JSON text (the API writes it out as it is); the explorer looks inside.
    let result = parse_stored(&page.result).map_err(|e| Error::Internal(e.to_string()))?;
    let rows = result["statements"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|s| Row {
                    s: Readable::of(s),
                    voided: false,
                })
                .collect()
        })
        .unwrap_or_default();
    let next = result["more"]
        .as_str()
        .filter(|m| !m.is_empty())
        .map(|more| {
            let kept = form.query_string();
            if kept.is_empty() {
                more.to_owned()
            } else {
                format!("{more}&{kept}")
            }
        });
    Ok((rows, next))
}

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
async fn confirm(
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
async fn void(
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
    service::store(
        &console.statements,
        &principal,
        XapiVersion::V1_0,
        request,
        None,
    )
    .await
    .map_err(page::from_error)?;
    super::admin::record_after(
        &console,
        &viewer,
        "statement.void",
        json!({"statement": target.id}),
    )
    .await;
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

/// Rows read per round trip of a CSV export.
const CSV_CHUNK: u64 = 500;

/// `GET /console/statements.csv`: every statement the explorer's filter finds, as CSV,
/// streamed: read `CSV_CHUNK` at a time through the same query, never held whole.
#[handler]
async fn export(
    viewer: Viewer,
    console: Data<&Console>,
    Query(form): Query<Explore>,
) -> poem::Result<Response> {
    viewer.require(Can::SeeStatements)?;
    let mut filter = match form
        .raw_params()
        .map_err(Error::BadRequest)
        .and_then(|raw| params::filter(&raw))
    {
        Ok(filter) => filter,
        Err(Error::BadRequest(m)) => {
            return Err(page::problem(
                StatusCode::BAD_REQUEST,
                "Nothing to export",
                &m,
            ));
        }
        Err(e) => return Err(page::from_error(e)),
    };
    filter.visibility = Visibility::Everything;
    let conn = console.db.conn.clone();
    let header = csv::line([
        "id",
        "when",
        "actor",
        "verb",
        "verb id",
        "object",
        "object id",
        "result",
    ]);
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(header) });
    let rows = futures_util::stream::unfold(Some((filter, None)), move |state| {
        let conn = conn.clone();
        async move {
            let (filter, after) = state?;
            match read::find_page(&conn, &filter, after, CSV_CHUNK).await {
                Ok(rows) => {
                    let next = (rows.len() as u64 == CSV_CHUNK)
                        .then(|| rows.last().map(|r| r.position))
                        .flatten();
                    let text: Result<String, _> = rows
                        .iter()
                        .map(|row| {
                            let s = Readable::of(&row.payload()?);
                            Ok::<_, sea_orm::DbErr>(csv::line([
                                s.id,
                                s.when,
                                s.actor,
                                s.verb,
                                s.verb_id,
                                s.object,
                                s.object_id,
                                s.result,
                            ]))
                        })
                        .collect();
                    match text {
                        Ok(text) => Some((Ok(text), next.map(|p| (filter, Some(p))))),
                        Err(e) => {
                            tracing::error!(error = %e, "statement export stopped");
                            Some((Err(std::io::Error::other("the export stopped early")), None))
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "statement export stopped");
                    Some((Err(std::io::Error::other("the export stopped early")), None))
                }
            }
        }
    });
    Ok(csv::download(
        "statements.csv",
        futures_util::StreamExt::chain(head, rows),
    ))
}

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/statements", get(explore))
        .at("/statements.csv", get(export))
        .at("/statements/void", get(confirm).post(void))
}
