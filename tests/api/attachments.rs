//! Statements with attachments: multipart/mixed in and out, hashes, missing and excess
//! parts, fileUrl-only attachments, and all-or-nothing storage.

use aws_lc_rs::digest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, statement, uuid};

pub const BOUNDARY: &str = "test-boundary-7d1f";

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, bytes))
}

/// A statement declaring one attachment of `content`.
pub fn with_attachment(id: &str, content: &[u8], content_type: &str) -> Value {
    let mut s = statement(1);
    s["id"] = json!(id);
    s["attachments"] = json!([{
        "usageType": "http://example.com/usage/slides",
        "display": {"en-US": "Slides"},
        "contentType": content_type,
        "length": content.len(),
        "sha2": sha256_hex(content)
    }]);
    s
}

/// One attachment part: (headers, bytes).
pub type RawPart<'a> = (Vec<(&'a str, String)>, Vec<u8>);

pub fn part(content_type: &str, content: &[u8]) -> RawPart<'static> {
    (
        vec![
            ("Content-Type", content_type.to_owned()),
            ("Content-Transfer-Encoding", "binary".to_owned()),
            ("X-Experience-API-Hash", sha256_hex(content)),
        ],
        content.to_vec(),
    )
}

pub fn multipart(json: &Value, parts: &[RawPart<'_>]) -> Vec<u8> {
    let mut out =
        format!("--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{json}\r\n").into_bytes();
    for (headers, body) in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        for (name, value) in headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

pub async fn post_multipart(
    app: &TestApp,
    body: Vec<u8>,
    version: &str,
) -> poem::test::TestResponse {
    app.client
        .post("/xapi/statements")
        .header("Authorization", &app.auth)
        .header("X-Experience-API-Version", version)
        .content_type(format!("multipart/mixed; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
}

async fn assert_not_stored(app: &TestApp, id: &str) {
    app.get(&format!("?statementId={id}"))
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_attachment_is_stored_and_returned_byte_exact_with_its_hash() {
    let app = TestApp::spawn().await;
    let id = uuid();
    let content: Vec<u8> = (0..=255u8)
        .rev()
        .chain(b"\r\n--x".iter().copied())
        .collect();
    let body = multipart(
        &with_attachment(&id, &content, "application/pdf"),
        &[part("application/pdf", &content)],
    );
    post_multipart(&app, body, "1.0.3")
        .await
        .assert_status_is_ok();

    let response = app
        .get(&format!("?statementId={id}&attachments=true"))
        .await;
    response.assert_status_is_ok();
    let content_type = response.0.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("multipart/mixed"),
        "{content_type}"
    );
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let raw = response.0.into_body().into_vec().await.unwrap();
    let parts = blackbelt::xapi::attachments::multipart::parse(&raw, &boundary).unwrap();
    assert_eq!(parts.len(), 2);
    let json: Value = serde_json::from_slice(&parts[0].body).unwrap();
    assert_eq!(json["id"], id.as_str());
    assert_eq!(
        parts[1].header("x-experience-api-hash"),
        Some(sha256_hex(&content).as_str())
    );
    assert_eq!(parts[1].header("content-transfer-encoding"), Some("binary"));
    assert_eq!(parts[1].body, content);

    // Without attachments=true the answer is plain JSON.
    let plain = app.get(&format!("?statementId={id}")).await;
    plain.assert_content_type("application/json; charset=utf-8");
}

#[tokio::test]
async fn the_same_bytes_in_two_statements_are_stored_once() {
    let app = TestApp::spawn().await;
    let content = b"shared bytes";
    for _ in 0..2 {
        let body = multipart(
            &with_attachment(&uuid(), content, "text/plain"),
            &[part("text/plain", content)],
        );
        post_multipart(&app, body, "2.0.0")
            .await
            .assert_status_is_ok();
    }
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .conn
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            "SELECT COUNT(*) AS n FROM attachments",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
}

#[tokio::test]
async fn a_part_whose_bytes_do_not_match_its_hash_is_refused() {
    let app = TestApp::spawn().await;
    let id = uuid();
    let (mut headers, _) = part("text/plain", b"declared");
    headers[2].1 = sha256_hex(b"declared");
    let body = multipart(
        &with_attachment(&id, b"declared", "text/plain"),
        &[(headers, b"tampered".to_vec())],
    );
    let response = post_multipart(&app, body, "1.0.3").await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let message = json_of(response).await["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("X-Experience-API-Hash"), "{message}");
    assert_not_stored(&app, &id).await;
}

/// Builds a request body for a statement id.
type BodyFor = Box<dyn Fn(&str) -> Vec<u8>>;

#[tokio::test]
async fn missing_excess_and_malformed_parts_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let content = b"the real attachment";
    let cases: Vec<(&str, BodyFor)> = vec![
        (
            "missing part",
            Box::new(|id| multipart(&with_attachment(id, content, "text/plain"), &[])),
        ),
        (
            "excess part",
            Box::new(|id| {
                multipart(
                    &with_attachment(id, content, "text/plain"),
                    &[part("text/plain", content), part("text/plain", b"extra")],
                )
            }),
        ),
        (
            "no Content-Transfer-Encoding",
            Box::new(|id| {
                let (mut headers, bytes) = part("text/plain", content);
                headers.remove(1);
                multipart(
                    &with_attachment(id, content, "text/plain"),
                    &[(headers, bytes)],
                )
            }),
        ),
        (
            "no hash header",
            Box::new(|id| {
                let (mut headers, bytes) = part("text/plain", content);
                headers.remove(2);
                multipart(
                    &with_attachment(id, content, "text/plain"),
                    &[(headers, bytes)],
                )
            }),
        ),
        (
            "first part not JSON",
            Box::new(|id| {
                let s = with_attachment(id, content, "text/plain");
                let body = multipart(&s, &[part("text/plain", content)]);
                String::from_utf8_lossy(&body)
                    .replacen(
                        "Content-Type: application/json",
                        "Content-Type: text/plain",
                        1,
                    )
                    .into_bytes()
            }),
        ),
        (
            "no closing boundary",
            Box::new(|id| {
                let body = multipart(
                    &with_attachment(id, content, "text/plain"),
                    &[part("text/plain", content)],
                );
                body[..body.len() - (BOUNDARY.len() + 6)].to_vec()
            }),
        ),
    ];
    for (case, build) in cases {
        let id = uuid();
        let response = post_multipart(&app, build(&id), "1.0.3").await;
        assert_eq!(response.0.status().as_u16(), 400, "{case}");
        assert_not_stored(&app, &id).await;
    }
    // A multipart content type without a boundary parameter.
    let response = app
        .post_raw("multipart/mixed", "--x\r\n\r\n{}\r\n--x--")
        .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn file_url_attachments_travel_as_plain_json_but_inline_ones_need_parts() {
    let app = TestApp::spawn().await;
    let mut s = with_attachment(&uuid(), b"elsewhere", "text/plain");
    s["attachments"][0]["fileUrl"] = json!("https://files.example.com/a.txt");
    app.post(&s).await.assert_status_is_ok();

    let inline = with_attachment(&uuid(), b"inline", "text/plain");
    let response = app.post(&inline).await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_batch_with_one_bad_attachment_stores_nothing() {
    let app = TestApp::spawn().await;
    let (good, bad) = (uuid(), uuid());
    let batch = json!([
        with_attachment(&good, b"good", "text/plain"),
        with_attachment(&bad, b"missing", "text/plain"),
    ]);
    let response = post_multipart(
        &app,
        multipart(&batch, &[part("text/plain", b"good")]),
        "1.0.3",
    )
    .await;
    response.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert_not_stored(&app, &good).await;
}

#[tokio::test]
async fn an_attachment_over_the_configured_size_gets_413_and_nothing_is_stored() {
    let app = TestApp::spawn_with(|c| c.max_attachment_bytes = 1000).await;
    let id = uuid();
    let content = vec![b'x'; 2000];
    let body = multipart(
        &with_attachment(&id, &content, "text/plain"),
        &[part("text/plain", &content)],
    );
    post_multipart(&app, body, "2.0.0")
        .await
        .assert_status(poem::http::StatusCode::PAYLOAD_TOO_LARGE);
    assert_not_stored(&app, &id).await;
}
