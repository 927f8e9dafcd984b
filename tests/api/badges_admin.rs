//! The admin badges API and what it changes: a revoked credential still served with its
//! bit set and re-issue refused, key rotation keeping old keys published, the filtered
//! list, and who may call (learner tokens and statement-only credentials may not).

use blackbelt::badges::status_list::Bits;
use poem::http::StatusCode;
use serde_json::json;

use crate::badges_support::{ADA, awarded, get, path_of, proof};
use crate::helpers::TestApp;

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
    assert!(proof(&list).is_object(), "the list is signed");
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
    let old_method = proof(&old)["verificationMethod"].as_str().unwrap();
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
    let new_method = proof(&detail["credential"])["verificationMethod"]
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
