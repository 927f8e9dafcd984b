//! Helpers of the badges tests: raw GETs with `Accept`, paths of the server's own URLs,
//! an award with its credential, a learner row with a name.

use poem::http::StatusCode;
use serde_json::Value;

use crate::cert_fixture::enc;
use crate::helpers::TestApp;

pub const ADA: &str = "account:https://lms.example.com|ada";

/// A raw answer: status, a header's value and the body as text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: poem::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

/// GET `path` with optional `Accept` and `Authorization` headers.
pub async fn get(app: &TestApp, path: &str, accept: Option<&str>, auth: Option<&str>) -> Answer {
    let mut request = app.client.get(path);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    let response = request.send().await;
    let status = response.0.status();
    let headers = response.0.headers().clone();
    let body = response.0.into_body().into_string().await.unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// The path part of one of the server's own URLs.
pub fn path_of(url: &str) -> String {
    let parsed = url::Url::parse(url).unwrap();
    match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    }
}

/// The program, an award of `belt` to `learner`, and its credential's summary (made
/// through the admin list).
pub async fn awarded(app: &TestApp, learner: &str, belt: &str) -> (i64, Value) {
    named(app, learner, None).await;
    let award = app.insert_award(learner, belt).await;
    let (status, page) = app
        .call(
            "GET",
            &format!("/api/badges/credentials?learner={}", enc(learner)),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let summary = page["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["award_id"] == award)
        .cloned()
        .unwrap_or_else(|| panic!("no credential for award {award}: {page}"));
    (award, summary)
}

/// Gives `learner` a learner row (revocation audits it) with `name`, keeping one made
/// by a launch.
pub async fn named(app: &TestApp, learner: &str, name: Option<&str>) {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    match entities::cert_learner::Entity::find_by_id(learner.to_owned())
        .one(&app.db.conn)
        .await
        .unwrap()
    {
        Some(row) => {
            let mut row = row.into_active_model();
            row.name = Set(name.map(str::to_owned));
            row.update(&app.db.conn).await.unwrap();
        }
        None => {
            app.insert_learner(learner).await;
            if name.is_some() {
                Box::pin(named(app, learner, name)).await;
            }
        }
    }
}

pub fn jwt_payload(jwt: &str) -> Value {
    blackbelt::badges::jwt::payload_unverified(jwt).unwrap()
}

/// A document's one Data Integrity proof (a set of one, or a single object).
pub fn proof(document: &Value) -> &Value {
    match &document["proof"] {
        Value::Array(proofs) => proofs.first().unwrap_or(&Value::Null),
        single => single,
    }
}
