//! A test LTI 1.3 platform: its own RSA key, its JWKS served on a local port, and
//! id_tokens signed the way an LMS signs them.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use poem::{EndpointExt, Route, Server, get, handler, listener::TcpListener, web::Json};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

pub const ISSUER: &str = "https://lms.example.com";
pub const CLIENT_ID: &str = "bb-client-1";
pub const DEPLOYMENT: &str = "deployment-1";

pub struct TestPlatform {
    pub key: EncodingKey,
    pub kid: String,
    pub jwks_url: String,
    pub platform_id: i64,
}

pub fn rsa_key() -> (EncodingKey, Value) {
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let der = pair.as_der().unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD
            .encode(der.as_ref())
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let public = pair.public_key();
    let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    (
        EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        json!({"kty": "RSA", "alg": "RS256", "use": "sig", "n": n, "e": e}),
    )
}

/// Serves `{"keys": [jwk]}` on a free local port; returns the URL.
async fn serve_jwks(jwks: Value) -> String {
    #[handler]
    fn keys(data: poem::web::Data<&Value>) -> Json<Value> {
        Json(data.0.clone())
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let app = Route::new().at("/jwks", get(keys)).data(jwks);
    tokio::spawn(Server::new(TcpListener::bind(format!("127.0.0.1:{port}"))).run(app));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    format!("http://127.0.0.1:{port}/jwks")
}

impl TestPlatform {
    /// A platform with its JWKS up, registered with `app`.
    pub async fn register(app: &TestApp) -> TestPlatform {
        let (key, mut jwk) = rsa_key();
        let kid = "platform-key-1".to_owned();
        jwk["kid"] = json!(kid);
        let jwks_url = serve_jwks(json!({"keys": [jwk]})).await;
        let response = app
            .client
            .post("/api/lti/platforms")
            .header("Authorization", &app.auth)
            .content_type("application/json")
            .body(
                json!({
                    "name": "Test LMS", "issuer": ISSUER, "clientId": CLIENT_ID,
                    "deploymentIds": [DEPLOYMENT],
                    "authLoginUrl": "https://lms.example.com/auth", "tokenUrl": "https://lms.example.com/token",
                    "jwksUrl": jwks_url,
                })
                .to_string(),
            )
            .send()
            .await;
        response.assert_status(poem::http::StatusCode::CREATED);
        let platform_id = json_of(response).await["id"].as_i64().unwrap();
        TestPlatform {
            key,
            kid,
            jwks_url,
            platform_id,
        }
    }

    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with(claims, &self.key, Some(&self.kid))
    }

    pub fn sign_with(&self, claims: &Value, key: &EncodingKey, kid: Option<&str>) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }
}

/// Runs the OIDC login; returns (state, nonce) from the redirect to the platform.
pub async fn login(app: &TestApp) -> (String, String) {
    let response = app
        .client
        .get("/lti/login")
        .query("iss", &ISSUER)
        .query("login_hint", &"user-1")
        .query("target_link_uri", &"http://127.0.0.1:8420/lti/launch")
        .query("client_id", &CLIENT_ID)
        .query("lti_message_hint", &"hint-1")
        .send()
        .await;
    response.assert_status(poem::http::StatusCode::FOUND);
    let location = response.0.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with("https://lms.example.com/auth?"),
        "{location}"
    );
    let url = url::Url::parse(&location).unwrap();
    let get = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    assert_eq!(get("redirect_uri"), "http://127.0.0.1:8420/lti/launch");
    assert_eq!(get("response_mode"), "form_post");
    assert_eq!(get("lti_message_hint"), "hint-1");
    (get("state"), get("nonce"))
}

/// A valid resource-link launch's claims.
pub fn good_claims(nonce: &str, au: &str) -> Value {
    let now = jiff::Timestamp::now().as_second();
    json!({
        "iss": ISSUER, "aud": CLIENT_ID, "sub": "user-1", "iat": now, "exp": now + 300, "nonce": nonce,
        "name": "Ada Lovelace", "email": "ada@example.com",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT,
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "http://127.0.0.1:8420/lti/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "link-1", "title": "Policy"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/custom": {"au": au},
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"return_url": "https://lms.example.com/course/1"},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitem": "https://lms.example.com/api/lineitems/7?type=x"
        },
    })
}

/// A valid Deep Linking request's claims, from an instructor.
pub fn deep_linking_claims(nonce: &str) -> Value {
    const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
    let mut claims = good_claims(nonce, "");
    let map = claims.as_object_mut().unwrap();
    map.remove(&format!("{LTI}resource_link"));
    map.remove(&format!("{LTI}custom"));
    map.insert(format!("{LTI}message_type"), json!("LtiDeepLinkingRequest"));
    map.insert(
        format!("{LTI}roles"),
        json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]),
    );
    map.insert(
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings".into(),
        json!({"deep_link_return_url": "https://lms.example.com/deep_links", "accept_types": ["ltiResourceLink"]}),
    );
    claims
}

/// POSTs an id_token and state to /lti/launch.
pub async fn post_launch(app: &TestApp, id_token: &str, state: &str) -> poem::test::TestResponse {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token", id_token)
        .append_pair("state", state)
        .finish();
    app.client
        .post("/lti/launch")
        .content_type("application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
}
