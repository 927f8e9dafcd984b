//! The Open Badges credential of an award, through the `Badges` service on the real
//! database: its shape, renewal in place, revocation in the status list, stored
//! signatures reused, status bits unique.

use std::collections::HashSet;

use blackbelt::badges::issue::Badges;
use blackbelt::badges::status::LiveStatus;
use blackbelt::badges::status_list::{Bits, LIST_BITS};
use blackbelt::badges::store;
use blackbelt::badges::{Issuer, integrity, jwt, keys};
use blackbelt::certification::awards::{self, Manual};
use blackbelt::config::Config;
use blackbelt::error::Error;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use serde_json::{Value, json};

use crate::cert_fixture::now;
use crate::helpers::TestApp;
use entities::{badge_credential, cert_award};

const DAY: i64 = 86_400_000_000;

async fn app_with_award() -> (TestApp, Badges, i64) {
    let app = TestApp::spawn().await;
    app.with_program().await;
    app.insert_learner("learner-1").await;
    let award = app.insert_award("learner-1", "white").await;
    let badges = Badges::new(app.db.clone(), Issuer::from_config(&Config::default()));
    (app, badges, award)
}

/// Renews the award as the engine does: a history entry, validity moved on.
async fn renew(app: &TestApp, award_id: i64, at_us: i64, until_us: i64) {
    let award = cert_award::Entity::find_by_id(award_id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    let mut row: cert_award::ActiveModel = award.into();
    row.renewals = Set(json!([{
        "at_us": at_us, "valid_until_us": until_us, "program_version": 1,
        "evidence": [{"kind": "statements", "label": "Posts", "statement_ids": ["s1"]}],
        "by": "system",
    }]));
    row.valid_until_us = Set(Some(until_us));
    row.expires_us = Set(Some(until_us + 30 * DAY));
    row.updated_us = Set(at_us);
    row.update(&app.db.conn).await.unwrap();
}

async fn revoke(app: &TestApp, award_id: i64) {
    let txn = app.db.writer().begin().await.unwrap();
    let who = Manual {
        by: "console:test".into(),
        reason: "test".into(),
    };
    awards::revoke(&txn, award_id, &who, now()).await.unwrap();
    txn.commit().await.unwrap();
}

/// Checks both signatures with the issuer's current public keys.
async fn assert_signed_by_current_keys(app: &TestApp, json: &Value, jwt: &str) {
    let keys = keys::signing(&app.db).await.unwrap();
    integrity::verify(json, &keys.ed25519.multibase).unwrap();
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(keys.es256.jwk.clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.validate_aud = false;
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert!(header.kid.unwrap().ends_with(&keys.es256.kid));
    jsonwebtoken::decode::<Value>(jwt, &key, &validation).unwrap();
}

fn has_proof(json: &Value) -> bool {
    json["proof"][0]["type"] == "DataIntegrityProof"
        && json["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
}

#[tokio::test]
async fn credential_of_an_award_has_the_open_badge_shape_and_both_signed_forms() {
    let (app, badges, award) = app_with_award().await;
    let issued = badges.for_award(award).await.unwrap();
    let c = &issued.json;
    assert_eq!(
        c["@context"],
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
        ])
    );
    assert_eq!(
        c["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(c["id"], badges.issuer.urls.credential(&issued.row.id));
    assert_eq!(c["name"], "White Belt — Social Media Certification");
    assert_eq!(c["credentialSubject"]["id"], issued.row.subject_id.as_str());
    assert!(issued.row.subject_id.starts_with("urn:uuid:"));
    assert_eq!(
        c["credentialSubject"]["achievement"]["id"],
        badges.issuer.urls.achievement("smac", "white")
    );
    assert_eq!(
        c["credentialSubject"]["identifier"][0]["identityType"],
        "accountId"
    );
    assert_eq!(
        c["credentialStatus"]["statusListIndex"],
        issued.row.status_index.to_string()
    );
    assert!(has_proof(c), "{c}");
    assert_signed_by_current_keys(&app, c, &issued.jwt).await;
    let payload = jwt::payload_unverified(&issued.jwt).unwrap();
    assert_eq!(payload["jti"], c["id"]);
    assert_eq!(payload["sub"], c["credentialSubject"]["id"]);
    assert!(payload.get("proof").is_none());
    assert_eq!(issued.status, LiveStatus::Valid);
    assert_eq!(
        (issued.belt_id.as_str(), issued.program_id.as_str()),
        ("white", "smac")
    );
    assert_eq!(issued.holder_name, None);
}

#[tokio::test]
async fn two_calls_give_the_same_stored_credential_without_signing_again() {
    let (_app, badges, award) = app_with_award().await;
    let first = badges.for_award(award).await.unwrap();
    let second = badges.for_award(award).await.unwrap();
    let by_id = badges.by_id(&first.row.id).await.unwrap().unwrap();
    assert_eq!(first.json, second.json);
    assert_eq!(first.jwt, second.jwt);
    assert_eq!(first.jwt, by_id.jwt);
    assert_eq!(first.row.updated_us, second.row.updated_us);
    assert_eq!(first.row.id, second.row.id);
}

#[tokio::test]
async fn renewal_keeps_the_id_and_awarded_date_with_new_validity_and_signature() {
    let (app, badges, award) = app_with_award().await;
    let before = badges.for_award(award).await.unwrap();
    let at = before.award.earned_us + 300 * DAY;
    renew(&app, award, at, at + 365 * DAY).await;
    let after = badges.for_award(award).await.unwrap();
    assert_eq!(after.json["id"], before.json["id"]);
    assert_eq!(after.json["awardedDate"], before.json["awardedDate"]);
    assert_ne!(after.json["validFrom"], before.json["validFrom"]);
    assert_ne!(after.json["validUntil"], before.json["validUntil"]);
    assert_ne!(after.jwt, before.jwt);
    assert_ne!(after.json["proof"], before.json["proof"]);
    assert_eq!(after.status, LiveStatus::Renewed { at_us: at });
    assert_signed_by_current_keys(&app, &after.json, &after.jwt).await;
    let payload = jwt::payload_unverified(&after.jwt).unwrap();
    assert_eq!(payload["validFrom"], after.json["validFrom"]);
}

#[tokio::test]
async fn a_revoked_award_sets_its_bit_and_is_never_signed_again() {
    let (app, badges, award) = app_with_award().await;
    let issued = badges.for_award(award).await.unwrap();
    let list = issued.row.status_list;
    let before = badges.status_list(list).await.unwrap().unwrap();
    let bits =
        |l: &Value| Bits::decode(l["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
    let index = usize::try_from(issued.row.status_index).unwrap();
    assert!(!bits(&before).get(index));
    assert!(has_proof(&before), "{before}");
    let keys = keys::signing(&app.db).await.unwrap();
    integrity::verify(&before, &keys.ed25519.multibase).unwrap();

    revoke(&app, award).await;
    let after = badges.status_list(list).await.unwrap().unwrap();
    assert!(bits(&after).get(index));
    assert_eq!(after["credentialSubject"]["statusPurpose"], "revocation");
    integrity::verify(&after, &keys.ed25519.multibase).unwrap();

    let err = badges.reissue(&issued.row.id).await.err().unwrap();
    assert!(
        matches!(&err, Error::Conflict(m) if m.contains("revoked")),
        "{err}"
    );
    let again = badges.for_award(award).await.unwrap();
    assert_eq!(again.jwt, issued.jwt);
    assert_eq!(again.json, issued.json);
    assert!(matches!(again.status, LiveStatus::Revoked { .. }));
}

#[tokio::test]
async fn a_status_list_is_remade_only_when_its_bits_change() {
    let (_app, badges, award) = app_with_award().await;
    let issued = badges.for_award(award).await.unwrap();
    let one = badges
        .status_list(issued.row.status_list)
        .await
        .unwrap()
        .unwrap();
    let two = badges
        .status_list(issued.row.status_list)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one, two);
    assert_eq!(
        badges
            .status_list(issued.row.status_list + 1)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_key_rotation_makes_the_next_request_sign_with_the_new_keys() {
    let (app, badges, award) = app_with_award().await;
    let before = badges.for_award(award).await.unwrap();
    keys::rotate(&app.db).await.unwrap();
    let after = badges.for_award(award).await.unwrap();
    assert_ne!(after.jwt, before.jwt);
    assert_ne!(
        after.json["proof"][0]["verificationMethod"],
        before.json["proof"][0]["verificationMethod"]
    );
    assert_eq!(after.json["id"], before.json["id"]);
    assert_signed_by_current_keys(&app, &after.json, &after.jwt).await;
}

#[tokio::test]
async fn reissue_signs_again_with_the_same_id() {
    let (_app, badges, award) = app_with_award().await;
    let first = badges.for_award(award).await.unwrap();
    let again = badges.reissue(&first.row.id).await.unwrap();
    assert_eq!(again.json["id"], first.json["id"]);
    assert_eq!(again.json["validFrom"], first.json["validFrom"]);
    assert!(badges.reissue("no-such-id").await.is_err());
}

/// The credential row of an award, made in its own transaction as the service does.
async fn ensure(app: &TestApp, award_id: i64) -> badge_credential::Model {
    let _gate = app.db.write_gate().await;
    let txn = app.db.writer().begin().await.unwrap();
    let row = store::ensure_for_award(&txn, award_id, "learner", now())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    row
}

#[tokio::test]
async fn status_indices_are_unique_and_racing_requests_share_one_row() {
    let app = TestApp::spawn().await;
    let rows = futures_util::future::join_all((1..=40).map(|award| ensure(&app, award))).await;
    let places: HashSet<(i32, i32)> = rows
        .iter()
        .map(|r| (r.status_list, r.status_index))
        .collect();
    assert_eq!(places.len(), rows.len());
    assert!(
        rows.iter()
            .all(|r| r.status_list == 1 && (r.status_index as usize) < LIST_BITS)
    );
    let subjects: HashSet<&str> = rows.iter().map(|r| r.subject_id.as_str()).collect();
    assert_eq!(subjects.len(), rows.len());

    let same = futures_util::future::join_all((0..6).map(|_| ensure(&app, 1_000))).await;
    assert!(same.iter().all(|row| row.id == same[0].id));
    assert_eq!(
        store::find_by_award(&app.db.conn, 1_000)
            .await
            .unwrap()
            .unwrap()
            .id,
        same[0].id
    );
}

#[tokio::test]
async fn a_list_half_full_sends_new_credentials_to_the_next_list() {
    let app = TestApp::spawn().await;
    let half = i32::try_from(LIST_BITS / 2).unwrap();
    for chunk in (0..half).collect::<Vec<_>>().chunks(2_000) {
        let rows = chunk.iter().map(|i| badge_credential::ActiveModel {
            id: Set(format!("filler-{i}")),
            award_id: Set(1_000_000 + i64::from(*i)),
            learner_key: Set("filler".into()),
            status_list: Set(1),
            status_index: Set(*i),
            subject_id: Set(format!("urn:uuid:filler-{i}")),
            subject_salt: Set("salt".into()),
            show_name: Set(false),
            signed_for: Set(None),
            signed_json: Set(None),
            signed_jwt: Set(None),
            created_us: Set(0),
            updated_us: Set(0),
        });
        badge_credential::Entity::insert_many(rows)
            .exec_without_returning(&app.db.conn)
            .await
            .unwrap();
    }
    assert_eq!(ensure(&app, 1).await.status_list, 2);
    assert_eq!(ensure(&app, 2).await.status_list, 2);
}

#[tokio::test]
async fn a_learner_sees_their_credentials_and_may_show_their_name() {
    let (app, badges, award) = app_with_award().await;
    let mine = badges.of_learner("learner-1").await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].award.id, award);
    let id = mine[0].row.id.clone();
    let err = badges
        .set_show_name(&id, "someone-else", true)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, Error::NotFound(_)));
    badges.set_show_name(&id, "learner-1", true).await.unwrap();
    let _ = app;
    let shown = badges.by_id(&id).await.unwrap().unwrap();
    assert!(shown.row.show_name);
    assert_eq!(
        badges.by_id("unknown").await.unwrap().map(|i| i.row.id),
        None
    );
}

#[tokio::test]
async fn achievement_and_image_come_from_the_current_program() {
    let (_app, badges, _) = app_with_award().await;
    let a = badges.achievement("smac", "green").await.unwrap().unwrap();
    assert_eq!(a["achievementType"], "Certification");
    assert!(badges.achievement("smac", "black").await.unwrap().is_none());
    let svg = badges.belt_image("smac", "white").await.unwrap().unwrap();
    assert!(svg.contains("White Belt"));
    assert!(badges.belt_image("nope", "white").await.unwrap().is_none());
}

#[tokio::test]
async fn an_unknown_award_is_named_in_the_error() {
    let (_app, badges, _) = app_with_award().await;
    let err = badges.for_award(987_654).await.err().unwrap();
    assert!(
        matches!(&err, Error::NotFound(m) if m.contains("987654")),
        "{err}"
    );
}

#[tokio::test]
async fn an_award_revoked_before_any_request_is_signed_once_and_kept() {
    let (app, badges, award) = app_with_award().await;
    revoke(&app, award).await;
    let first = badges.for_award(award).await.unwrap();
    assert!(matches!(first.status, LiveStatus::Revoked { .. }));
    assert!(has_proof(&first.json));
    keys::rotate(&app.db).await.unwrap();
    let later = badges.for_award(award).await.unwrap();
    assert_eq!(later.jwt, first.jwt);
    let list = badges
        .status_list(first.row.status_list)
        .await
        .unwrap()
        .unwrap();
    let bits = Bits::decode(list["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
    assert!(bits.get(usize::try_from(first.row.status_index).unwrap()));
}
