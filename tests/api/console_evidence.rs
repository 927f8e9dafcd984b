//! Console evidence review: the queue per reviewer, a submission and its file, the
//! decision through the engine (an approval that completes a belt awards it), reviewers
//! per belt; refused without CSRF or the right role, changing nothing.

use blackbelt::certification::evidence::review;
use blackbelt::certification::evidence::store::{NewEvidence, NewFile};
use blackbelt::console::role::Role;
use entities::{cert_audit, cert_award, cert_evidence};
use poem::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::cert_fixture::now;
use crate::console_review_support::{ADA, audit_count, pledge, program_and_ada, reviewer_of};
use crate::console_support::signed_in;
use crate::helpers::TestApp;

async fn status_of(app: &TestApp, id: i64) -> String {
    cert_evidence::Entity::find_by_id(id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn the_queue_shows_a_pending_submission_to_a_reviewer_of_its_belt_and_not_to_another() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = pledge(&app, None).await;
    let white = reviewer_of(&app, "white").await;
    let green = reviewer_of(&app, "green").await;

    let page = white.get(&app, "/console/evidence").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("<h1>Evidence review</h1>")
        .shows(&format!("href=\"/console/evidence/{id}\""))
        .shows("Ada Lovelace")
        .shows("White Belt");

    let page = green.get(&app, "/console/evidence").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Ada Lovelace"), "{}", page.body);
    page.shows("no submission matches");

    // Another belt's submission is not theirs to open or decide.
    let page = green.get(&app, &format!("/console/evidence/{id}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let before = audit_count(&app).await;
    let page = green
        .post(
            &app,
            &format!("/console/evidence/{id}/decide"),
            &[("decision", "approve"), ("comment", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, id).await, "pending");
    assert_eq!(audit_count(&app).await, before);
}

#[tokio::test]
async fn a_reviewer_of_no_belt_is_told_why_their_queue_is_empty() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    pledge(&app, None).await;
    let nobody = signed_in(&app, Role::Reviewer, None).await;
    let page = nobody.get(&app, "/console/evidence").await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("not a reviewer of any belt yet");
    assert!(!page.body.contains("Ada Lovelace"));
}

#[tokio::test]
async fn approving_in_the_console_awards_the_belt_at_once_and_is_audited() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = pledge(&app, None).await;
    let reviewer = reviewer_of(&app, "white").await;

    let page = reviewer.get(&app, &format!("/console/evidence/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("I will speak for us with care.")
        .shows("Ada Lovelace")
        .shows("name=\"decision\" value=\"approve\"");

    let page = reviewer
        .post(
            &app,
            &format!("/console/evidence/{id}/decide"),
            &[("decision", "approve"), ("comment", "well said")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = reviewer.get(&app, page.location()).await;
    page.shows("Approved. Ada Lovelace now holds White Belt.")
        // Green needs white and a portfolio link: one left (the engine's own count).
        .shows("Next: 1 requirement still open for Green Belt.");

    let award = cert_award::Entity::find()
        .filter(cert_award::Column::LearnerKey.eq(ADA))
        .filter(cert_award::Column::BeltId.eq("white"))
        .one(&app.db.conn)
        .await
        .unwrap()
        .expect("white awarded");
    assert_eq!(award.status, "active");
    let approve = cert_audit::Entity::find()
        .filter(cert_audit::Column::Action.eq("evidence.approve"))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approve.actor, format!("console:{}", reviewer.username));
    assert_eq!(approve.reason.as_deref(), Some("well said"));
    assert_eq!(
        app.audit_actions().await,
        [
            "evidence.submit",
            "reviewer.add",
            "evidence.approve",
            "award"
        ]
    );
}

#[tokio::test]
async fn an_approval_that_leaves_requirements_open_says_so() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    // Green needs white too, which Ada does not hold.
    let id = review::submit(
        &app.db,
        NewEvidence {
            learner_key: ADA.into(),
            belt_id: "green".into(),
            requirement_id: "portfolio".into(),
            kind: "url",
            text: None,
            url: Some("https://social.example.com/ada/1".into()),
            file: None,
            submitted_by: format!("learner:{ADA}"),
        },
        now(),
    )
    .await
    .unwrap()
    .id;
    let program = signed_in(&app, Role::Program, None).await;
    let page = program
        .post(
            &app,
            &format!("/console/evidence/{id}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = program.get(&app, page.location()).await;
    page.shows("Approved; Ada Lovelace does not hold Green Belt yet")
        .shows("still open (1 requirement still open).");
}

#[tokio::test]
async fn rejecting_needs_a_comment_shown_in_place_and_changes_nothing_without_one() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = pledge(&app, None).await;
    let program = signed_in(&app, Role::Program, None).await;
    let before = audit_count(&app).await;
    let page = program
        .post(
            &app,
            &format!("/console/evidence/{id}/decide"),
            &[("decision", "reject"), ("comment", "  ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("field `comment` is required to reject")
        .shows("aria-invalid=\"true\"");
    assert_eq!(status_of(&app, id).await, "pending");
    assert_eq!(audit_count(&app).await, before);

    let page = program
        .post(
            &app,
            &format!("/console/evidence/{id}/decide"),
            &[
                ("decision", "reject"),
                ("comment", "Add the date of your pledge."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = program.get(&app, page.location()).await;
    page.shows("Rejected.")
        .shows("Add the date of your pledge.");
    assert_eq!(status_of(&app, id).await, "rejected");

    // Decided already: a second decision says so and changes nothing.
    let page = program
        .post(
            &app,
            &format!("/console/evidence/{id}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("already rejected");
    assert_eq!(status_of(&app, id).await, "rejected");
}

#[tokio::test]
async fn a_decision_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = pledge(&app, None).await;
    let admin = signed_in(&app, Role::Admin, None).await;
    let before = audit_count(&app).await;
    let page = admin
        .post_raw(
            &app,
            &format!("/console/evidence/{id}/decide"),
            &[("csrf", ""), ("decision", "approve")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.shows("Nothing was changed");
    assert_eq!(status_of(&app, id).await, "pending");
    assert_eq!(audit_count(&app).await, before);
}

#[tokio::test]
async fn viewers_and_managers_get_403_on_every_evidence_page_and_form() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = pledge(&app, Some(text_file())).await;
    let team = Some(json!({"org_units": ["emea"]}));
    for browser in [
        signed_in(&app, Role::Viewer, None).await,
        signed_in(&app, Role::Manager, team).await,
    ] {
        for path in [
            "/console/evidence".to_owned(),
            format!("/console/evidence/{id}"),
            format!("/console/evidence/{id}/file"),
            "/console/evidence/reviewers".to_owned(),
        ] {
            let page = browser.get(&app, &path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        }
        let page = browser
            .post(
                &app,
                &format!("/console/evidence/{id}/decide"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let page = browser
            .post(
                &app,
                "/console/evidence/reviewers",
                &[("op", "add"), ("belt", "white"), ("username", "x")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(status_of(&app, id).await, "pending");
    assert_eq!(app.audit_actions().await, ["evidence.submit"]);
}

fn text_file() -> NewFile {
    NewFile {
        name: Some("my pledge <b>.txt".into()),
        media_type: "text/plain".into(),
        bytes: b"<html><script>alert(1)</script></html>".to_vec(),
    }
}

#[tokio::test]
async fn an_evidence_file_is_listed_and_downloads_as_an_unsniffed_attachment() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = pledge(&app, Some(text_file())).await;
    let reviewer = reviewer_of(&app, "white").await;
    let page = reviewer.get(&app, &format!("/console/evidence/{id}")).await;
    page.shows("my pledge &#60;b&#62;.txt")
        .shows("text/plain, 38 bytes")
        .shows(&format!("href=\"/console/evidence/{id}/file\""));
    let file = reviewer
        .get(&app, &format!("/console/evidence/{id}/file"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), "text/plain");
    assert_eq!(
        file.header("content-disposition"),
        "attachment; filename=\"my_pledge__b_.txt\""
    );
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    assert!(file.header("content-security-policy").contains("sandbox"));
    assert_eq!(file.body, "<html><script>alert(1)</script></html>");

    // Text evidence has no file.
    let text = pledge(&app, None).await;
    let page = reviewer
        .get(&app, &format!("/console/evidence/{text}/file"))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_program_user_lists_a_console_reviewer_who_then_sees_that_queue() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let id = pledge(&app, None).await;
    let program = signed_in(&app, Role::Program, None).await;
    let reviewer = signed_in(&app, Role::Reviewer, None).await;

    let page = program
        .post(
            &app,
            "/console/evidence/reviewers",
            &[
                ("op", "add"),
                ("belt", "white"),
                ("username", "nobody-here"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.shows("field `username`: no console user is named");
    assert_eq!(app.audit_actions().await, ["evidence.submit"]);

    let page = program
        .post(
            &app,
            "/console/evidence/reviewers",
            &[
                ("op", "add"),
                ("belt", "white"),
                ("username", &reviewer.username),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.shows("now reviews belt white")
        .shows(&format!("console:{}", reviewer.username));
    let queue = reviewer.get(&app, "/console/evidence").await;
    queue.shows(&format!("/console/evidence/{id}"));

    let page = program
        .post(
            &app,
            "/console/evidence/reviewers",
            &[
                ("op", "remove"),
                ("belt", "white"),
                ("username", &reviewer.username),
            ],
        )
        .await;
    page.shows("no longer reviews belt white");
    let queue = reviewer.get(&app, "/console/evidence").await;
    assert!(!queue.body.contains(&format!("/console/evidence/{id}\"")));
    assert_eq!(
        app.audit_actions().await,
        ["evidence.submit", "reviewer.add", "reviewer.remove"]
    );
    // A reviewer cannot list themselves.
    let page = reviewer
        .post(
            &app,
            "/console/evidence/reviewers",
            &[
                ("op", "add"),
                ("belt", "white"),
                ("username", &reviewer.username),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_queue_filters_by_state_and_belt_and_pages() {
    let app = TestApp::spawn().await;
    program_and_ada(&app).await;
    let first = pledge(&app, None).await;
    for _ in 0..50 {
        pledge(&app, None).await;
    }
    let admin = signed_in(&app, Role::Admin, None).await;
    let page = admin
        .get(&app, "/console/evidence?state=pending&belt=white")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("<tr>").count(), 1 + 50, "header + a page");
    page.shows(&format!("/console/evidence/{first}\""));
    let next = page
        .body
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("after="))
        .expect("a next page")
        .replace("&#38;", "&");
    let page = admin.get(&app, &next).await;
    assert_eq!(page.body.matches("<tr>").count(), 1 + 1, "{}", page.body);
    assert!(!page.body.contains(&format!("/console/evidence/{first}\"")));
    let page = admin.get(&app, "/console/evidence?state=approved").await;
    page.shows("no submission matches");
}
