//! One AGS delivery attempt at a time, against a real local server standing in for the
//! platform: token URL, line item container (paged with Link), scores.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use blackbelt::lti::service_token::ServiceTokens;
use blackbelt::outbound::{Outbound, OutboundSettings};
use blackbelt::passback::ags::AgsDeliverer;
use blackbelt::passback::delivery::{Claimed, Deliver, Outcome, Protocol, Target};
use poem::http::StatusCode;
use poem::listener::TcpAcceptor;
use poem::web::Data;
use poem::{Body, EndpointExt, IntoResponse, Request, Response, Route, Server, handler};
use sea_orm::{ActiveModelTrait, ActiveValue};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::lti_platform::TestPlatform;

pub const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
pub const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const AU: &str = "https://example.com/au/policy";

/// A request the fake platform saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    pub body: String,
}

#[derive(Default)]
pub struct State {
    pub base: String,
    /// The `scope` of each token request, in order; token n is `tok-n`.
    pub token_scopes: Vec<String>,
    pub seen: Vec<Seen>,
    /// Answers the scores endpoint gives first: (status, Retry-After).
    pub script: VecDeque<(u16, Option<&'static str>)>,
    /// The first FullyGraded score gets this status instead (once).
    pub refuse_first_graded: Option<u16>,
    /// The token URL answers this status instead of a token.
    token_status: Option<u16>,
    /// The container already holds our column (item 5) on page 2.
    existing: bool,
}

pub type Shared = Arc<Mutex<State>>;

/// Serves `route` on a free local port, returning `http://127.0.0.1:<port>`.
async fn serve(route: Route, state: Shared) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    state.lock().unwrap().base = base.clone();
    let acceptor = TcpAcceptor::from_std(listener).unwrap();
    tokio::spawn(Server::new_with_acceptor(acceptor).run(route.data(state)));
    base
}

async fn record(req: &Request, body: Body, state: &Shared) -> Seen {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let seen = Seen {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().unwrap_or_default().to_owned(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        accept: header("accept"),
        body: body.into_string().await.unwrap(),
    };
    state.lock().unwrap().seen.push(seen.clone());
    seen
}

#[handler]
async fn token(req: &Request, body: Body, Data(state): Data<&Shared>) -> Response {
    let seen = record(req, body, state).await;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(seen.body.as_bytes())
        .into_owned()
        .collect();
    let scope = form.iter().find(|(k, _)| k == "scope").unwrap().1.clone();
    assert!(
        form.iter()
            .any(|(k, v)| k == "grant_type" && v == "client_credentials")
    );
    let mut state = state.lock().unwrap();
    if let Some(status) = state.token_status {
        return Response::builder()
            .status(StatusCode::from_u16(status).unwrap())
            .body(r#"{"error":"invalid_client"}"#);
    }
    state.token_scopes.push(scope.clone());
    let token = format!("tok-{}", state.token_scopes.len());
    poem::web::Json(
        json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": scope}),
    )
    .into_response()
}

/// The line item container: page 1 holds another AU's column and links (relative, in
/// Moodle's typographic quotes) to page 2, which is empty; POST creates item 9.
#[handler]
async fn lineitems(req: &Request, body: Body, Data(state): Data<&Shared>) -> Response {
    let seen = record(req, body, state).await;
    let (base, existing) = {
        let s = state.lock().unwrap();
        (s.base.clone(), s.existing)
    };
    if seen.method == "POST" {
        let mut item: Value = serde_json::from_str(&seen.body).unwrap();
        item["id"] = json!(format!("{base}/api/lineitems/9/lineitem?type_id=1"));
        return Response::builder()
            .status(StatusCode::CREATED)
            .content_type("application/vnd.ims.lis.v2.lineitem+json")
            .body(item.to_string());
    }
    let items = if seen.query.contains("page=2") && existing {
        json!([{"id": format!("{base}/api/lineitems/5/lineitem?type_id=1"),
                "resourceId": AU, "tag": "blackbelt", "label": "Policy basics", "scoreMaximum": 100}])
    } else if seen.query.contains("page=2") {
        json!([])
    } else {
        json!([{"id": format!("{base}/api/lineitems/3/lineitem?type_id=1"),
                "resourceId": "https://example.com/au/other", "tag": "blackbelt", "label": "Other", "scoreMaximum": 100}])
    };
    let mut response = Response::builder()
        .content_type("application/vnd.ims.lis.v2.lineitemcontainer+json")
        .body(items.to_string());
    if !seen.query.contains("page=2") {
        response.headers_mut().insert(
            "link",
            poem::http::HeaderValue::from_bytes(
                "</api/lineitems?type_id=1&page=2>; rel=“next”".as_bytes(),
            )
            .unwrap(),
        );
    }
    response
}

#[handler]
async fn scores(req: &Request, body: Body, Data(state): Data<&Shared>) -> Response {
    let seen = record(req, body, state).await;
    let graded = seen.body.contains(r#""gradingProgress":"FullyGraded""#);
    let next = {
        let mut s = state.lock().unwrap();
        match s.refuse_first_graded.filter(|_| graded) {
            Some(status) => {
                s.refuse_first_graded = None;
                Some((status, None))
            }
            None => s.script.pop_front(),
        }
    };
    let (status, retry_after) = next.unwrap_or((200, None));
    let mut response = Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .body(format!("answer {status}"));
    if let Some(value) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", value.parse().unwrap());
    }
    response
}

/// Serves the platform's token URL, line item container and scores endpoints on a free
/// local port and points the registered platform's token URL there; returns the
/// recorded state and `http://127.0.0.1:<port>`.
pub async fn serve_platform(app: &TestApp, platform_id: i64) -> (Shared, String) {
    let state = Shared::default();
    let route = Route::new()
        .at("/token", poem::post(token))
        .at("/api/lineitems", poem::get(lineitems).post(lineitems))
        .at("/api/lineitems/:id/lineitem/scores", poem::post(scores));
    let base = serve(route, state.clone()).await;
    entities::lti_platform::ActiveModel {
        id: ActiveValue::Unchanged(platform_id),
        token_url: ActiveValue::Set(format!("{base}/token")),
        ..Default::default()
    }
    .update(&app.db.conn)
    .await
    .unwrap();
    (state, base)
}

struct Platform {
    app: TestApp,
    state: Shared,
    base: String,
    platform_id: i64,
    deliverer: AgsDeliverer,
}

pub fn http() -> Outbound {
    Outbound::new(OutboundSettings {
        allow_private: true,
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

/// The app, a registered platform whose token URL is the local fake, and a deliverer.
async fn platform() -> Platform {
    let app = TestApp::spawn().await;
    let registered = TestPlatform::register(&app).await;
    let (state, base) = serve_platform(&app, registered.platform_id).await;
    let deliverer = AgsDeliverer::new(app.db.clone(), http(), ServiceTokens::default());
    Platform {
        app,
        state,
        base,
        platform_id: registered.platform_id,
        deliverer,
    }
}

impl Platform {
    fn claimed(&self, lineitem_url: Option<String>, last: Option<i64>, event_us: i64) -> Claimed {
        Claimed {
            message_id: 41,
            target: Target {
                id: 7,
                protocol: Protocol::Ags,
                source: format!("platform:{}", self.platform_id),
                user_id: "sub-learner-1".into(),
                object_id: AU.into(),
                label: "Policy basics".into(),
                lineitem_url,
                lineitems_url: Some(format!("{}/api/lineitems?type_id=1", self.base)),
                resource_link_id: Some("rl-1".into()),
                scopes: vec![LINEITEM.into(), SCORE.into()],
                outcome_url: None,
                sourcedid: None,
                last_sent_ts_us: last,
            },
            payload: json!({"activityProgress": "Completed", "gradingProgress": "FullyGraded",
                            "scoreGiven": 83.0, "scoreMaximum": 100, "comment": "Passed"}),
            event_us,
            attempts: 0,
        }
    }

    fn item_url(&self) -> String {
        format!("{}/api/lineitems/9/lineitem?type_id=1", self.base)
    }

    fn script(&self, answers: &[(u16, Option<&'static str>)]) {
        self.state.lock().unwrap().script = answers.iter().copied().collect();
    }

    fn seen(&self, path_suffix: &str) -> Vec<Seen> {
        let state = self.state.lock().unwrap();
        state
            .seen
            .iter()
            .filter(|s| s.path.ends_with(path_suffix))
            .cloned()
            .collect()
    }
}

/// 2026-11-29T13:00:00.250Z
pub const EVENT_US: i64 = 1_795_957_200_250_000;

#[tokio::test]
async fn ags_score_creates_the_missing_line_item_and_posts_a_score_with_the_score_media_type() {
    let p = platform().await;
    let outcome = p.deliverer.deliver(&p.claimed(None, None, EVENT_US)).await;
    assert_eq!(
        outcome,
        Outcome::Delivered {
            status: 200,
            sent_ts_us: Some(EVENT_US),
            lineitem_url: Some(p.item_url()),
            answer: Some("answer 200".into()),
        }
    );

    // The search kept the container's query, added the filters, and followed Link next.
    let searches: Vec<Seen> = p
        .seen("/api/lineitems")
        .into_iter()
        .filter(|s| s.method == "GET")
        .collect();
    assert_eq!(searches.len(), 2, "{searches:?}");
    assert_eq!(
        searches[0].query,
        "type_id=1&resource_link_id=rl-1&resource_id=https%3A%2F%2Fexample.com%2Fau%2Fpolicy&tag=blackbelt"
    );
    assert_eq!(searches[1].query, "type_id=1&page=2");
    for search in &searches {
        assert_eq!(
            search.accept.as_deref(),
            Some("application/vnd.ims.lis.v2.lineitemcontainer+json")
        );
        assert!(
            search
                .authorization
                .as_deref()
                .unwrap()
                .starts_with("Bearer tok-")
        );
    }
    let created: Vec<Seen> = p
        .seen("/api/lineitems")
        .into_iter()
        .filter(|s| s.method == "POST")
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].content_type.as_deref(),
        Some("application/vnd.ims.lis.v2.lineitem+json")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&created[0].body).unwrap(),
        json!({"scoreMaximum": 100, "label": "Policy basics", "resourceId": AU,
               "tag": "blackbelt", "resourceLinkId": "rl-1"})
    );

    // The score: /scores before the query, the exact media type, a score-scope token.
    let posted = p.seen("/scores");
    assert_eq!(posted.len(), 1);
    let score = &posted[0];
    assert_eq!(score.path, "/api/lineitems/9/lineitem/scores");
    assert_eq!(score.query, "type_id=1");
    assert_eq!(
        score.content_type.as_deref(),
        Some("application/vnd.ims.lis.v1.score+json")
    );
    let scopes = p.state.lock().unwrap().token_scopes.clone();
    assert_eq!(scopes, vec![LINEITEM.to_owned(), SCORE.to_owned()]);
    assert_eq!(score.authorization.as_deref(), Some("Bearer tok-2"));
    assert_eq!(
        serde_json::from_str::<Value>(&score.body).unwrap(),
        json!({"activityProgress": "Completed", "gradingProgress": "FullyGraded",
               "scoreGiven": 83.0, "scoreMaximum": 100, "comment": "Passed",
               "userId": "sub-learner-1", "timestamp": "2026-11-29T13:00:00.250Z"})
    );

    // A second change in the same second goes out in the next whole second, on the
    // line item now known, with the cached token.
    let again = p
        .deliverer
        .deliver(&p.claimed(Some(p.item_url()), Some(EVENT_US), EVENT_US + 400_000))
        .await;
    let Outcome::Delivered {
        sent_ts_us,
        lineitem_url,
        ..
    } = again
    else {
        panic!("{again:?}");
    };
    assert_eq!(sent_ts_us, Some(1_795_957_201_000_000));
    assert_eq!(lineitem_url, None);
    let posted = p.seen("/scores");
    let body: Value = serde_json::from_str(&posted[1].body).unwrap();
    assert_eq!(body["timestamp"], "2026-11-29T13:00:01.000Z");
    assert_eq!(
        p.state.lock().unwrap().token_scopes.len(),
        2,
        "token reused"
    );
    drop(p.app);
}

#[tokio::test]
async fn ags_a_refused_token_is_replaced_once_then_the_score_fails() {
    let p = platform().await;
    p.script(&[(401, None)]);
    let outcome = p
        .deliverer
        .deliver(&p.claimed(Some(p.item_url()), None, EVENT_US))
        .await;
    assert!(
        matches!(outcome, Outcome::Delivered { status: 200, .. }),
        "{outcome:?}"
    );
    let posted = p.seen("/scores");
    assert_eq!(posted[0].authorization.as_deref(), Some("Bearer tok-1"));
    assert_eq!(posted[1].authorization.as_deref(), Some("Bearer tok-2"));

    p.script(&[(401, None), (401, None)]);
    let outcome = p
        .deliverer
        .deliver(&p.claimed(Some(p.item_url()), Some(EVENT_US), EVENT_US + 2_000_000))
        .await;
    assert!(
        matches!(
            outcome,
            Outcome::Failed {
                status: Some(401),
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(
        p.seen("/scores").len(),
        4,
        "one refresh per attempt, no more"
    );
}

#[tokio::test]
async fn ags_answers_map_to_retry_failed_or_superseded() {
    let p = platform().await;
    let claimed = p.claimed(Some(p.item_url()), None, EVENT_US);

    p.script(&[(503, Some("7"))]);
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(
            &outcome,
            Outcome::Retry { status: Some(503), retry_after: Some(d), answer: Some(a), .. }
                if *d == Duration::from_secs(7) && a == "answer 503"
        ),
        "{outcome:?}"
    );

    p.script(&[(429, None)]);
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(
            outcome,
            Outcome::Retry {
                status: Some(429),
                retry_after: None,
                ..
            }
        ),
        "{outcome:?}"
    );

    p.script(&[(404, None)]);
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(&outcome, Outcome::Failed { status: Some(404), error, .. } if error.contains("no longer exists")),
        "{outcome:?}"
    );

    p.script(&[(400, None)]);
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(
            outcome,
            Outcome::Failed {
                status: Some(400),
                ..
            }
        ),
        "{outcome:?}"
    );

    // 409: the platform holds something newer; terminal, not a failure.
    p.script(&[(409, None)]);
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(outcome, Outcome::Delivered { status: 409, .. }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn ags_an_unreachable_platform_is_retried_and_a_missing_scope_fails() {
    let p = platform().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let claimed = p.claimed(
        Some(format!("http://127.0.0.1:{closed}/li/1")),
        None,
        EVENT_US,
    );
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(outcome, Outcome::Retry { status: None, .. }),
        "{outcome:?}"
    );

    let mut claimed = p.claimed(Some(p.item_url()), None, EVENT_US);
    claimed.target.scopes = vec![LINEITEM.into()];
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(&outcome, Outcome::Failed { error, .. } if error.contains("score scope")),
        "{outcome:?}"
    );
    assert!(p.seen("/scores").is_empty());
}

#[tokio::test]
async fn ags_an_existing_tagged_line_item_is_found_on_a_later_page_and_not_created_again() {
    let p = platform().await;
    p.state.lock().unwrap().existing = true;
    let outcome = p.deliverer.deliver(&p.claimed(None, None, EVENT_US)).await;
    let found = format!("{}/api/lineitems/5/lineitem?type_id=1", p.base);
    assert!(
        matches!(&outcome, Outcome::Delivered { lineitem_url: Some(u), .. } if *u == found),
        "{outcome:?}"
    );
    assert!(p.seen("/api/lineitems").iter().all(|s| s.method == "GET"));
    assert_eq!(
        p.seen("/scores")[0].path,
        "/api/lineitems/5/lineitem/scores"
    );

    // Without the lineitem scope a column can be neither searched for nor made.
    let mut claimed = p.claimed(None, None, EVENT_US);
    claimed.target.scopes = vec![SCORE.into()];
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(&outcome, Outcome::Failed { error, .. } if error.contains("no lineitem scope")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn ags_a_token_url_that_is_down_retries_and_one_that_refuses_fails() {
    let p = platform().await;
    let claimed = p.claimed(Some(p.item_url()), None, EVENT_US);
    p.state.lock().unwrap().token_status = Some(503);
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(&outcome, Outcome::Retry { status: None, error, .. } if error.contains("no access token")),
        "{outcome:?}"
    );
    p.state.lock().unwrap().token_status = Some(400);
    let outcome = p.deliverer.deliver(&claimed).await;
    assert!(
        matches!(&outcome, Outcome::Failed { status: None, error, .. } if error.contains("no access token")),
        "{outcome:?}"
    );
    assert_eq!(p.seen("/token").len(), 2, "one try per attempt");
    assert!(p.seen("/scores").is_empty());
}
