//! `/console/statements`: the statement explorer. Its filters are `GET /xapi/statements`'s
//! own (the same parameter parsing, query and sealed `more` cursor), shown as a readable
//! table with each statement's raw JSON. An administrator can void a statement: the
//! voiding statement goes through the same write path as `POST /xapi/statements`.

mod export;
mod view;
mod void;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Response, Route, get, handler};
use serde::Deserialize;

use super::page::{self, Chrome};
use super::role::Can;
use super::{Console, Viewer, paging};
use crate::error::Error;
use crate::xapi::statements::format::Format;
use crate::xapi::statements::params::{self, RawParams};
use crate::xapi::statements::read::{self, Visibility};
use crate::xapi::statements::service::{self, MoreLink};
use crate::xapi::validate::parse_stored;
use view::{Readable, agent_param};

const HERE: &str = "/console/statements";

/// The explorer's form, as the browser sends it (every field optional).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Explore {
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
    pub(super) fn raw_params(&self) -> Result<RawParams, String> {
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

/// Adds this page's routes (paths relative to `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/statements", get(explore))
        .at("/statements.csv", get(export::export))
        .at("/statements/void", get(void::confirm).post(void::void))
}
