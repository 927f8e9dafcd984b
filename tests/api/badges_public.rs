//! The public Open Badges resources and the admin badges API: status codes, content
//! types, `Accept` negotiation, caching, 404s that name what was asked for, revoked
//! credentials still served, baked images, the verification page, and who may call what.

use blackbelt::badges::status_list::Bits;
use blackbelt::badges::svg::{self, Baked};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::cert_fixture::enc;
use crate::helpers::TestApp;

const ADA: &str = "account:https://lms.example.com|ada";

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

fn jwt_payload(jwt: &str) -> Value {
    blackbelt::badges::jwt::payload_unverified(jwt).unwrap()
}

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
    // The JWK's `kid` is the key's URL (what VC-JWT headers carry).
    let kid_url = keys[0]["kid"].as_str().unwrap();
    let kid = kid_url.rsplit('/').next().unwrap();
    assert!(kid_url.ends_with(&format!("/ob/keys/{kid}")), "{kid_url}");
    let one = get(&app, &format!("/ob/keys/{kid}"), None, None).await;
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
    assert_eq!(credential["proof"][0]["cryptosuite"], "eddsa-rdfc-2022");
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
async fn a_revoked_credential_is_still_served_its_bit_is_set_and_reissue_is_409() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (award, summary) = awarded(&app, ADA, "white").await;
    let id = summary["id"].as_str().unwrap();
    let path = path_of(summary["links"]["credential"].as_str().unwrap());
    let before = get(&app, &path, None, None).await.json();
    let (status, revoked) = app
        .call(
            "POST",
            &format!("/api/certification/awards/{award}/revoke"),
            &app.auth,
            Some(json!({"reason": "left the company"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    let after = get(&app, &path, None, None).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(
        after.json(),
        before,
        "a revoked credential is not signed again"
    );
    let entry = &before["credentialStatus"];
    let list = get(
        &app,
        &path_of(entry["statusListCredential"].as_str().unwrap()),
        None,
        None,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.header("content-type")
            .starts_with("application/vc+ld+json")
    );
    assert_eq!(list.header("cache-control"), "public, max-age=300");
    let list = list.json();
    assert!(list["proof"][0].is_object(), "the list is signed");
    let bits = Bits::decode(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
    let index: usize = entry["statusListIndex"].as_str().unwrap().parse().unwrap();
    assert!(bits.get(index));
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/badges/credentials/{id}/reissue"),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    let (_, detail) = app
        .call(
            "GET",
            &format!("/api/badges/credentials/{id}"),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(detail["summary"]["status"]["name"], "revoked");
    assert_eq!(
        detail["credential"], before,
        "a refused reissue changes nothing"
    );
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
async fn the_verification_page_shows_the_live_status_and_how_to_verify() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (award, summary) = awarded(&app, ADA, "white").await;
    let page_path = path_of(summary["links"]["verify_page"].as_str().unwrap());
    let page = get(&app, &page_path, None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    let policy = page.header("content-security-policy");
    assert!(
        policy.contains("style-src 'sha256-") && !policy.contains("script-src"),
        "{policy}"
    );
    for needle in [
        "<meta property=\"og:title\"",
        "<meta property=\"og:image\" content=\"http",
        "image.svg\">",
        "class=\"status valid\"",
        "White Belt",
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME",
        "/ob/jwks.json",
        "/ob/status/",
    ] {
        assert!(
            page.body.contains(needle),
            "{needle} missing:\n{}",
            page.body
        );
    }
    assert!(!page.body.contains("<script"));
    app.call(
        "POST",
        &format!("/api/certification/awards/{award}/revoke"),
        &app.auth,
        Some(json!({"reason": "private reason"})),
    )
    .await;
    let revoked = get(&app, &page_path, None, None).await;
    assert!(revoked.body.contains("class=\"status revoked\""));
    assert!(!revoked.body.contains("private reason"));
    assert!(!revoked.body.contains("linkedin.com"));
    let unknown = get(
        &app,
        "/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        None,
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.header("content-type").starts_with("text/html"));
    assert!(unknown.body.contains("&lt;script&gt;") && !unknown.body.contains("<script>"));
}

#[tokio::test]
async fn admin_badge_routes_refuse_learner_tokens_and_statement_only_credentials() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, _) = app.learner("ada").await;
    let writer = app.credential("statements/write").await;
    for caller in [&token, &writer] {
        for (method, path) in [
            ("GET", "/api/badges/credentials"),
            ("GET", "/api/badges/keys"),
            ("POST", "/api/badges/keys/rotate"),
        ] {
            let (status, body) = app.call(method, path, caller, None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        }
    }
    let anonymous = get(&app, "/api/badges/keys", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let public = get(&app, "/ob/issuer", None, Some(&writer)).await;
    assert_eq!(
        public.status,
        StatusCode::OK,
        "a credential neither helps nor hurts"
    );
}

#[tokio::test]
async fn rotation_keeps_old_keys_published_and_reissue_signs_with_the_new_ones() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (_, summary) = awarded(&app, ADA, "white").await;
    let id = summary["id"].as_str().unwrap();
    let path = path_of(summary["links"]["credential"].as_str().unwrap());
    let old = get(&app, &path, None, None).await.json();
    let (status, rotated) = app
        .call("POST", "/api/badges/keys/rotate", &app.auth, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert_eq!(rotated["kids"].as_array().unwrap().len(), 2);
    let (_, keys) = app.call("GET", "/api/badges/keys", &app.auth, None).await;
    let keys = keys["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys.iter().filter(|k| k["current"] == true).count(), 2);
    let issuer = get(&app, "/ob/issuer", None, None).await.json();
    assert_eq!(issuer["assertionMethod"].as_array().unwrap().len(), 2);
    assert_eq!(
        get(&app, "/ob/jwks.json", None, None).await.json()["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let old_method = old["proof"][0]["verificationMethod"].as_str().unwrap();
    assert_eq!(
        get(&app, &path_of(old_method), None, None).await.status,
        StatusCode::OK
    );
    let (status, detail) = app
        .call(
            "POST",
            &format!("/api/badges/credentials/{id}/reissue"),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let new_method = detail["credential"]["proof"][0]["verificationMethod"]
        .as_str()
        .unwrap();
    assert_ne!(new_method, old_method);
    assert_eq!(detail["credential"]["id"], old["id"]);
    assert!(
        app.audit_actions()
            .await
            .contains(&"badge.keys.rotate".to_owned())
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"badge.reissue".to_owned())
    );
    let (status, _) = app
        .call(
            "POST",
            "/api/badges/credentials/2f1b6e0c-3d4a-4b5c-8d9e-0f1a2b3c4d5e/reissue",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_admin_list_filters_by_learner_and_belt() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    awarded(&app, ADA, "white").await;
    let bob = "account:https://lms.example.com|bob";
    awarded(&app, bob, "green").await;
    let (_, all) = app
        .call("GET", "/api/badges/credentials", &app.auth, None)
        .await;
    assert_eq!(all["credentials"].as_array().unwrap().len(), 2, "{all}");
    let (_, green) = app
        .call("GET", "/api/badges/credentials?belt=green", &app.auth, None)
        .await;
    let green = green["credentials"].as_array().unwrap();
    assert_eq!(green.len(), 1);
    assert_eq!(green[0]["learner"], bob);
    assert_eq!(green[0]["status"]["name"], "valid");
    let (_, page) = app
        .call("GET", "/api/badges/credentials?limit=1", &app.auth, None)
        .await;
    assert!(page["more"].is_i64(), "{page}");
}
