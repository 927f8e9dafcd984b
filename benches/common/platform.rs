//! A stub LMS platform for the passback bench, in the bench process: a token URL and
//! AGS score endpoints that answer at once, counting the scores they took. What it
//! measures is our side; the platform costs what an HTTP round trip on loopback costs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use poem::listener::TcpAcceptor;
use poem::web::{Data, Json};
use poem::{EndpointExt, Response, Route, Server, handler};
use serde_json::{Value, json};

pub struct StubPlatform {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    scores: Arc<AtomicU64>,
}

impl StubPlatform {
    /// Serves the stub on a free loopback port.
    pub async fn start() -> StubPlatform {
        let scores = Arc::new(AtomicU64::new(0));
        let route = Route::new()
            .at("/token", poem::post(token))
            .at("/li/:n/lineitem/scores", poem::post(score))
            .data(scores.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let acceptor = TcpAcceptor::from_std(listener).expect("acceptor");
        tokio::spawn(Server::new_with_acceptor(acceptor).run(route));
        StubPlatform { base, scores }
    }

    /// Score POSTs answered so far.
    pub fn scores(&self) -> u64 {
        self.scores.load(Ordering::Relaxed)
    }

    /// The line item of gradebook column `n` (its scores URL is `…/lineitem/scores`).
    pub fn lineitem(&self, n: u64) -> String {
        format!("{}/li/{n}/lineitem", self.base)
    }
}

#[handler]
fn token() -> Json<Value> {
    Json(
        json!({"access_token": "bench-token", "token_type": "Bearer", "expires_in": 3600,
                "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score"}),
    )
}

#[handler]
fn score(Data(scores): Data<&Arc<AtomicU64>>) -> Response {
    scores.fetch_add(1, Ordering::Relaxed);
    Response::builder()
        .status(poem::http::StatusCode::OK)
        .finish()
}
