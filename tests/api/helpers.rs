//! `TestApp::spawn()`: the real application on a fresh database, driven in-process.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use blackbelt::app::App;
use blackbelt::auth::{AuthService, Scopes, store};
use blackbelt::config::Config;
use blackbelt::db::Db;
use blackbelt::passback::dispatch::Deliverers;
use poem::endpoint::BoxEndpoint;
use poem::test::{TestClient, TestResponse};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::pg_drop::PgDrop;

pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static>>,
    pub db: Db,
    pub auth: String,
    /// The app's credential checks (to revoke through, as the CLI does).
    pub auth_service: AuthService,
    config: Config,
    /// The app's passback dispatcher, kept running as long as the test app.
    pub passback: Option<blackbelt::passback::dispatch::Dispatcher>,
    /// The app's NRPS roster sync task, kept running as long as the test app.
    pub _roster: Option<blackbelt::roster::sync::RosterSync>,
    /// Shared with `spawn_beside` apps: dropped with the last of them.
    schema: Option<Arc<Schema>>,
    _dir: Option<tempfile::TempDir>,
}

/// A test's PostgreSQL schema, dropped (with everything in it) when this is dropped.
pub struct Schema {
    pub name: String,
    _drop: PgDrop,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with a tweaked configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_with_deliverers(tweak, Deliverers::new()).await
    }

    /// Spawns with a tweaked configuration and the given passback deliverers.
    pub async fn spawn_with_deliverers(
        tweak: impl FnOnce(&mut Config),
        deliverers: Deliverers,
    ) -> TestApp {
        Self::spawn_inner(tweak, Some(deliverers)).await
    }

    /// Spawns with a tweaked configuration and the production passback deliverers (AGS
    /// and LTI 1.1 over the outbound client), as `blackbelt serve` runs.
    pub async fn spawn_delivering(tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_inner(tweak, None).await
    }

    async fn spawn_inner(
        tweak: impl FnOnce(&mut Config),
        deliverers: Option<Deliverers>,
    ) -> TestApp {
        let (app, config, schema, dir) = build_app_inner(tweak, deliverers).await;
        let created = store::create(
            &app.db.conn,
            "test",
            Scopes::parse_list("all,admin").unwrap(),
            &config.public_url,
        )
        .await
        .expect("credential");
        TestApp {
            client: TestClient::new(app.endpoint),
            db: app.db,
            auth: basic(&created.key, &created.secret),
            auth_service: app.auth,
            config,
            passback: app.passback,
            _roster: app.roster,
            schema,
            _dir: dir,
        }
    }

    /// A one-time Dynamic Registration link made through the admin API: its token.
    pub async fn registration_link(&self) -> String {
        let response = self
            .client
            .post("/api/lti/registration-links")
            .header("Authorization", &self.auth)
            .content_type("application/json")
            .body("{}")
            .send()
            .await;
        response.assert_status(poem::http::StatusCode::CREATED);
        let link = json_of(response).await;
        let url = url::Url::parse(link["url"].as_str().expect("url")).expect("a URL");
        url.query_pairs()
            .find(|(name, _)| name == "link")
            .map(|(_, token)| token.into_owned())
            .expect("a link parameter")
    }

    /// A second instance on this app's database (the same SQLite file or PostgreSQL
    /// schema), as another server process would be; it shares this app's credential.
    pub async fn spawn_beside(&self) -> TestApp {
        self.spawn_beside_with(|_| {}, Deliverers::new()).await
    }

    /// As `spawn_beside`, with a tweaked configuration and the given passback
    /// deliverers (a restarted server, say).
    pub async fn spawn_beside_with(
        &self,
        tweak: impl FnOnce(&mut Config),
        deliverers: Deliverers,
    ) -> TestApp {
        self.beside(tweak, Some(deliverers)).await
    }

    /// As `spawn_beside`, with a tweaked configuration and the production passback
    /// deliverers: another `blackbelt serve` on the same database.
    pub async fn spawn_beside_delivering(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        self.beside(tweak, None).await
    }

    /// Another app on this database; `None` deliverers means the production ones.
    async fn beside(
        &self,
        tweak: impl FnOnce(&mut Config),
        deliverers: Option<Deliverers>,
    ) -> TestApp {
        let schema = self.schema.as_ref().map(|s| s.name.as_str());
        let mut config = self.config.clone();
        tweak(&mut config);
        let app = match deliverers {
            Some(d) => App::build_with_deliverers(config.clone(), schema, d).await,
            None => App::build_with_schema(config.clone(), schema).await,
        }
        .expect("second app builds");
        TestApp {
            client: TestClient::new(app.endpoint),
            db: app.db,
            auth: self.auth.clone(),
            auth_service: app.auth,
            passback: app.passback,
            _roster: app.roster,
            config,
            schema: self.schema.clone(),
            _dir: None,
        }
    }

    /// Builds another app on this app's database with a tweaked configuration, and
    /// returns what the start gave (to test refusals at start).
    pub async fn build_beside(
        &self,
        tweak: impl FnOnce(&mut Config),
    ) -> Result<App, blackbelt::app::StartError> {
        let schema = self.schema.as_ref().map(|s| s.name.as_str());
        let mut config = self.config.clone();
        tweak(&mut config);
        App::build_with_deliverers(config, schema, Deliverers::new()).await
    }

    /// A new credential with the given scopes, as an Authorization header value.
    pub async fn credential(&self, scopes: &str) -> String {
        let created = store::create(
            &self.db.conn,
            "scoped",
            Scopes::parse_list(scopes).unwrap(),
            "http://test",
        )
        .await
        .expect("credential");
        basic(&created.key, &created.secret)
    }

    pub async fn post(&self, body: &Value) -> TestResponse {
        self.post_as(body, &self.auth, "1.0.3").await
    }

    pub async fn post_as(&self, body: &Value, auth: &str, version: &str) -> TestResponse {
        self.client
            .post("/xapi/statements")
            .header("Authorization", auth)
            .header("X-Experience-API-Version", version)
            .content_type("application/json")
            .body(body.to_string())
            .send()
            .await
    }

    /// POST /xapi/statements with any content type and body text.
    pub async fn post_raw(&self, content_type: &str, body: &str) -> TestResponse {
        self.client
            .post("/xapi/statements")
            .header("Authorization", &self.auth)
            .header("X-Experience-API-Version", "1.0.3")
            .content_type(content_type)
            .body(body.to_owned())
            .send()
            .await
    }

    pub async fn put(&self, id: &str, body: &Value) -> TestResponse {
        self.client
            .put("/xapi/statements")
            .query("statementId", &id)
            .header("Authorization", &self.auth)
            .header("X-Experience-API-Version", "1.0.3")
            .content_type("application/json")
            .body(body.to_string())
            .send()
            .await
    }

    /// GET /xapi/statements with a raw query string.
    pub async fn get(&self, query: &str) -> TestResponse {
        self.get_as(query, &self.auth).await
    }

    pub async fn get_as(&self, query: &str, auth: &str) -> TestResponse {
        self.client
            .get(format!("/xapi/statements{query}"))
            .header("Authorization", auth)
            .header("X-Experience-API-Version", "1.0.3")
            .send()
            .await
    }

    /// Ids of the statements a query returns, in order.
    pub async fn ids(&self, query: &str) -> Vec<String> {
        let response = self.get(query).await;
        response.assert_status_is_ok();
        let body = json_of(response).await;
        body["statements"]
            .as_array()
            .expect("statements array")
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

pub fn basic(key: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{key}:{secret}")))
}

pub async fn json_of(response: TestResponse) -> Value {
    let bytes = response.0.into_body().into_vec().await.expect("body");
    serde_json::from_slice(&bytes).expect("JSON body")
}

/// A valid statement; `n` varies the actor and activity.
pub fn statement(n: u32) -> Value {
    json!({
        "actor": {"objectType": "Agent", "name": format!("Learner {n}"), "mbox": format!("mailto:learner{n}@example.com")},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"id": format!("http://example.com/activities/{n}"), "definition": {"name": {"en-US": "Activity"}}}
    })
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Each PostgreSQL test gets its own schema, so tests run in parallel; it is dropped
/// when the test lets go of it, so runs leave nothing behind.
async fn fresh_schema(url: &str) -> Schema {
    use sea_orm::{ConnectionTrait, Database};
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let conn = Database::connect(url).await.expect("postgres reachable");
    conn.execute_unprepared(&format!("CREATE SCHEMA {name}"))
        .await
        .expect("create schema");
    conn.close().await.ok();
    Schema {
        _drop: PgDrop::new(url, format!("DROP SCHEMA IF EXISTS {name} CASCADE")),
        name,
    }
}

/// The real application on a fresh database (a temp-file SQLite, or a fresh schema when
/// `TEST_DATABASE_URL` points at PostgreSQL), with its configuration and temp folder.
pub async fn build_app(
    tweak: impl FnOnce(&mut Config),
) -> (App, Config, Option<Arc<Schema>>, Option<tempfile::TempDir>) {
    build_app_with(tweak, Deliverers::new()).await
}

/// As `build_app`, with the given passback deliverers.
pub async fn build_app_with(
    tweak: impl FnOnce(&mut Config),
    deliverers: Deliverers,
) -> (App, Config, Option<Arc<Schema>>, Option<tempfile::TempDir>) {
    build_app_inner(tweak, Some(deliverers)).await
}

/// `deliverers`: `None` for the production ones.
async fn build_app_inner(
    tweak: impl FnOnce(&mut Config),
    deliverers: Option<Deliverers>,
) -> (App, Config, Option<Arc<Schema>>, Option<tempfile::TempDir>) {
    // Test platforms (JWKS, token and registration servers) listen on 127.0.0.1.
    let mut config = Config {
        outbound_allow_private: true,
        ..Config::default()
    };
    tweak(&mut config);
    let (dir, schema) = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            config.database_url = url.clone();
            config.database_max_connections = 4;
            (None, Some(Arc::new(fresh_schema(&url).await)))
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            config.database_url =
                format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (Some(dir), None)
        }
    };
    let schema_name = schema.as_ref().map(|s| s.name.as_str());
    let app = match deliverers {
        Some(deliverers) => {
            App::build_with_deliverers(config.clone(), schema_name, deliverers).await
        }
        None => App::build_with_schema(config.clone(), schema_name).await,
    }
    .expect("app builds");
    (app, config, schema, dir)
}
