//! LTI 1.1 Basic Outcomes: one `replaceResult` POST to the launch's
//! `lis_outcome_service_url`, signed with OAuth 1.0a and a body hash using the
//! consumer's shared secret. <https://www.imsglobal.org/spec/lti-bo/v1p1/>

use futures_util::future::BoxFuture;

use super::answer::{garbled, not_answered, refused, short};
use super::delivery::{Claimed, Deliver, Outcome};
use super::pox::{CodeMajor, parse_answer, replace_result_xml};
use crate::auth::secret::random_bytes;
use crate::db::Db;
use crate::lti::{consumers, oauth1};
use crate::outbound::{Call, Outbound};

/// A POX answer is a few hundred bytes.
const ANSWER_BYTES: usize = 64 * 1024;

/// Delivers LTI 1.1 outcomes. Build one per application.
pub struct Lti11Deliverer {
    db: Db,
    http: Outbound,
}

impl Lti11Deliverer {
    pub fn new(db: Db, http: Outbound) -> Lti11Deliverer {
        Lti11Deliverer { db, http }
    }

    async fn attempt(&self, claimed: &Claimed) -> Outcome {
        let target = &claimed.target;
        let Some(key) = target.source.strip_prefix("consumer:") else {
            return failed("the target's source is not consumer:<key>");
        };
        let (Some(url), Some(sourcedid)) = (
            target
                .outcome_url
                .as_deref()
                .filter(|u| !u.trim().is_empty()),
            target.sourcedid.as_deref().filter(|s| !s.is_empty()),
        ) else {
            return failed("the launch gave no lis_outcome_service_url and lis_result_sourcedid");
        };
        let Some(score) = claimed.payload["resultScore"]
            .as_f64()
            .filter(|s| (0.0..=1.0).contains(s))
        else {
            return failed("the message's resultScore is not a number from 0 to 1");
        };
        let secret = match consumers::secret_of(&self.db, key).await {
            Ok(Some(secret)) => secret,
            Ok(None) => return failed("the LTI 1.1 consumer was removed"),
            Err(e) => {
                tracing::warn!(error = %e, "reading a consumer's secret failed");
                return Outcome::Retry {
                    status: None,
                    error: "the consumer's secret could not be read".into(),
                    retry_after: None,
                    answer: None,
                };
            }
        };
        // Unique per request: consumers may refuse a repeated identifier.
        let message_id = format!("bb{}a{}", claimed.message_id, claimed.attempts);
        let body = replace_result_xml(&message_id, sourcedid, score).into_bytes();
        let nonce = hex::encode(random_bytes::<12>());
        let now = jiff::Timestamp::now().as_second();
        let authorization =
            match oauth1::authorization_header("POST", url, key, &secret, &body, &nonce, now) {
                Ok(header) => header,
                Err(e) => return failed(&format!("the outcome URL cannot be signed: {e}")),
            };
        let call = Call {
            authorization: Some(&authorization),
            content_type: Some("application/xml"),
            body: Some(body),
            ..Call::new(reqwest::Method::POST, url, ANSWER_BYTES)
        };
        let what = "the replaceResult POST";
        let answer = match self.http.call(call).await {
            Ok(answer) => answer,
            Err(e) => return not_answered(e, what),
        };
        if matches!(answer.status, 401 | 403) {
            return Outcome::Failed {
                status: Some(answer.status),
                error: "the consumer refused our signature or key".into(),
                answer: short(&answer.body),
            };
        }
        if !answer.is_success() {
            return refused(&answer, what);
        }
        match parse_answer(&answer.body) {
            Ok(status) if matches!(status.code, CodeMajor::Success | CodeMajor::Processing) => {
                Outcome::Delivered {
                    status: answer.status,
                    sent_ts_us: None,
                    lineitem_url: None,
                    answer: status.description.or_else(|| short(&answer.body)),
                }
            }
            Ok(status) => Outcome::Failed {
                status: Some(answer.status),
                error: format!(
                    "the consumer answered imsx_codeMajor {}",
                    match status.code {
                        CodeMajor::Unsupported => "unsupported",
                        _ => "failure",
                    }
                ),
                answer: status.description.or_else(|| short(&answer.body)),
            },
            Err(e) => garbled(&answer, what, &format!("a POX status ({e})")),
        }
    }
}

impl Deliver for Lti11Deliverer {
    fn deliver<'a>(&'a self, claimed: &'a Claimed) -> BoxFuture<'a, Outcome> {
        Box::pin(self.attempt(claimed))
    }
}

fn failed(error: &str) -> Outcome {
    Outcome::Failed {
        status: None,
        error: error.to_owned(),
        answer: None,
    }
}
