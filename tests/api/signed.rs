//! Signed statements: a JWS attachment whose payload is the statement, RS256/384/512,
//! verified against its x5c certificate when one is given.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, KeyPair, RsaEncoding, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::attachments::{multipart, part, post_multipart, sha256_hex};
use crate::helpers::{TestApp, json_of, statement, uuid};

struct Signer {
    key: RsaKeyPair,
    /// DER of a self-signed certificate for `key`.
    cert: Vec<u8>,
}

impl Signer {
    fn new() -> Signer {
        use aws_lc_rs::encoding::AsDer;
        let key = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).unwrap();
        let rc_key = rcgen::KeyPair::try_from(pkcs8.as_ref()).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["signer.example".to_owned()])
            .unwrap()
            .self_signed(&rc_key)
            .unwrap();
        let _ = key.public_key();
        Signer {
            key,
            cert: cert.der().to_vec(),
        }
    }

    fn jws(&self, alg: &str, header_extra: Value, payload: &[u8]) -> String {
        let encoding: &'static dyn RsaEncoding = match alg {
            "RS384" => &signature::RSA_PKCS1_SHA384,
            "RS512" => &signature::RSA_PKCS1_SHA512,
            _ => &signature::RSA_PKCS1_SHA256,
        };
        let mut header = json!({"alg": alg});
        for (k, v) in header_extra.as_object().unwrap() {
            header[k] = v.clone();
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                encoding,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut sig,
            )
            .unwrap();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn x5c(&self) -> Value {
        json!({"x5c": [STANDARD.encode(&self.cert)]})
    }
}

/// The multipart body of `statement` signed by `jws` (the JWS of its JSON).
fn signed_body(mut statement: Value, jws: &str, content_type: &str) -> Vec<u8> {
    statement["attachments"] = json!([{
        "usageType": "http://adlnet.gov/expapi/attachments/signature",
        "display": {"en-US": "Signature"},
        "contentType": content_type,
        "length": jws.len(),
        "sha2": sha256_hex(jws.as_bytes())
    }]);
    multipart(&statement, &[part(content_type, jws.as_bytes())])
}

fn unsigned() -> Value {
    let mut s = statement(7);
    s["id"] = json!(uuid());
    s
}

#[tokio::test]
async fn statements_signed_with_rs256_rs384_and_rs512_are_accepted() {
    let app = TestApp::spawn().await;
    let signer = Signer::new();
    for alg in ["RS256", "RS384", "RS512"] {
        let s = unsigned();
        let jws = signer.jws(alg, signer.x5c(), s.to_string().as_bytes());
        let response = post_multipart(
            &app,
            signed_body(s, &jws, "application/octet-stream"),
            "2.0.0",
        )
        .await;
        assert_eq!(
            response.0.status().as_u16(),
            200,
            "{alg}: {:?}",
            json_of(response).await
        );
    }
}

#[tokio::test]
async fn tampered_and_malformed_signatures_are_refused() {
    let app = TestApp::spawn().await;
    let signer = Signer::new();
    let other = Signer::new();
    let s = unsigned();
    let mut changed = s.clone();
    changed["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/failed");
    let good = signer.jws("RS256", signer.x5c(), s.to_string().as_bytes());
    let mut flipped = good.clone().into_bytes();
    let last = flipped.len() - 3;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let cases = vec![
        (
            "payload of another statement",
            signer.jws("RS256", signer.x5c(), changed.to_string().as_bytes()),
            "application/octet-stream",
        ),
        (
            "signature bytes changed",
            String::from_utf8(flipped).unwrap(),
            "application/octet-stream",
        ),
        (
            "certificate of another key",
            signer.jws("RS256", other.x5c(), s.to_string().as_bytes()),
            "application/octet-stream",
        ),
        ("not a JWS", "hello".to_owned(), "application/octet-stream"),
        (
            "payload not JSON",
            signer.jws("RS256", json!({}), b"{'broken"),
            "application/octet-stream",
        ),
        ("wrong content type", good.clone(), "text/plain"),
    ];
    for (case, jws, content_type) in cases {
        let response =
            post_multipart(&app, signed_body(s.clone(), &jws, content_type), "1.0.3").await;
        assert_eq!(response.0.status().as_u16(), 400, "{case}");
    }
    app.get(&format!("?statementId={}", s["id"].as_str().unwrap()))
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn other_algorithms_are_refused() {
    let app = TestApp::spawn().await;
    let s = unsigned();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
    let payload = URL_SAFE_NO_PAD.encode(s.to_string());
    let jws = format!("{header}.{payload}.c2lnbmF0dXJl");
    let response = post_multipart(
        &app,
        signed_body(s, &jws, "application/octet-stream"),
        "2.0.0",
    )
    .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let message = json_of(response).await["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("RS256"), "{message}");
}

#[tokio::test]
async fn durations_in_signed_statements_compare_to_hundredths() {
    let app = TestApp::spawn().await;
    let signer = Signer::new();
    let mut s = unsigned();
    s["result"] = json!({"duration": "PT1M0.12S"});
    let jws = signer.jws("RS256", json!({}), s.to_string().as_bytes());
    s["result"]["duration"] = json!("PT1M0.1299S");
    post_multipart(
        &app,
        signed_body(s, &jws, "application/octet-stream"),
        "2.0.0",
    )
    .await
    .assert_status_is_ok();
}
