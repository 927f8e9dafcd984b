//! A local LTI platform for the NRPS tests: its token URL and a membership service
//! paging with `Link: rel="next"`, scriptable (statuses, loops, foreign links).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use poem::http::StatusCode;
use poem::listener::TcpAcceptor;
use poem::web::Data;
use poem::{EndpointExt, IntoResponse, Request, Response, Route, Server, handler};
use sea_orm::{ActiveModelTrait, ActiveValue};
use serde_json::{Value, json};

pub const SCOPE: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
pub const MEDIA_TYPE: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";
pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
pub const CONTEXT: &str = "https://purl.imsglobal.org/spec/lti/claim/context";
pub const AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
pub const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";
pub const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";

/// The fake platform's state: its roster, what it saw, what it answers.
#[derive(Default)]
pub struct State {
    pub base: String,
    pub roster: Vec<Value>,
    /// The scope of each token request; token n is `tok-n`.
    pub token_scopes: Vec<String>,
    /// Each membership request: (page, Authorization, Accept).
    pub pages: Vec<(usize, Option<String>, Option<String>)>,
    /// When each membership request came.
    pub times: Vec<Instant>,
    /// Answers the membership service gives first: (status, Retry-After).
    pub script: VecDeque<(u16, Option<&'static str>)>,
    /// Page 2's `next` link points at page 2 itself.
    pub looping: bool,
    /// Page 1's `next` link names the same server by another origin (`localhost`).
    pub foreign_next: bool,
    /// Members per page (3 unless set).
    pub page_size: usize,
}

pub type Shared = Arc<Mutex<State>>;

pub fn member(n: usize) -> Value {
    let mut m = json!({"user_id": format!("u{n}"), "name": format!("Given{n} Family{n}"),
        "given_name": format!("Given{n}"), "family_name": format!("Family{n}"),
        "email": format!("u{n}@example.com"), "lis_person_sourcedid": format!("S{n}"),
        "roles": [if n == 1 { INSTRUCTOR } else { LEARNER }]});
    if n == 3 {
        m["status"] = json!("Inactive");
    }
    m
}

#[handler]
fn token(body: String, Data(state): Data<&Shared>) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(get("grant_type").as_deref(), Some("client_credentials"));
    let scope = get("scope").unwrap();
    let mut s = state.lock().unwrap();
    s.token_scopes.push(scope.clone());
    let token = format!("tok-{}", s.token_scopes.len());
    poem::web::Json(json!({"access_token": token, "token_type": "Bearer",
        "expires_in": 3600, "scope": scope}))
    .into_response()
}

/// Pages of `page_size` members; page 1 links absolutely, page 2 relatively; the last
/// page carries a `differences` link as platforms do.
#[handler]
fn memberships(req: &Request, Data(state): Data<&Shared>) -> Response {
    let page: usize = req
        .uri()
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.parse().unwrap())
        })
        .unwrap_or(1);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let mut s = state.lock().unwrap();
    s.pages
        .push((page, header("authorization"), header("accept")));
    s.times.push(Instant::now());
    if let Some((status, retry_after)) = s.script.pop_front() {
        let mut response = Response::builder()
            .status(StatusCode::from_u16(status).unwrap())
            .body(format!("platform says {status}"));
        if let Some(value) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", value.parse().unwrap());
        }
        return response;
    }
    let size = s.page_size;
    let start = (page - 1) * size;
    let members: Vec<Value> = s.roster.iter().skip(start).take(size).cloned().collect();
    let last = start + size >= s.roster.len();
    let link = match (page, last) {
        (2, _) if s.looping => format!("<{}/memberships?c=7&page=2>; rel=\"next\"", s.base),
        (1, false) if s.foreign_next => format!(
            "<{}/memberships?c=7&page=2>; rel=\"next\"",
            s.base.replace("127.0.0.1", "localhost")
        ),
        (_, true) => format!("<{}/memberships?c=7&since=1>; rel=\"differences\"", s.base),
        (1, false) => format!("<{}/memberships?c=7&page=2>; rel=\"next\"", s.base),
        (n, false) => format!("</memberships?c=7&page={}>; rel=\"next\"", n + 1),
    };
    let body = json!({"id": format!("{}/memberships?c=7", s.base),
        "context": {"id": "course-7", "label": "SM101", "title": "Social media safety"},
        "members": members});
    let mut response = Response::builder()
        .content_type(MEDIA_TYPE)
        .body(body.to_string());
    response.headers_mut().insert("link", link.parse().unwrap());
    response
}

/// The platform's token URL and membership service (7 members) on a free local port:
/// its state and `http://127.0.0.1:<port>`.
pub async fn serve_platform() -> (Shared, String) {
    let state = Shared::default();
    state.lock().unwrap().roster = (1..=7).map(member).collect();
    state.lock().unwrap().page_size = 3;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    state.lock().unwrap().base = base.clone();
    let route = Route::new()
        .at("/token", poem::post(token))
        .at("/memberships", poem::get(memberships));
    let acceptor = TcpAcceptor::from_std(listener).unwrap();
    tokio::spawn(Server::new_with_acceptor(acceptor).run(route.data(state.clone())));
    (state, base)
}

/// Points registered platform `id`'s token URL at `base`/token.
pub async fn point_token_url(conn: &impl sea_orm::ConnectionTrait, id: i64, base: &str) {
    entities::lti_platform::ActiveModel {
        id: ActiveValue::Unchanged(id),
        token_url: ActiveValue::Set(format!("{base}/token")),
        ..Default::default()
    }
    .update(conn)
    .await
    .unwrap();
}
