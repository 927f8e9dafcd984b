//! Evidence: submitted by a learner's launch token or an admin, checked (belt,
//! requirement, kind, limits, file size and type), reviewed, withdrawn, audited.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::cert_fixture::enc;
use crate::helpers::TestApp;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";

/// A multipart/form-data body: text fields, then the file part.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "XbbBoundaryX";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, media_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{name}\"\r\nContent-Type: {media_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    auth: &str,
    content_type: String,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let response = app
        .client
        .post("/api/certification/evidence")
        .header("Authorization", auth)
        .content_type(content_type)
        .body(body)
        .send()
        .await;
    let status = response.0.status();
    let bytes = response.0.into_body().into_vec().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn submit(app: &TestApp, auth: &str, body: Value) -> (StatusCode, Value) {
    app.call("POST", "/api/certification/evidence", auth, Some(body))
        .await
}

#[tokio::test]
async fn a_learner_submits_text_with_their_launch_token_and_it_waits_for_review() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, ada) = app.learner("ada").await;
    let (status, evidence) = submit(
        &app,
        &token,
        json!({"belt": "white", "requirement": "pledge", "text": "I will speak for us with care."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{evidence}");
    assert_eq!(evidence["learner"], ada);
    assert_eq!(evidence["status"], "pending");
    assert_eq!(evidence["kind"], "text");
    assert_eq!(
        evidence["submittedBy"]
            .as_str()
            .or(evidence["submitted_by"].as_str()),
        Some(format!("learner:{ada}").as_str())
    );
    assert_eq!(app.audit_actions().await, ["evidence.submit"]);

    // The learner lists their own, and reads it.
    let (status, page) = app
        .call("GET", "/api/certification/evidence", &token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["evidence"].as_array().unwrap().len(), 1);
    let id = evidence["id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/certification/evidence/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_submits_a_link_for_a_learner_named_by_agent() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let agent = json!({"account": {"homePage": "https://lms.example.com", "name": "bob"}});
    let (status, evidence) = submit(
        &app,
        &app.auth,
        json!({"learner": agent, "belt": "green", "requirement": "portfolio",
               "url": "https://social.example.com/bob/posts/1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{evidence}");
    assert_eq!(evidence["learner"], "account:https://lms.example.com|bob");
    assert_eq!(evidence["url"], "https://social.example.com/bob/posts/1");
}

#[tokio::test]
async fn a_file_is_stored_by_content_and_downloaded_as_an_attachment_of_its_type() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, _) = app.learner("ada").await;
    let (ct, body) = multipart(
        &[("belt", "white"), ("requirement", "pledge")],
        Some(("my pledge.pdf", "application/pdf", PDF)),
    );
    let (status, evidence) = upload(&app, &token, ct, body).await;
    assert_eq!(status, StatusCode::CREATED, "{evidence}");
    assert_eq!(evidence["kind"], "file");
    assert_eq!(
        evidence["file"]["mediaType"]
            .as_str()
            .or(evidence["file"]["media_type"].as_str()),
        Some("application/pdf")
    );
    let id = evidence["id"].as_i64().unwrap();

    let response = app
        .client
        .get(format!("/api/certification/evidence/{id}/file"))
        .header("Authorization", &app.auth)
        .send()
        .await;
    response.assert_status_is_ok();
    response.assert_header("Content-Type", "application/pdf");
    response.assert_header("X-Content-Type-Options", "nosniff");
    response.assert_header(
        "Content-Disposition",
        "attachment; filename=\"my_pledge.pdf\"",
    );
    response.assert_bytes(PDF).await;
}

#[tokio::test]
async fn bad_submissions_are_refused_with_400_naming_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (token, _) = app.learner("ada").await;
    let long = "a".repeat(10_001);
    let cases = [
        (
            json!({"belt": "black", "requirement": "pledge", "text": "x"}),
            "`belt`",
        ),
        (
            json!({"belt": "white", "requirement": "essay", "text": "x"}),
            "`requirement`",
        ),
        // The portfolio takes links only.
        (
            json!({"belt": "green", "requirement": "portfolio", "text": "x"}),
            "`text`",
        ),
        (
            json!({"belt": "white", "requirement": "pledge", "text": long}),
            "`text`",
        ),
        (
            json!({"belt": "white", "requirement": "pledge", "url": "javascript:alert(1)"}),
            "`url`",
        ),
        (
            json!({"belt": "white", "requirement": "pledge", "url": "ftp://x.example/a"}),
            "`url`",
        ),
        (json!({"belt": "white", "requirement": "pledge"}), "`text`"),
        (
            json!({"belt": "white", "requirement": "pledge", "text": "x", "url": "https://x.example"}),
            "`url`",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = submit(&app, &token, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(field), "{body}: {message}");
    }
    let response = app
        .client
        .post("/api/certification/evidence")
        .header("Authorization", &token)
        .content_type("application/json")
        .body("{\"belt\": ")
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    // An admin must name the learner.
    let (status, answer) = submit(
        &app,
        &app.auth,
        json!({"belt": "white", "requirement": "pledge", "text": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("`learner`"));
    assert_eq!(app.cert_rows().await, (0, 0, 0));
}

#[tokio::test]
async fn a_file_over_the_limit_gets_413_and_a_refused_type_or_wrong_magic_415() {
    let app = TestApp::spawn_with(|c| c.evidence_max_bytes = 64).await;
    app.with_program().await;
    let (token, _) = app.learner("ada").await;
    let big = [PDF, &[b' '; 100][..]].concat();
    let fields = [("belt", "white"), ("requirement", "pledge")];
    let (ct, body) = multipart(&fields, Some(("big.pdf", "application/pdf", &big)));
    let (status, answer) = upload(&app, &token, ct, body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"], "payload_too_large");
    assert!(
        answer["message"].as_str().unwrap().contains("64 bytes"),
        "{answer}"
    );

    let (ct, body) = multipart(
        &fields,
        Some(("setup.exe", "application/x-msdownload", EXE)),
    );
    let (status, answer) = upload(&app, &token, ct, body).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("application/pdf"),
        "{answer}"
    );

    // A program named and declared as a PDF.
    let (ct, body) = multipart(&fields, Some(("report.pdf", "application/pdf", EXE)));
    let (status, answer) = upload(&app, &token, ct, body).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");
    assert_eq!(answer["error"], "unsupported_media_type");

    // The portfolio does not take files.
    let (ct, body) = multipart(
        &[("belt", "green"), ("requirement", "portfolio")],
        Some(("p.pdf", "application/pdf", PDF)),
    );
    let (status, answer) = upload(&app, &token, ct, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(app.cert_rows().await, (0, 0, 0));
}

#[tokio::test]
async fn credentials_without_admin_may_not_submit() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let writer = app.credential("all").await;
    let (status, _) = submit(
        &app,
        &writer,
        json!({"learner": "account:https://lms.example.com|ada", "belt": "white",
               "requirement": "pledge", "text": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.cert_rows().await, (0, 0, 0));
}

/// Ada submits her pledge; returns its id and her token.
async fn pending(app: &TestApp) -> (i64, String, String) {
    app.with_program().await;
    let (token, ada) = app.learner("ada").await;
    let (status, evidence) = submit(
        app,
        &token,
        json!({"belt": "white", "requirement": "pledge", "text": "my pledge"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    (evidence["id"].as_i64().unwrap(), token, ada)
}

#[tokio::test]
async fn an_admin_approves_once_and_a_second_decision_gets_409() {
    let app = TestApp::spawn().await;
    let (id, _, ada) = pending(&app).await;
    let (status, page) = app
        .call(
            "GET",
            "/api/certification/evidence?status=pending&belt=white",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["evidence"][0]["id"], id);
    let approve = format!("/api/certification/evidence/{id}/approve");
    let (status, decided) = app
        .call(
            "POST",
            &approve,
            &app.auth,
            Some(json!({"comment": "well said"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["comment"], "well said");
    let (status, again) = app.call("POST", &approve, &app.auth, Some(json!({}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let reject = format!("/api/certification/evidence/{id}/reject");
    let (status, _) = app
        .call("POST", &reject, &app.auth, Some(json!({"comment": "no"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The approval met the fixture belt's last requirement: the engine awarded it in the
    // decision's transaction, and the refused second decisions recorded nothing.
    assert_eq!(
        app.audit_actions().await,
        ["evidence.submit", "evidence.approve", "award"]
    );
    let (_, audit) = app
        .call(
            "GET",
            &format!(
                "/api/certification/audit?action=evidence.approve&learner={}",
                enc(&ada)
            ),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(
        audit["entries"][0]["evidenceId"]
            .as_i64()
            .or(audit["entries"][0]["evidence_id"].as_i64()),
        Some(id)
    );
    let (_, pending) = app
        .call(
            "GET",
            "/api/certification/evidence?status=pending",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(pending["evidence"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn rejecting_needs_a_comment() {
    let app = TestApp::spawn().await;
    let (id, _, _) = pending(&app).await;
    let reject = format!("/api/certification/evidence/{id}/reject");
    let (status, answer) = app.call("POST", &reject, &app.auth, Some(json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["message"].as_str().unwrap().contains("`comment`"));
    let (status, decided) = app
        .call(
            "POST",
            &reject,
            &app.auth,
            Some(json!({"comment": "name the policy"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(decided["status"], "rejected");
    assert_eq!(
        app.audit_actions().await,
        ["evidence.submit", "evidence.reject"]
    );
}

#[tokio::test]
async fn a_reviewer_of_another_belt_gets_403_and_one_of_this_belt_decides() {
    let app = TestApp::spawn().await;
    let (id, _, _) = pending(&app).await;
    let reviewer = app.credential("statements/read").await;
    let reviewer_id = crate::cert_fixture::credential_id(&app, &reviewer).await;
    let put =
        |belt: &str| format!("/api/certification/belts/{belt}/reviewers/credential:{reviewer_id}");
    let (status, _) = app.call("PUT", &put("green"), &app.auth, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let approve = format!("/api/certification/evidence/{id}/approve");
    let (status, answer) = app.call("POST", &approve, &reviewer, Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    // The green reviewer's queue does not show white's evidence.
    let (status, page) = app
        .call("GET", "/api/certification/evidence", &reviewer, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["evidence"].as_array().unwrap().len(), 0);

    let (status, _) = app.call("PUT", &put("white"), &app.auth, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, decided) = app.call("POST", &approve, &reviewer, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(
        decided["decidedBy"]
            .as_str()
            .or(decided["decided_by"].as_str()),
        Some(format!("credential:{reviewer_id}").as_str())
    );
}

#[tokio::test]
async fn a_learner_reviewer_may_not_decide_their_own_evidence() {
    let app = TestApp::spawn().await;
    let (id, token, ada) = pending(&app).await;
    let (status, _) = app
        .call(
            "PUT",
            &format!(
                "/api/certification/belts/white/reviewers/{}",
                enc(&format!("learner:{ada}"))
            ),
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, answer) = app
        .call(
            "POST",
            &format!("/api/certification/evidence/{id}/approve"),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("another reviewer")
    );
}

#[tokio::test]
async fn a_learner_withdraws_their_own_pending_evidence_and_not_anothers() {
    let app = TestApp::spawn().await;
    let (id, token, _) = pending(&app).await;
    let (grace, _) = app.learner("grace").await;
    let withdraw = format!("/api/certification/evidence/{id}/withdraw");
    let (status, _) = app.call("POST", &withdraw, &grace, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/certification/evidence/{id}"),
            &grace,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = app
        .call("GET", "/api/certification/evidence", &grace, None)
        .await;
    assert_eq!(page["evidence"].as_array().unwrap().len(), 0);
    let (status, withdrawn) = app.call("POST", &withdraw, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(withdrawn["status"], "withdrawn");
    let (status, _) = app.call("POST", &withdraw, &token, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/certification/evidence/{id}/approve"),
            &app.auth,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        app.audit_actions().await,
        ["evidence.submit", "evidence.withdraw"]
    );
}

#[tokio::test]
async fn unknown_evidence_is_404_and_an_unknown_status_filter_400() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let (status, _) = app
        .call("GET", "/api/certification/evidence/999", &app.auth, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = app
        .call(
            "GET",
            "/api/certification/evidence?status=lost",
            &app.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["message"].as_str().unwrap().contains("`status`"));
}

#[tokio::test]
async fn an_admin_uploads_a_file_for_a_learner_named_in_the_form() {
    let app = TestApp::spawn().await;
    app.with_program().await;
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    let (ct, body) = multipart(
        &[
            ("learner", "account:https://lms.example.com|bob"),
            ("belt", "white"),
            ("requirement", "pledge"),
        ],
        Some(("pledge.png", "image/png", png)),
    );
    let (status, evidence) = upload(&app, &app.auth, ct, body).await;
    assert_eq!(status, StatusCode::CREATED, "{evidence}");
    assert_eq!(evidence["learner"], "account:https://lms.example.com|bob");
    assert_eq!(evidence["file"]["media_type"], "image/png");
    assert_eq!(evidence["file"]["bytes"], png.len());
    // The same bytes again are stored once.
    let (ct, body) = multipart(
        &[
            ("learner", "account:https://lms.example.com|bob"),
            ("belt", "white"),
            ("requirement", "pledge"),
        ],
        Some(("again.png", "image/png", png)),
    );
    let (status, again) = upload(&app, &app.auth, ct, body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["file"]["sha256"], evidence["file"]["sha256"]);
}

#[tokio::test]
async fn approving_the_last_requirement_awards_the_belt_in_the_same_transaction() {
    let app = TestApp::spawn().await;
    let (id, token, ada) = pending(&app).await;
    // Known to the engine (it registers learners from their statements; Ada sent none).
    app.insert_learner(&ada).await;
    let belts = format!("/api/certification/learners/{}/belts", enc(&ada));
    let (_, before) = app.call("GET", &belts, &token, None).await;
    assert_eq!(before["awards"].as_array().unwrap().len(), 0);
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/certification/evidence/{id}/approve"),
            &app.auth,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = app.call("GET", &belts, &token, None).await;
    assert_eq!(after["awards"][0]["belt"], "white", "{after}");
    assert_eq!(after["awards"][0]["status"], "active");
}
