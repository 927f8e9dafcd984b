//! The client-credentials token for LTI services: a signed assertion the platform can
//! verify with our JWKS, retried on 5xx, cached until expiry.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use blackbelt::lti::service_token::ServiceTokens;
use poem::web::{Data, Form, Json};
use poem::{EndpointExt, Route, Server, handler, listener::TcpListener, post};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::lti_platform::TestPlatform;

#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

#[handler]
fn token(
    form: Form<std::collections::HashMap<String, String>>,
    calls: Data<&Calls>,
) -> poem::Response {
    let n = calls.0.0.fetch_add(1, Ordering::SeqCst);
    if n == 0 {
        // The first attempt meets a platform hiccup.
        return poem::Response::builder()
            .status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
            .finish();
    }
    assert_eq!(form.0["grant_type"], "client_credentials");
    assert_eq!(
        form.0["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    let payload = form.0["client_assertion"]
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    poem::IntoResponse::into_response(Json(json!({
        "access_token": format!("token-for-{}", claims["sub"].as_str().unwrap()),
        "token_type": "Bearer", "expires_in": 3600,
        "scope": form.0["scope"], "deployment": claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
    })))
}

#[tokio::test]
async fn service_tokens_are_fetched_with_a_signed_assertion_and_cached() {
    let app = TestApp::spawn().await;
    let registered = TestPlatform::register(&app).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let calls = Calls::default();
    let server = Route::new().at("/token", post(token)).data(calls.clone());
    tokio::spawn(Server::new(TcpListener::bind(format!("127.0.0.1:{port}"))).run(server));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;

    let mut platform = blackbelt::lti::platforms::find(&app.db.conn, registered.platform_id)
        .await
        .unwrap()
        .unwrap();
    platform.token_url = format!("http://127.0.0.1:{port}/token");
    let tokens = ServiceTokens::default();
    let http = blackbelt::outbound::Outbound::new(blackbelt::outbound::OutboundSettings {
        allow_private: true,
        connect_timeout: std::time::Duration::from_secs(5),
        timeout: std::time::Duration::from_secs(10),
    })
    .unwrap();
    let scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"];
    let first = tokens
        .get(&app.db, &http, &platform, &scopes)
        .await
        .unwrap();
    assert_eq!(first, "token-for-bb-client-1");
    assert_eq!(calls.0.load(Ordering::SeqCst), 2, "one retry after the 503");
    let again = tokens
        .get(&app.db, &http, &platform, &scopes)
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(calls.0.load(Ordering::SeqCst), 2, "served from the cache");

    // Twenty deliveries finding the cache empty at once make one token request, not 20.
    let other = ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"];
    let asks = (0..20).map(|_| tokens.get(&app.db, &http, &platform, &other));
    let got = futures_util::future::join_all(asks).await;
    assert!(
        got.iter().all(|t| matches!(t, Ok(t) if *t == first)),
        "{got:?}"
    );
    assert_eq!(
        calls.0.load(Ordering::SeqCst),
        3,
        "one request for the new scope"
    );

    // The assertion verifies with the key the tool publishes.
    let assertion = blackbelt::lti::service_token::assertion(&app.db, &platform)
        .await
        .unwrap();
    let kid = jsonwebtoken::decode_header(&assertion)
        .unwrap()
        .kid
        .unwrap();
    let key = blackbelt::lti::keys::decoding_key(&app.db.conn, &kid)
        .await
        .unwrap()
        .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[platform.token_url.as_str()]);
    let checked = jsonwebtoken::decode::<Value>(&assertion, &key, &validation).unwrap();
    assert_eq!(checked.claims["iss"], "bb-client-1");
    assert_eq!(
        checked.claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
        "deployment-1"
    );
}
