//! One row per 1EdTech certification "known bad payload" (and the Security Framework
//! rules around them); the valid variants the certification requires us to accept are
//! in `valid.rs`.

use std::sync::LazyLock;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use super::*;
use crate::lti::claims::{
    CONTEXT, DEPLOYMENT_ID, MESSAGE_TYPE, MessageType, RESOURCE_LINK, ROLES, Role, VERSION,
};

mod valid;

const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://lms.example.edu";
const CLIENT: &str = "tool-client-1";
const DEPLOYMENT: &str = "deployment-1";
const KID: &str = "platform-key-1";
const V2: &str = "http://purl.imsglobal.org/vocab/lis/v2/";

struct TestKey {
    encoding: EncodingKey,
    jwk: Value,
    /// The public key as anyone reads it (SubjectPublicKeyInfo PEM).
    public_pem: String,
}

impl TestKey {
    fn generate(kid: &str) -> TestKey {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let der = pair.as_der().unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(der.as_ref())
        );
        let public = pair.public_key();
        let spki = public.as_der().unwrap();
        let public_pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            STANDARD.encode(spki.as_ref())
        );
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        TestKey {
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            jwk: json!({
                "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero()),
            }),
            public_pem,
        }
    }
}

/// The platform's key, and an impostor's key published under the same kid.
static PLATFORM: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate(KID));
static IMPOSTOR: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate(KID));

fn good_claims() -> Value {
    json!({
        "iss": ISS,
        "aud": CLIENT,
        "sub": "user-42",
        "exp": NOW + 300,
        "iat": NOW - 5,
        "nonce": "nonce-1",
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.edu",
        MESSAGE_TYPE: "LtiResourceLinkRequest",
        VERSION: "1.3.0",
        DEPLOYMENT_ID: DEPLOYMENT,
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://tool.example/launch",
        RESOURCE_LINK: { "id": "link-7", "title": "Week 1" },
        ROLES: [format!("{V2}membership#Learner")],
        CONTEXT: { "id": "course-9", "title": "Social Media 101" },
        "https://purl.imsglobal.org/spec/lti/claim/custom": { "tier": "white" },
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
            "return_url": "https://lms.example.edu/return"
        },
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitem": "https://lms.example.edu/lineitems/1"
        },
    })
}

/// `good_claims()` with `claim` set to `value`.
fn set(claim: &str, value: Value) -> Value {
    with(good_claims(), claim, value)
}

fn with(mut claims: Value, claim: &str, value: Value) -> Value {
    claims[claim] = value;
    claims
}

/// `good_claims()` without `names`.
fn omit(names: &[&str]) -> Value {
    let mut claims = good_claims();
    if let Some(map) = claims.as_object_mut() {
        for name in names {
            map.remove(*name);
        }
    }
    claims
}

fn signed(kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn sign(claims: &Value) -> String {
    signed(Some(KID), claims, &PLATFORM.encoding)
}

fn check_with(token: &str, jwk: &Value) -> Result<LaunchClaims, LtiError> {
    let jwks: JwkSet = serde_json::from_value(json!({ "keys": [jwk] })).unwrap();
    let deployments = [DEPLOYMENT.to_owned()];
    let expect = Expectation {
        issuer: ISS,
        client_id: CLIENT,
        deployment_ids: &deployments,
        now_s: NOW,
        leeway_s: 60,
    };
    verify(token, &jwks, &expect)
}

fn check(token: &str) -> Result<LaunchClaims, LtiError> {
    check_with(token, &PLATFORM.jwk)
}

fn assert_refused(name: &str, token: &str, code: &str, detail: &str) {
    match check(token) {
        Ok(_) => panic!("{name}: accepted"),
        Err(err) => {
            assert_eq!(err.code(), code, "{name}: {err}");
            let message = err.to_string();
            assert!(
                message.contains(detail),
                "{name}: {message:?} lacks {detail:?}"
            );
        }
    }
}

#[test]
fn tokens_with_a_bad_header_key_or_signature_are_refused() {
    let good = sign(&good_claims());
    let [head, _, signature] = good.split('.').collect::<Vec<_>>()[..] else {
        panic!("three parts");
    };
    let forged = URL_SAFE_NO_PAD.encode(set("sub", json!("admin")).to_string());
    let mut hs256 = Header::new(Algorithm::HS256);
    hs256.kid = Some(KID.into());
    let secret = EncodingKey::from_secret(b"the public key as an HMAC secret");
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"platform-key-1"}"#);
    let body = URL_SAFE_NO_PAD.encode(good_claims().to_string());
    let rows: Vec<(&str, String, &str, &str)> = vec![
        (
            "no KID",
            signed(None, &good_claims(), &PLATFORM.encoding),
            "no_kid",
            "kid",
        ),
        (
            "incorrect KID",
            signed(Some("nope"), &good_claims(), &IMPOSTOR.encoding),
            "unknown_kid",
            "nope",
        ),
        (
            "same KID, other key",
            signed(Some(KID), &good_claims(), &IMPOSTOR.encoding),
            "bad_signature",
            "signature",
        ),
        (
            "payload altered",
            format!("{head}.{forged}.{signature}"),
            "bad_signature",
            "altered",
        ),
        (
            "HS256",
            jsonwebtoken::encode(&hs256, &good_claims(), &secret).unwrap(),
            "wrong_algorithm",
            "HS256",
        ),
        (
            "alg none",
            format!("{none_header}.{body}."),
            "wrong_algorithm",
            "none",
        ),
        ("garbage", "this is not a jwt".into(), "not_a_jwt", "parts"),
        ("three garbage parts", "a.b.c".into(), "not_a_jwt", "header"),
        ("JWE-shaped", "a.b.c.d.e".into(), "not_a_jwt", "5"),
    ];
    for (name, token, code, detail) in rows {
        assert_refused(name, &token, code, detail);
    }
}

/// Key confusion: HS256 keyed with the platform's public key, which anyone can fetch
/// from its JWKS, would verify if the key were used as an HMAC secret.
#[test]
fn hs256_keyed_with_the_platforms_own_public_key_is_refused() {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KID.into());
    let secret = EncodingKey::from_secret(PLATFORM.public_pem.as_bytes());
    let token = jsonwebtoken::encode(&header, &good_claims(), &secret).unwrap();
    assert_refused("HS256, public key", &token, "wrong_algorithm", "HS256");
}

#[test]
fn known_bad_payloads_are_refused_with_a_code_and_a_message_naming_the_fault() {
    let lti_claims = [MESSAGE_TYPE, VERSION, DEPLOYMENT_ID, RESOURCE_LINK, ROLES];
    let ancient = with(
        set("iat", json!(1_000_000_000)),
        "exp",
        json!(1_000_000_300),
    );
    let two_auds = set("aud", json!([CLIENT, "other-tool"]));
    let rows: Vec<(&str, Value, &str, &str)> = vec![
        (
            "wrong LTI version",
            set(VERSION, json!("1.0.0")),
            "wrong_version",
            "1.0.0",
        ),
        (
            "no LTI version",
            omit(&[VERSION]),
            "missing_claim",
            "claim/version",
        ),
        (
            "missing LTI claims",
            omit(&lti_claims),
            "missing_claim",
            "message_type",
        ),
        (
            "message_type missing",
            omit(&[MESSAGE_TYPE]),
            "missing_claim",
            "message_type",
        ),
        (
            "message_type unknown",
            set(MESSAGE_TYPE, json!("LtiFoo")),
            "wrong_message_type",
            "LtiFoo",
        ),
        (
            "role claim missing",
            omit(&[ROLES]),
            "missing_claim",
            "claim/roles",
        ),
        (
            "roles not an array",
            set(ROLES, json!("Learner")),
            "invalid_claim",
            "claim/roles",
        ),
        (
            "deployment_id missing",
            omit(&[DEPLOYMENT_ID]),
            "missing_claim",
            "deployment_id",
        ),
        (
            "deployment_id unknown",
            set(DEPLOYMENT_ID, json!("dep-x")),
            "unknown_deployment",
            "dep-x",
        ),
        (
            "resource_link missing",
            omit(&[RESOURCE_LINK]),
            "missing_claim",
            "resource_link",
        ),
        (
            "resource_link id missing",
            set(RESOURCE_LINK, json!({"title": "t"})),
            "missing_claim",
            "resource_link.id",
        ),
        ("user (sub) missing", omit(&["sub"]), "missing_claim", "sub"),
        (
            "user (sub) blank",
            set("sub", json!("")),
            "missing_claim",
            "sub",
        ),
        (
            "exp in the past",
            set("exp", json!(NOW - 61)),
            "expired",
            "clock",
        ),
        ("iat and exp long ago", ancient, "expired", "clock"),
        (
            "iat in the future",
            set("iat", json!(NOW + 61)),
            "issued_in_future",
            "future",
        ),
        (
            "iat two hours old",
            set("iat", json!(NOW - 7200)),
            "issued_too_long_ago",
            "hour",
        ),
        ("exp missing", omit(&["exp"]), "missing_claim", "exp"),
        ("iat missing", omit(&["iat"]), "missing_claim", "iat"),
        (
            "exp not a number",
            set("exp", json!("soon")),
            "invalid_claim",
            "exp",
        ),
        ("nonce missing", omit(&["nonce"]), "missing_claim", "nonce"),
        (
            "issuer of another platform",
            set("iss", json!("https://evil.example")),
            "wrong_issuer",
            "evil",
        ),
        ("issuer missing", omit(&["iss"]), "missing_claim", "iss"),
        (
            "audience of another tool",
            set("aud", json!("other-tool")),
            "wrong_audience",
            "other-tool",
        ),
        ("audience missing", omit(&["aud"]), "missing_claim", "aud"),
        (
            "several audiences, no azp",
            two_auds.clone(),
            "azp_required",
            "azp",
        ),
        (
            "several audiences, foreign azp",
            with(two_auds, "azp", json!("x")),
            "wrong_azp",
            "\"x\"",
        ),
        (
            "one audience, foreign azp",
            set("azp", json!("x")),
            "wrong_azp",
            "\"x\"",
        ),
        (
            "deep linking, no settings",
            set(MESSAGE_TYPE, json!("LtiDeepLinkingRequest")),
            "missing_claim",
            "deep_linking_settings",
        ),
    ];
    for (name, claims, code, detail) in rows {
        assert_refused(name, &sign(&claims), code, detail);
    }
}

#[test]
fn keys_published_for_encryption_or_another_algorithm_are_unusable() {
    for (field, value) in [("use", "enc"), ("alg", "RS512")] {
        let jwk = with(PLATFORM.jwk.clone(), field, json!(value));
        let err = check_with(&sign(&good_claims()), &jwk).unwrap_err();
        assert_eq!(err.code(), "unusable_key", "{field}={value}: {err}");
    }
}

#[test]
fn peek_kid_needs_rs256_and_a_kid() {
    assert_eq!(peek_kid(&sign(&good_claims())).unwrap(), KID);
    let no_kid = signed(None, &good_claims(), &PLATFORM.encoding);
    assert_eq!(peek_kid(&no_kid).unwrap_err(), LtiError::NoKid);
    assert_eq!(peek_kid("").unwrap_err().code(), "not_a_jwt");
}

#[test]
fn the_claimed_message_type_is_read_without_a_key_and_only_from_a_readable_token() {
    let deep = with(good_claims(), MESSAGE_TYPE, json!("LtiDeepLinkingRequest"));
    // Signed with another key: still read, as it only names the flow of an error page.
    assert_eq!(
        peek_message_type(&signed(Some(KID), &deep, &IMPOSTOR.encoding)).as_deref(),
        Some("LtiDeepLinkingRequest")
    );
    assert_eq!(peek_message_type(&sign(&omit(&[MESSAGE_TYPE]))), None);
    assert_eq!(peek_message_type("garbage.not.jwt"), None);
    assert_eq!(peek_message_type("a.b"), None);
}
