//! LTI 1.1 Basic Outcomes messages (IMS POX): the `replaceResult` request we send and
//! the `imsx_POXEnvelopeResponse` status we read back.
//! <https://www.imsglobal.org/spec/lti-bo/v1p1/>

/// The namespace of every Basic Outcomes element.
pub const NAMESPACE: &str = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0";

/// `imsx_codeMajor`: how the consumer took the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeMajor {
    Success,
    Processing,
    Failure,
    Unsupported,
}

/// The status part of a POX answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoxStatus {
    pub code: CodeMajor,
    pub description: Option<String>,
    /// Echoes our `imsx_messageIdentifier`.
    pub message_ref: Option<String>,
}

/// Why an answer is not a POX status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoxError {
    #[error("the answer is not XML")]
    NotXml,
    #[error("the answer is not an imsx_POXEnvelopeResponse")]
    NotEnvelope,
    #[error("the answer's imsx_codeMajor is missing or unknown")]
    NoCodeMajor,
}

/// A `replaceResultRequest` setting `sourcedid`'s score to `score` (0..=1, written
/// with at most four decimals, as consumers parse it as a decimal).
pub fn replace_result_xml(message_id: &str, sourcedid: &str, score: f64) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<imsx_POXEnvelopeRequest xmlns=\"{NAMESPACE}\">\
<imsx_POXHeader><imsx_POXRequestHeaderInfo>\
<imsx_version>V1.0</imsx_version>\
<imsx_messageIdentifier>{}</imsx_messageIdentifier>\
</imsx_POXRequestHeaderInfo></imsx_POXHeader>\
<imsx_POXBody><replaceResultRequest><resultRecord>\
<sourcedGUID><sourcedId>{}</sourcedId></sourcedGUID>\
<result><resultScore><language>en</language><textString>{}</textString></resultScore></result>\
</resultRecord></replaceResultRequest></imsx_POXBody>\
</imsx_POXEnvelopeRequest>",
        escape(message_id),
        escape(sourcedid),
        score_text(score)
    )
}

/// `0.83`, `1`, `0`: four decimals at most, no trailing zeros, clamped to 0..=1.
pub fn score_text(score: f64) -> String {
    let score = if score.is_finite() {
        score.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let text = format!("{score:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

/// Reads `imsx_statusInfo` from an answer, matching elements by local name (consumers
/// differ in prefixes and sometimes in namespace).
pub fn parse_answer(body: &[u8]) -> Result<PoxStatus, PoxError> {
    let text = std::str::from_utf8(body).map_err(|_| PoxError::NotXml)?;
    let doc = roxmltree::Document::parse(text).map_err(|_| PoxError::NotXml)?;
    let root = doc.root_element();
    if root.tag_name().name() != "imsx_POXEnvelopeResponse" {
        return Err(PoxError::NotEnvelope);
    }
    let info = root
        .descendants()
        .find(|n| n.tag_name().name() == "imsx_statusInfo")
        .ok_or(PoxError::NotEnvelope)?;
    let field = |name: &str| {
        info.children()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let code = match field("imsx_codeMajor").as_deref() {
        Some("success") => CodeMajor::Success,
        Some("processing") => CodeMajor::Processing,
        Some("failure") => CodeMajor::Failure,
        Some("unsupported") => CodeMajor::Unsupported,
        _ => return Err(PoxError::NoCodeMajor),
    };
    Ok(PoxStatus {
        code,
        description: field("imsx_description"),
        message_ref: field("imsx_messageRefIdentifier"),
    })
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_carries_identifier_sourcedid_and_score_in_the_namespace() {
        let xml = replace_result_xml("bb7a0", "course:1|user:2", 0.92);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "imsx_POXEnvelopeRequest");
        assert_eq!(root.tag_name().namespace(), Some(NAMESPACE));
        let text = |name: &str| {
            doc.descendants()
                .find(|n| n.tag_name().name() == name)
                .and_then(|n| n.text())
                .unwrap()
                .to_owned()
        };
        assert_eq!(text("imsx_messageIdentifier"), "bb7a0");
        assert_eq!(text("sourcedId"), "course:1|user:2");
        assert_eq!(text("textString"), "0.92");
        assert_eq!(text("language"), "en");
        assert!(
            doc.descendants()
                .any(|n| n.tag_name().name() == "replaceResultRequest")
        );
    }

    #[test]
    fn markup_in_a_sourcedid_is_escaped() {
        let xml = replace_result_xml("m<1>", "a&b<c>\"'", 1.0);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let sourced = doc
            .descendants()
            .find(|n| n.tag_name().name() == "sourcedId")
            .unwrap();
        assert_eq!(sourced.text(), Some("a&b<c>\"'"));
    }

    #[test]
    fn scores_are_written_with_at_most_four_decimals_within_zero_and_one() {
        assert_eq!(score_text(0.83), "0.83");
        assert_eq!(score_text(1.0), "1");
        assert_eq!(score_text(0.0), "0");
        assert_eq!(score_text(0.123_456), "0.1235");
        assert_eq!(score_text(1.5), "1");
        assert_eq!(score_text(-0.2), "0");
        assert_eq!(score_text(f64::NAN), "0");
    }

    const SUCCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
  <imsx_POXHeader><imsx_POXResponseHeaderInfo>
    <imsx_version>V1.0</imsx_version><imsx_messageIdentifier>4560</imsx_messageIdentifier>
    <imsx_statusInfo>
      <imsx_codeMajor>success</imsx_codeMajor><imsx_severity>status</imsx_severity>
      <imsx_description>Score for 3124567 is now 0.92</imsx_description>
      <imsx_messageRefIdentifier>bb7a0</imsx_messageRefIdentifier>
      <imsx_operationRefIdentifier>replaceResult</imsx_operationRefIdentifier>
    </imsx_statusInfo>
  </imsx_POXResponseHeaderInfo></imsx_POXHeader>
  <imsx_POXBody><replaceResultResponse/></imsx_POXBody>
</imsx_POXEnvelopeResponse>"#;

    #[test]
    fn a_success_answer_is_read() {
        assert_eq!(
            parse_answer(SUCCESS.as_bytes()).unwrap(),
            PoxStatus {
                code: CodeMajor::Success,
                description: Some("Score for 3124567 is now 0.92".into()),
                message_ref: Some("bb7a0".into()),
            }
        );
    }

    #[test]
    fn a_failure_answer_keeps_its_description() {
        let body = SUCCESS.replace(">success<", ">failure<").replace(
            "Score for 3124567 is now 0.92",
            "Score not between 0.0 and 1.0",
        );
        let status = parse_answer(body.as_bytes()).unwrap();
        assert_eq!(status.code, CodeMajor::Failure);
        assert_eq!(
            status.description.as_deref(),
            Some("Score not between 0.0 and 1.0")
        );
    }

    #[test]
    fn prefixed_elements_are_read_by_local_name() {
        let body = r#"<x:imsx_POXEnvelopeResponse xmlns:x="urn:other"><x:imsx_POXHeader><x:imsx_POXResponseHeaderInfo><x:imsx_statusInfo><x:imsx_codeMajor>unsupported</x:imsx_codeMajor></x:imsx_statusInfo></x:imsx_POXResponseHeaderInfo></x:imsx_POXHeader></x:imsx_POXEnvelopeResponse>"#;
        assert_eq!(
            parse_answer(body.as_bytes()).unwrap().code,
            CodeMajor::Unsupported
        );
    }

    #[test]
    fn answers_that_are_not_pox_are_told_apart() {
        assert_eq!(
            parse_answer(b"<html>busy</html>"),
            Err(PoxError::NotEnvelope)
        );
        assert_eq!(parse_answer(b"not xml"), Err(PoxError::NotXml));
        let no_code = SUCCESS.replace("<imsx_codeMajor>success</imsx_codeMajor>", "");
        assert_eq!(parse_answer(no_code.as_bytes()), Err(PoxError::NoCodeMajor));
    }
}
