//! Belts, holders, awards, a learner's belts, manual award/revoke/extend, learner
//! attributes, reviewers and the audit log, through the certification API and the CLI.

use poem::http::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;

use crate::cert_fixture::{enc, now};
use crate::helpers::TestApp;

const ADA: &str = "account:https://lms.example.com|ada";
const BOB: &str = "account:https://lms.example.com|bob";

#[tokio::test]
async fn belts_are_listed_in_tier_order_with_their_holder_counts() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    app.insert_award(ADA, "white").await;
    app.insert_award(BOB, "white").await;
    let (status, list) = app
        .call("GET", "/api/certification/belts", &app.auth, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let belts = list["belts"].as_array().unwrap();
    assert_eq!(belts.len(), 2);
    assert_eq!(belts[0]["id"], "white");
    assert_eq!(belts[0]["tier"], 1);
    assert_eq!(belts[0]["holders"], 2);
    assert_eq!(belts[1]["id"], "green");
    assert_eq!(belts[1]["holders"], 0);
}

#[tokio::test]
async fn holders_are_paged_newest_first_and_an_unknown_belt_is_404() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let first = app.insert_award(ADA, "white").await;
    let second = app.insert_award(BOB, "white").await;
    let (status, page) = app
        .call(
            "GET",
            "/api/certification/belts/white/holders?limit=1",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["awards"][0]["id"], second);
    assert_eq!(page["more"], second);
    let (_, next) = app
        .call(
            "GET",
            &format!("/api/certification/belts/white/holders?limit=1&after={second}"),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(next["awards"][0]["id"], first);
    assert!(next.get("more").is_none(), "{next}");
    let (status, _) = app
        .call(
            "GET",
            "/api/certification/belts/black/holders",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn awards_are_listed_filtered_and_read_in_the_contract_shape() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let id = app.insert_award(ADA, "white").await;
    app.insert_award(BOB, "green").await;
    let (status, page) = app
        .call(
            "GET",
            &format!(
                "/api/certification/awards?status=active&belt=white&learner={}",
                enc(ADA)
            ),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["awards"].as_array().unwrap().len(), 1);
    let (status, award) = app
        .call(
            "GET",
            &format!("/api/certification/awards/{id}"),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for field in [
        "id",
        "learner",
        "belt",
        "belt_name",
        "program",
        "program_version",
        "status",
        "earned_at",
        "valid_until",
        "expires_at",
        "source",
        "evidence",
        "renewals",
    ] {
        assert!(award.get(field).is_some(), "{field} missing: {award}");
    }
    assert_eq!(award["belt_name"], "White Belt");
    assert_eq!(award["learner"], ADA);
    let (status, _) = app
        .call("GET", "/api/certification/awards/999", &app.auth, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = app
        .call(
            "GET",
            "/api/certification/awards?status=lost",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["message"].as_str().unwrap().contains("`status`"));
}

#[tokio::test]
async fn a_learner_token_reads_its_own_belts_and_gets_403_for_anothers() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, ada) = app.learner("ada").await;
    app.insert_award(&ada, "white").await;
    let path = |who: &str| format!("/api/certification/learners/{}/belts", enc(who));
    let (status, mine) = app.call("GET", &path(&ada), &token, None).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["learner"], ada);
    assert_eq!(mine["awards"][0]["belt"], "white");
    let (status, _) = app.call("GET", &path(BOB), &token, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, theirs) = app.call("GET", &path(&ada), &app.auth, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs["awards"].as_array().unwrap().len(), 1);
    let reader = app.credential("all/read").await;
    let (status, _) = app.call("GET", &path(&ada), &reader, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn manual_operations_without_a_reason_or_with_bad_input_get_400_and_write_nothing() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let id = app.insert_award(ADA, "white").await;
    let before = app.cert_rows().await;
    let cases = [
        (
            "/api/certification/awards".to_owned(),
            json!({"learner": BOB, "belt": "white"}),
            "`reason`",
        ),
        (
            "/api/certification/awards".to_owned(),
            json!({"learner": BOB, "belt": "white", "reason": "  "}),
            "`reason`",
        ),
        (
            "/api/certification/awards".to_owned(),
            json!({"learner": BOB, "belt": "black", "reason": "prior"}),
            "`belt`",
        ),
        (
            format!("/api/certification/awards/{id}/revoke"),
            json!({}),
            "`reason`",
        ),
        (
            format!("/api/certification/awards/{id}/extend"),
            json!({"valid_until": "2000-01-01T00:00:00Z", "reason": "x"}),
            "`valid_until`",
        ),
        (
            format!("/api/certification/awards/{id}/extend"),
            json!({"valid_until": "next year", "reason": "x"}),
            "`valid_until`",
        ),
        (
            format!("/api/certification/awards/{id}/extend"),
            json!({"valid_until": "2999-01-01T00:00:00Z"}),
            "`reason`",
        ),
    ];
    for (path, body, field) in cases {
        let (status, answer) = app.call("POST", &path, &app.auth, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(field),
            "{answer}"
        );
    }
    let (status, _) = app
        .call(
            "POST",
            "/api/certification/awards/999/revoke",
            &app.auth,
            Some(json!({"reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.cert_rows().await, before);
}

#[tokio::test]
async fn a_manual_award_is_created_audited_and_a_second_one_is_409() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    app.insert_learner(BOB).await;
    let body =
        json!({"learner": BOB, "belt": "white", "reason": "certified at a previous employer"});
    let (status, award) = app
        .call(
            "POST",
            "/api/certification/awards",
            &app.auth,
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{award}");
    assert_eq!(award["source"], "manual");
    assert_eq!(award["status"], "active");
    assert_eq!(award["reason"], "certified at a previous employer");
    let (status, _) = app
        .call("POST", "/api/certification/awards", &app.auth, Some(body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(app.audit_actions().await.contains(&"award".to_owned()));
}

#[tokio::test]
async fn revoking_and_extending_an_award_are_audited_and_a_revoked_one_cannot_be_extended() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    app.insert_learner(ADA).await;
    let id = app.insert_award(ADA, "white").await;
    let until = jiff::Timestamp::from_microsecond(now() + 800 * 86_400_000_000)
        .unwrap()
        .to_string();
    let (status, extended) = app
        .call(
            "POST",
            &format!("/api/certification/awards/{id}/extend"),
            &app.auth,
            Some(json!({"valid_until": until, "reason": "long leave"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{extended}");
    assert_eq!(extended["valid_until"], until);
    let revoke = format!("/api/certification/awards/{id}/revoke");
    let (status, revoked) = app
        .call(
            "POST",
            &revoke,
            &app.auth,
            Some(json!({"reason": "left the company"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revoked"]["reason"], "left the company");
    let (status, _) = app
        .call("POST", &revoke, &app.auth, Some(json!({"reason": "again"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"extend".to_owned()) && actions.contains(&"revoke".to_owned()));
}

#[tokio::test]
async fn learner_attributes_are_replaced_audited_and_checked() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    app.insert_learner(ADA).await;
    let path = format!("/api/certification/learners/{}/attributes", enc(ADA));
    let (status, answer) = app
        .call(
            "PUT",
            &path,
            &app.auth,
            Some(json!({"audience": ["executives"], "role": ["vp", "vp"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["role"], json!(["vp"]));
    assert_eq!(answer["org_unit"], json!([]));
    let stored = entities::cert_learner::Entity::find_by_id(ADA.to_owned())
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attributes["audience"], json!(["executives"]));
    assert_eq!(app.audit_actions().await, ["learner.attributes"]);

    let before = app.cert_rows().await;
    let (status, _) = app
        .call("PUT", &path, &app.auth, Some(json!({"colour": ["blue"]})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, answer) = app
        .call("PUT", &path, &app.auth, Some(json!({"role": [""]})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["message"].as_str().unwrap().contains("`role`"));
    let unknown = format!("/api/certification/learners/{}/attributes", enc(BOB));
    let (status, _) = app
        .call("PUT", &unknown, &app.auth, Some(json!({"role": ["vp"]})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.cert_rows().await, before);
}

#[tokio::test]
async fn reviewers_are_added_listed_removed_and_audited() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let key = enc(&format!("learner:{ADA}"));
    let path = format!("/api/certification/belts/white/reviewers/{key}");
    let (status, _) = app.call("PUT", &path, &app.auth, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call("PUT", &path, &app.auth, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, list) = app
        .call(
            "GET",
            "/api/certification/belts/white/reviewers",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list["reviewers"][0]["reviewer_key"],
        format!("learner:{ADA}")
    );
    let (status, _) = app.call("DELETE", &path, &app.auth, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.audit_actions().await,
        ["reviewer.add", "reviewer.remove"]
    );

    let (status, answer) = app
        .call(
            "PUT",
            "/api/certification/belts/white/reviewers/someone",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = app
        .call(
            "PUT",
            "/api/certification/belts/black/reviewers/credential:1",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let plain = app.credential("all").await;
    let (status, _) = app.call("PUT", &path, &plain, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_audit_log_is_filtered_by_action_learner_and_time() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    app.insert_learner(ADA).await;
    let start = jiff::Timestamp::now().to_string();
    let path = format!("/api/certification/learners/{}/attributes", enc(ADA));
    app.call("PUT", &path, &app.auth, Some(json!({"role": ["vp"]})))
        .await;
    app.call(
        "PUT",
        "/api/certification/belts/white/reviewers/credential:1",
        &app.auth,
        None,
    )
    .await;
    let query = |q: &str| format!("/api/certification/audit?{q}");
    let (status, all) = app.call("GET", &query(""), &app.auth, None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["entries"].as_array().unwrap().len(), 2);
    assert_eq!(all["entries"][0]["action"], "reviewer.add");
    assert!(
        all["entries"][0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("credential:")
    );
    let (_, mine) = app
        .call(
            "GET",
            &query(&format!("learner={}", enc(ADA))),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(mine["entries"].as_array().unwrap().len(), 1);
    let (_, by_action) = app
        .call(
            "GET",
            &query("action=reviewer.add&belt=white"),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(by_action["entries"].as_array().unwrap().len(), 1);
    let (_, since) = app
        .call(
            "GET",
            &query(&format!("since={}", enc(&start))),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(since["entries"].as_array().unwrap().len(), 2);
    let (_, until) = app
        .call(
            "GET",
            &query(&format!("until={}", enc(&start))),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(until["entries"].as_array().unwrap().len(), 0);
    let (status, answer) = app
        .call("GET", &query("since=yesterday"), &app.auth, None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["message"].as_str().unwrap().contains("`since`"));
    let reader = app.credential("all/read").await;
    let (status, _) = app.call("GET", &query(""), &reader, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.call("GET", &query(""), "Basic bm86cGU=", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
