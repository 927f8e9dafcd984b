//! One LTI 1.1 Basic Outcomes delivery attempt at a time, against a real local consumer
//! that checks our OAuth signature and body hash with the project's own verifier.

use std::sync::{Arc, Mutex};

use blackbelt::passback::delivery::{Claimed, Deliver, Outcome, Protocol, Target};
use blackbelt::passback::lti11::Lti11Deliverer;
use poem::http::StatusCode;
use poem::listener::TcpAcceptor;
use poem::web::Data;
use poem::{Body, EndpointExt, Request, Response, Route, Server, handler};
use serde_json::json;

use crate::helpers::{TestApp, json_of};
use crate::passback_ags::{AU, EVENT_US, Seen, http};

#[derive(Default)]
pub struct Consumer {
    pub base: String,
    pub secret: String,
    pub seen: Vec<Seen>,
}

/// Serves the consumer's outcome service (`/outcomes`) on a free local port, checking
/// signatures with `secret`.
pub async fn serve_consumer(secret: &str) -> Arc<Mutex<Consumer>> {
    let consumer = Arc::new(Mutex::new(Consumer {
        secret: secret.to_owned(),
        ..Default::default()
    }));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    consumer.lock().unwrap().base = format!("http://{}", listener.local_addr().unwrap());
    let route = Route::new()
        .at("/outcomes", poem::post(outcomes))
        .data(consumer.clone());
    tokio::spawn(Server::new_with_acceptor(TcpAcceptor::from_std(listener).unwrap()).run(route));
    consumer
}

/// Verifies the signature and body hash as our own launch endpoint would, then answers
/// POX success, or failure for the sourcedId `unknown`.
#[handler]
async fn outcomes(req: &Request, body: Body, Data(state): Data<&Arc<Mutex<Consumer>>>) -> Response {
    let raw = body.into_vec().await.unwrap();
    let authorization = req
        .headers()
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned());
    let (base, secret) = {
        let s = state.lock().unwrap();
        (s.base.clone(), s.secret.clone())
    };
    let url = format!("{base}{}", req.uri());
    let signed = blackbelt::lti::oauth1::SignedRequest {
        method: "POST",
        url: &url,
        form: &[],
        authorization: authorization.as_deref(),
    };
    let verified = blackbelt::lti::oauth1::verify(&signed, &secret);
    let (_, params, _) = blackbelt::lti::oauth1::collect_params(&signed).unwrap();
    let hash = params
        .iter()
        .find(|(k, _)| k == "oauth_body_hash")
        .map(|(_, v)| v.clone());
    state.lock().unwrap().seen.push(Seen {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().unwrap_or_default().to_owned(),
        authorization: authorization.clone(),
        content_type: req
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned()),
        accept: None,
        body: String::from_utf8(raw.clone()).unwrap(),
    });
    if verified.is_err() || hash != Some(blackbelt::lti::oauth1::body_hash(&raw)) {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .body("bad signature");
    }
    let text = String::from_utf8(raw).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let field = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned()
    };
    let (code, description) = if field("sourcedId") == "unknown" {
        ("failure", "no such sourcedId".to_owned())
    } else {
        ("success", format!("score is now {}", field("textString")))
    };
    let answer = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"><imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version><imsx_messageIdentifier>1</imsx_messageIdentifier><imsx_statusInfo><imsx_codeMajor>{code}</imsx_codeMajor><imsx_severity>status</imsx_severity><imsx_description>{description}</imsx_description><imsx_messageRefIdentifier>{}</imsx_messageRefIdentifier><imsx_operationRefIdentifier>replaceResult</imsx_operationRefIdentifier></imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody><replaceResultResponse/></imsx_POXBody></imsx_POXEnvelopeResponse>"#,
        field("imsx_messageIdentifier")
    );
    Response::builder()
        .content_type("application/xml")
        .body(answer)
}

fn outcome_claim(key: &str, url: &str, sourcedid: &str, score: f64) -> Claimed {
    Claimed {
        message_id: 5,
        target: Target {
            id: 3,
            protocol: Protocol::Lti11,
            source: format!("consumer:{key}"),
            user_id: "student-7".into(),
            object_id: AU.into(),
            label: "Policy basics".into(),
            lineitem_url: None,
            lineitems_url: None,
            resource_link_id: None,
            scopes: vec![],
            outcome_url: Some(url.into()),
            sourcedid: Some(sourcedid.into()),
            last_sent_ts_us: None,
        },
        payload: json!({"resultScore": score}),
        event_us: EVENT_US,
        attempts: 2,
    }
}

#[tokio::test]
async fn lti11_replace_result_is_signed_with_a_body_hash_and_the_consumer_answer_is_read() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post("/api/lti/consumers")
        .header("Authorization", &app.auth)
        .content_type("application/json")
        .body(r#"{"name": "Outcomes LMS"}"#)
        .send()
        .await;
    response.assert_status(StatusCode::CREATED);
    let body = json_of(response).await;
    let key = body["consumerKey"].as_str().unwrap().to_owned();
    let consumer = serve_consumer(body["secret"].as_str().unwrap()).await;
    let base = consumer.lock().unwrap().base.clone();
    let url = format!("{base}/outcomes?course=1&type=grade");
    let deliverer = Lti11Deliverer::new(app.db.clone(), http());

    let outcome = deliverer
        .deliver(&outcome_claim(&key, &url, "c1|u7|a&b", 0.8))
        .await;
    assert_eq!(
        outcome,
        Outcome::Delivered {
            status: 200,
            sent_ts_us: None,
            lineitem_url: None,
            answer: Some("score is now 0.8".into()),
        }
    );
    let seen = consumer.lock().unwrap().seen[0].clone();
    assert_eq!(seen.content_type.as_deref(), Some("application/xml"));
    assert_eq!(seen.query, "course=1&type=grade");
    assert!(seen.body.contains("<sourcedId>c1|u7|a&amp;b</sourcedId>"));
    assert!(
        seen.body
            .contains("<imsx_messageIdentifier>bb5a2</imsx_messageIdentifier>")
    );
    assert!(
        seen.authorization
            .unwrap()
            .starts_with("OAuth realm=\"\", oauth_body_hash=")
    );

    let outcome = deliverer
        .deliver(&outcome_claim(&key, &url, "unknown", 0.5))
        .await;
    assert!(
        matches!(&outcome, Outcome::Failed { status: Some(200), answer: Some(a), .. } if a == "no such sourcedId"),
        "{outcome:?}"
    );

    // A consumer that knows another secret refuses the signature: failed, not retried.
    consumer.lock().unwrap().secret = "another secret".into();
    let outcome = deliverer
        .deliver(&outcome_claim(&key, &url, "c1|u7", 1.0))
        .await;
    assert!(
        matches!(
            outcome,
            Outcome::Failed {
                status: Some(401),
                ..
            }
        ),
        "{outcome:?}"
    );

    let outcome = deliverer
        .deliver(&outcome_claim("bb11_gone", &url, "c1|u7", 1.0))
        .await;
    assert!(
        matches!(&outcome, Outcome::Failed { status: None, error, .. } if error.contains("removed")),
        "{outcome:?}"
    );
    let outcome = deliverer
        .deliver(&outcome_claim(&key, &url, "c1|u7", 1.5))
        .await;
    assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
}
