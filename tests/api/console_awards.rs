//! Console awards and audit log: award (by learner key or email), revoke and extend with
//! a reason, each in the audit page; bad input shown in place, changing nothing; CSV
//! exports; refused without CSRF or the right role.

use blackbelt::console::role::Role;
use entities::cert_award;
use poem::http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::console_review_support::{ADA, audit_count, learner, program_and_ada};
use crate::console_support::signed_in;
use crate::helpers::TestApp;

async fn award_count(app: &TestApp) -> u64 {
    cert_award::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap()
}

async fn award_of(app: &TestApp, id: i64) -> cert_award::Model {
    cert_award::Entity::find_by_id(id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
}

/// The id in a `/console/awards/<id>?…` location.
fn id_in(location: &str) -> i64 {
    location
        .trim_start_matches("/console/awards/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_award_by_email_with_a_reason_is_stored_noticed_and_in_the_audit_page() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let program = signed_in(&app, Role::Program, None).await;
    let page = program.get(&app, "/console/awards").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1>Awards</h1>").shows("No award matches");

    let page = program
        .post(
            &app,
            "/console/awards",
            &[
                ("learner", "ada@example.com"),
                ("belt", "white"),
                ("reason", "Certified by the previous programme"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = id_in(page.location());
    let award = award_of(&app, id).await;
    assert_eq!(award.learner_key, ADA);
    assert_eq!(award.status, "active");
    assert_eq!(award.source, "manual");
    assert_eq!(
        award.awarded_by.as_deref(),
        Some(format!("console:{}", program.username).as_str())
    );
    let page = program.get(&app, page.location()).await;
    page.shows("Awarded White Belt to Ada Lovelace.");

    let list = program.get(&app, "/console/awards?status=active").await;
    list.shows("Ada Lovelace")
        .shows(&format!("/console/awards/{id}\""));

    let audit = program.get(&app, "/console/audit?action=award").await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
    audit
        .shows(&format!("console:{}", program.username))
        .shows("Certified by the previous programme")
        .shows("Ada Lovelace");
    // The learner filter takes an email address too.
    let by_email = program
        .get(&app, "/console/audit?learner=ada%40example.com")
        .await;
    by_email.shows("Certified by the previous programme");
    let nobody = program
        .get(&app, "/console/audit?learner=nobody%40example.com")
        .await;
    nobody.shows("No audit entry matches");
}

#[tokio::test]
async fn an_unknown_learner_is_named_in_place_and_nothing_is_awarded() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .post(
            &app,
            "/console/awards",
            &[
                ("learner", "nobody@example.com"),
                ("belt", "white"),
                ("reason", "prior cert"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.shows("No learner is known as &#34;nobody@example.com&#34;")
        .shows("id=\"a-learner-error\"")
        .shows("value=\"nobody@example.com\"")
        .shows("prior cert");
    assert_eq!(award_count(&app).await, 0);
    assert_eq!(audit_count(&app).await, 0);

    // An unknown belt and a missing reason are named too.
    let page = admin
        .post(
            &app,
            "/console/awards",
            &[("learner", ADA), ("belt", "purple"), ("reason", "x")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("id=\"a-belt-error\"")
        .shows("no belt &#34;purple&#34;");
    let page = admin
        .post(
            &app,
            "/console/awards",
            &[("learner", ADA), ("belt", "white"), ("reason", " ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("id=\"a-reason-error\"")
        .shows("field `reason` is required");
    assert_eq!(award_count(&app).await, 0);
    assert_eq!(audit_count(&app).await, 0);
}

#[tokio::test]
async fn a_belt_held_already_gets_a_conflict_in_place() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    app.insert_award(ADA, "white").await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .post(
            &app,
            "/console/awards",
            &[("learner", ADA), ("belt", "white"), ("reason", "again")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("already holds").shows("id=\"a-belt-error\"");
    assert_eq!(award_count(&app).await, 1);
}

#[tokio::test]
async fn revoke_and_extend_need_a_reason_and_both_show_in_the_audit_page() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = app.insert_award(ADA, "white").await;
    let program = signed_in(&app, Role::Program, None).await;
    let page = program.get(&app, &format!("/console/awards/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("White Belt of Ada Lovelace")
        .shows("data-confirm=");

    // Without a reason: the error in place, nothing changed.
    let page = program
        .post(
            &app,
            &format!("/console/awards/{id}/extend"),
            &[("until", "2031-06-30"), ("reason", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("id=\"x-reason-error\"")
        .shows("value=\"2031-06-30\"");
    let page = program
        .post(
            &app,
            &format!("/console/awards/{id}/extend"),
            &[("until", "30/06/2031"), ("reason", "why")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("id=\"x-until-error\"");
    let before = award_of(&app, id).await;
    assert_eq!(audit_count(&app).await, 0);

    let page = program
        .post(
            &app,
            &format!("/console/awards/{id}/extend"),
            &[("until", "2031-06-30"), ("reason", "Parental leave")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    program
        .get(&app, page.location())
        .await
        .shows("Extended: White Belt is now valid until 2031-07-01 00:00 UTC");
    let after = award_of(&app, id).await;
    assert_ne!(after.valid_until_us, before.valid_until_us);

    let page = program
        .post(
            &app,
            &format!("/console/awards/{id}/revoke"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("id=\"r-reason-error\"");
    assert_eq!(award_of(&app, id).await.status, "active");

    let page = program
        .post(
            &app,
            &format!("/console/awards/{id}/revoke"),
            &[("reason", "Left the company")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    program
        .get(&app, page.location())
        .await
        .shows("Revoked White Belt of Ada Lovelace.")
        .shows("can no longer be extended or revoked");
    assert_eq!(award_of(&app, id).await.status, "revoked");

    let audit = program.get(&app, "/console/audit").await;
    audit.shows("Parental leave").shows("Left the company");
    let revokes = program.get(&app, "/console/audit?action=revoke").await;
    revokes.shows("Left the company");
    assert!(!revokes.body.contains("Parental leave"));
    let mine = program
        .get(
            &app,
            &format!("/console/audit?actor=console:{}", program.username),
        )
        .await;
    mine.shows("Parental leave").shows("Left the company");
    let nobody = program.get(&app, "/console/audit?actor=system").await;
    nobody.shows("No audit entry matches");
    let bad = program.get(&app, "/console/audit?since=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    bad.shows("field `since` must be a date");

    // Revoked: a second revoke says so and changes nothing.
    let count = audit_count(&app).await;
    let page = program
        .post(
            &app,
            &format!("/console/awards/{id}/revoke"),
            &[("reason", "again")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(audit_count(&app).await, count);
}

#[tokio::test]
async fn award_forms_without_their_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = app.insert_award(ADA, "white").await;
    let admin = signed_in(&app, Role::Admin, None).await;
    for (path, fields) in [
        (
            "/console/awards".to_owned(),
            vec![("learner", ADA), ("belt", "green"), ("reason", "r")],
        ),
        (
            format!("/console/awards/{id}/revoke"),
            vec![("reason", "r")],
        ),
        (
            format!("/console/awards/{id}/extend"),
            vec![("months", "3"), ("reason", "r")],
        ),
    ] {
        let page = admin.post_raw(&app, &path, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        let mut wrong = fields.clone();
        wrong.push(("csrf", "not-the-token"));
        let page = admin.post_raw(&app, &path, &wrong).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(award_count(&app).await, 1);
    assert_eq!(award_of(&app, id).await.status, "active");
    assert_eq!(audit_count(&app).await, 0);
}

#[tokio::test]
async fn viewers_managers_and_reviewers_get_403_on_every_award_and_audit_page_and_form() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = app.insert_award(ADA, "white").await;
    let team = Some(json!({"org_units": ["emea"]}));
    for browser in [
        signed_in(&app, Role::Viewer, None).await,
        signed_in(&app, Role::Manager, team.clone()).await,
        signed_in(&app, Role::Reviewer, None).await,
    ] {
        for path in [
            "/console/awards".to_owned(),
            "/console/awards/export".to_owned(),
            format!("/console/awards/{id}"),
            "/console/audit".to_owned(),
            "/console/audit/export".to_owned(),
        ] {
            let page = browser.get(&app, &path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        }
        for (path, fields) in [
            (
                "/console/awards".to_owned(),
                vec![("learner", ADA), ("belt", "green"), ("reason", "r")],
            ),
            (
                format!("/console/awards/{id}/revoke"),
                vec![("reason", "r")],
            ),
            (
                format!("/console/awards/{id}/extend"),
                vec![("months", "3"), ("reason", "r")],
            ),
        ] {
            let page = browser.post(&app, &path, &fields).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    assert_eq!(award_count(&app).await, 1);
    assert_eq!(award_of(&app, id).await.status, "active");
    assert_eq!(audit_count(&app).await, 0);
}

#[tokio::test]
async fn the_csv_exports_have_a_row_per_award_and_per_audit_entry() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    learner(&app, "bob", "Bob =cmd", "bob@example.com").await;
    let program = signed_in(&app, Role::Program, None).await;
    for (learner, belt) in [(ADA, "white"), ("bob@example.com", "white")] {
        let page = program
            .post(
                &app,
                "/console/awards",
                &[
                    ("learner", learner),
                    ("belt", belt),
                    ("reason", "=prior, cert"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    let csv = program.get(&app, "/console/awards/export").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(
        csv.header("content-disposition"),
        "attachment; filename=\"awards.csv\""
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(lines[0].starts_with("id,learner,belt,status"));
    assert!(lines[1].contains("account:https://lms.example.com|bob,white,active"));
    assert!(lines[1].contains("\"'=prior, cert\""), "{}", lines[1]);
    assert!(lines[2].contains(ADA));

    let csv = program
        .get(&app, "/console/awards/export?learner=ada%40example.com")
        .await;
    assert_eq!(csv.body.lines().count(), 2, "{}", csv.body);
    let csv = program
        .get(&app, "/console/awards/export?learner=nobody%40example.com")
        .await;
    assert_eq!(csv.body.lines().count(), 1, "{}", csv.body);

    let audit = program
        .get(&app, "/console/audit/export?action=award")
        .await;
    assert_eq!(audit.status, StatusCode::OK);
    let lines: Vec<&str> = audit.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", audit.body);
    assert!(lines[0].starts_with("id,at,actor,action"));
    assert!(lines[1].contains(&format!("console:{},award", program.username)));
}

#[tokio::test]
async fn the_awards_list_and_audit_log_page_with_keyset_cursors() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    for i in 0..51 {
        let key = format!("account:https://lms.example.com|l{i}");
        app.insert_award(&key, "white").await;
    }
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin.get(&app, "/console/awards?belt=white").await;
    assert_eq!(page.body.matches("<tr>").count(), 1 + 50);
    page.shows("|l50");
    let next = page
        .body
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("after="))
        .expect("a next page")
        .replace("&#38;", "&");
    let page = admin.get(&app, &next).await;
    assert_eq!(page.body.matches("<tr>").count(), 1 + 1, "{}", page.body);
    page.shows("|l0<");
}
