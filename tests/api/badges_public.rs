//! The public Open Badges resources: the issuer, keys, achievements, credentials in
//! both forms by `Accept` (406 and 400 for what cannot be served), baked images, 404s
//! that name what was asked for. No credential is needed for any of them.

use blackbelt::badges::svg::{self, Baked};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::badges_support::{ADA, awarded, get, jwt_payload, path_of, proof};
use crate::helpers::TestApp;

#[tokio::test]
async fn the_issuer_is_public_and_names_every_data_integrity_key_which_dereferences() {
    let app = TestApp::spawn().await;
    let issuer = get(&app, "/ob/issuer", None, None).await;
    assert_eq!(issuer.status, StatusCode::OK, "{}", issuer.body);
    assert!(
        issuer
            .header("cache-control")
            .starts_with("public, max-age=")
    );
    let doc = issuer.json();
    assert_eq!(doc["@context"][0], "https://www.w3.org/ns/did/v1");
    assert_eq!(doc["type"], json!(["Profile"]));
    assert!(doc["id"].as_str().unwrap().ends_with("/ob/issuer"));
    let methods = doc["assertionMethod"].as_array().unwrap();
    assert_eq!(methods.len(), 1, "{doc}");
    let key = get(&app, &path_of(methods[0].as_str().unwrap()), None, None).await;
    assert_eq!(key.status, StatusCode::OK);
    let key = key.json();
    assert_eq!(key["type"], "Multikey");
    assert_eq!(key["controller"], doc["id"]);
    assert!(
        key["publicKeyMultibase"]
            .as_str()
            .unwrap()
            .starts_with("z6Mk")
    );
    let logo = get(&app, "/ob/issuer/image.svg", None, None).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.header("content-type"), "image/svg+xml");
    assert!(logo.body.starts_with("<svg"));
}

#[tokio::test]
async fn the_jwks_and_key_urls_serve_public_keys_and_an_unknown_kid_is_404_naming_it() {
    let app = TestApp::spawn().await;
    let set = get(&app, "/ob/jwks.json", None, None).await;
    assert_eq!(set.status, StatusCode::OK);
    let keys = set.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "EC");
    assert!(keys[0].get("d").is_none());
    let kid = keys[0]["kid"].as_str().unwrap();
    assert!(
        kid.contains("/ob/keys/"),
        "the kid is the key URL the VC-JWT header names"
    );
    let one = get(&app, &path_of(kid), None, None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json()["x"], keys[0]["x"]);
    let missing = get(&app, "/ob/keys/no-such-key", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"], "not_found");
    assert!(
        missing.json()["message"]
            .as_str()
            .unwrap()
            .contains("no-such-key")
    );
}

#[tokio::test]
async fn a_credential_is_json_with_its_proof_by_default_and_a_vc_jwt_by_accept() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (_, summary) = awarded(&app, ADA, "white").await;
    let url = summary["links"]["credential"].as_str().unwrap();
    let path = path_of(url);
    let json = get(&app, &path, None, None).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(json.header("content-type"), "application/vc+ld+json");
    assert_eq!(json.header("vary"), "Accept");
    assert!(json.header("cache-control").starts_with("public"));
    let credential = json.json();
    assert_eq!(credential["id"], url);
    assert_eq!(proof(&credential)["cryptosuite"], "eddsa-rdfc-2022");
    for (accept, media_type) in [
        ("application/vc+jwt", "application/vc+jwt"),
        ("application/jwt", "application/jwt"),
        ("text/plain", "text/plain"),
        (
            "application/json;q=0.5, application/vc+jwt",
            "application/vc+jwt",
        ),
    ] {
        let jwt = get(&app, &path, Some(accept), None).await;
        assert_eq!(jwt.status, StatusCode::OK, "{accept}: {}", jwt.body);
        assert!(
            jwt.header("content-type").starts_with(media_type),
            "{accept}"
        );
        assert_eq!(jwt.body.split('.').count(), 3, "{}", jwt.body);
        assert_eq!(jwt_payload(&jwt.body)["jti"], url);
    }
    let ld = get(&app, &path, Some("application/ld+json"), None).await;
    assert!(ld.header("content-type").starts_with("application/ld+json"));
    let linked = get(
        &app,
        &format!("{path}?format=jwt"),
        Some("application/json"),
        None,
    )
    .await;
    assert!(linked.header("content-type").starts_with("text/plain"));
    assert_eq!(linked.body.split('.').count(), 3);
}

#[tokio::test]
async fn unknown_and_malformed_credential_ids_are_404_naming_them() {
    let app = TestApp::spawn().await;
    let unknown = "2f1b6e0c-3d4a-4b5c-8d9e-0f1a2b3c4d5e";
    for id in [unknown, "not-a-uuid", &"x".repeat(300)] {
        for path in [
            format!("/ob/credentials/{id}"),
            format!("/ob/credentials/{id}/badge.svg"),
        ] {
            let answer = get(&app, &path, None, None).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
            let body = answer.json();
            assert_eq!(body["error"], "not_found");
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(&id[..id.len().min(64)]), "{message}");
            assert!(message.len() < 200, "the reply does not grow with the id");
        }
    }
    let list = get(&app, "/ob/status/999", None, None).await;
    assert_eq!(list.status, StatusCode::NOT_FOUND);
    let achievement = get(&app, "/ob/achievements/smac/black", None, None).await;
    assert_eq!(achievement.status, StatusCode::NOT_FOUND);
    assert!(achievement.body.contains("smac/black"));
}

#[tokio::test]
async fn an_accept_header_naming_no_form_is_406_and_an_unreadable_one_400() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (_, summary) = awarded(&app, ADA, "white").await;
    let path = path_of(summary["links"]["credential"].as_str().unwrap());
    let refused = get(&app, &path, Some("image/png"), None).await;
    assert_eq!(
        refused.status,
        StatusCode::NOT_ACCEPTABLE,
        "{}",
        refused.body
    );
    assert_eq!(refused.json()["error"], "not_acceptable");
    assert!(refused.body.contains("application/vc+jwt"));
    for bad in ["json", "application/json;q=7"] {
        let answer = get(&app, &path, Some(bad), None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            answer.json()["message"]
                .as_str()
                .unwrap()
                .contains("`Accept`")
        );
    }
    let format = get(&app, &format!("{path}?format=xml"), None, None).await;
    assert_eq!(format.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_baked_image_holds_the_served_jwt_or_json() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (_, summary) = awarded(&app, ADA, "white").await;
    let credential = path_of(summary["links"]["credential"].as_str().unwrap());
    let baked = path_of(summary["links"]["baked"].as_str().unwrap());
    let jwt = get(&app, &credential, Some("application/vc+jwt"), None)
        .await
        .body;
    let image = get(&app, &baked, None, None).await;
    assert_eq!(image.status, StatusCode::OK, "{}", image.body);
    assert_eq!(image.header("content-type"), "image/svg+xml");
    assert!(image.header("content-disposition").contains(".svg"));
    assert_eq!(svg::unbake(&image.body).unwrap(), Some(Baked::Jwt(jwt)));
    let image = get(&app, &format!("{baked}?format=json"), None, None).await;
    let Some(Baked::Json(text)) = svg::unbake(&image.body).unwrap() else {
        panic!("no JSON baked in: {}", image.body);
    };
    let served = get(&app, &credential, None, None).await.json();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), served);
    let bad = get(&app, &format!("{baked}?format=png"), None, None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn achievements_and_their_images_are_public() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let achievement = get(&app, "/ob/achievements/smac/white", None, None).await;
    assert_eq!(achievement.status, StatusCode::OK, "{}", achievement.body);
    let doc = achievement.json();
    assert_eq!(doc["type"], json!(["Achievement"]));
    assert_eq!(doc["achievementType"], "Certification");
    assert!(doc["@context"].is_array());
    let image = get(&app, "/ob/achievements/smac/white/image.svg", None, None).await;
    assert_eq!(image.status, StatusCode::OK);
    assert!(image.body.contains("White Belt"));
}

#[tokio::test]
async fn one_address_is_throttled_on_the_public_credential_routes_after_its_burst() {
    let app = TestApp::spawn_with(|config| {
        config.public_rate_limit_burst = 3;
        config.public_rate_limit_per_minute = 6;
    })
    .await;
    for _ in 0..2 {
        app.client
            .get("/ob/issuer")
            .send()
            .await
            .assert_status_is_ok();
    }
    app.client
        .get("/verify/no-such-credential")
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let refused = app.client.get("/ob/jwks.json").send().await;
    refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.0.headers()["retry-after"], "10");
    let body: Value = refused.0.into_body().into_json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests", "{body}");
    let page = app.client.get("/verify/no-such-credential").send().await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let csp = page.0.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.0.into_body().into_string().await.unwrap();
    assert!(html.contains("Too many requests"), "{html}");
    // The LRS and the LTI key set count against nothing of this.
    app.client
        .get("/xapi/about")
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .get("/lti/jwks")
        .send()
        .await
        .assert_status_is_ok();
}
