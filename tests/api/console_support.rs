//! Helpers of the console tests: a signed-in browser of a given role (a user row and a
//! session made directly, so page tests do not depend on the sign-in form), GETs and
//! form POSTs with its cookie and CSRF token.

// Some helpers serve only some page tests.
#![allow(dead_code)]

use blackbelt::console::role::Role;
use blackbelt::console::session::{self, Client, Owner, SessionSettings};
use entities::console_user;
use poem::http::StatusCode;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;

use crate::helpers::TestApp;

/// A console page as the browser got it.
pub struct Page {
    pub status: StatusCode,
    pub headers: poem::http::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Where a 303 leads.
    pub fn location(&self) -> &str {
        self.header("location")
    }

    /// Fails the test, showing the page, unless `needle` is on it.
    pub fn shows(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "`{needle}` missing (status {}):\n{}",
            self.status,
            self.body
        );
        self
    }
}

/// A signed-in console user.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
    pub user_id: i64,
    pub username: String,
}

/// Creates a console user of `role` (a manager's `team` is `{"org_units": [..]}`) and
/// signs them in.
pub async fn signed_in(app: &TestApp, role: Role, team: Option<Value>) -> Browser {
    let username = format!("{}-{}", role, &crate::helpers::uuid()[..8]);
    let user = console_user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(format!("Test {role}")),
        email: Set(Some(format!("{username}@example.com"))),
        role: Set(role.as_str().into()),
        team: Set(team),
        password_hash: Set(None),
        disabled_us: Set(None),
        created_us: Set(blackbelt::console::now_us()),
        updated_us: Set(blackbelt::console::now_us()),
        ..Default::default()
    }
    .insert(app.db.writer())
    .await
    .expect("console user");
    let settings = SessionSettings {
        idle_us: 3_600_000_000,
        absolute_us: 3_600_000_000,
        secure: false,
    };
    let token = session::create(
        app.db.writer(),
        &settings,
        Owner::User(user.id),
        Client::default(),
        blackbelt::console::now_us(),
    )
    .await
    .expect("console session");
    Browser {
        cookie: format!("{}={token}", settings.cookie_name()),
        csrf: blackbelt::console::csrf::token_for(&token),
        user_id: user.id,
        username,
    }
}

impl Browser {
    pub async fn get(&self, app: &TestApp, path: &str) -> Page {
        let r = app
            .client
            .get(path)
            .header("cookie", &self.cookie)
            .send()
            .await;
        page_of(r).await
    }

    /// POSTs a form with this session's CSRF token added.
    pub async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        all.extend_from_slice(fields);
        self.post_raw(app, path, &all).await
    }

    /// POSTs exactly `fields` (no CSRF token unless given).
    pub async fn post_raw(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let r = app
            .client
            .post(path)
            .header("cookie", &self.cookie)
            .content_type("application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        page_of(r).await
    }
}

/// A GET without any session.
pub async fn anonymous_get(app: &TestApp, path: &str) -> Page {
    page_of(app.client.get(path).send().await).await
}

pub async fn page_of(r: poem::test::TestResponse) -> Page {
    let status = r.0.status();
    let headers = r.0.headers().clone();
    let body = r.0.into_body().into_string().await.unwrap_or_default();
    Page {
        status,
        headers,
        body,
    }
}
