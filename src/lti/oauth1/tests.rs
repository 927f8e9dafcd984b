use super::*;

// Vectors from Python oauthlib 3.2.2: `Client("lms-key", client_secret="s3cret!&",
// signature_method=SIGNATURE_HMAC, nonce="1700000000n0nce", timestamp="1700000000")`,
// `client.sign(uri, http_method="POST", body=..., headers={form content type})`.
const SECRET: &str = "s3cret!&";
const URL: &str = "https://tool.example/lti/launch";

/// The launch parameters every vector shares, then the test's own tail.
macro_rules! launch {
    ($($tail:literal),*) => {
        concat!(
            "lti_message_type=basic-lti-launch-request&lti_version=LTI-1p0",
            "&resource_link_id=rl-42&user_id=u-7",
            "&roles=Learner%2Curn%3Alti%3Arole%3Aims%2Flis%2FInstructor",
            "&lis_outcome_service_url=https%3A%2F%2Flms.example%2Foutcomes%3Fx%3D1",
            "&lis_result_sourcedid=src%3A1%7C2&custom_course=Belt+101",
            $($tail),*
        )
    };
}

/// A launch signed in the body (SIGNATURE_TYPE_BODY) with `extra` parameters.
macro_rules! signed {
    ($extra:literal, $signature:literal) => {
        launch!(
            $extra,
            "&oauth_nonce=1700000000n0nce&oauth_timestamp=1700000000&oauth_version=1.0",
            "&oauth_signature_method=HMAC-SHA1&oauth_consumer_key=lms-key",
            "&oauth_signature=",
            $signature
        )
    };
}

const PLAIN: &str = signed!("", "4kPXWK0BHhamQTGKk8oVFFy2FB4%3D");

fn form(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn check(
    url: &str,
    body: &str,
    authorization: Option<&str>,
    secret: &str,
) -> Result<OAuthParams, OAuthError> {
    let form = form(body);
    verify(
        &SignedRequest {
            method: "POST",
            url,
            form: &form,
            authorization,
        },
        secret,
    )
}

#[test]
fn plain_launch_signed_by_oauthlib_verifies() -> Result<(), OAuthError> {
    let params = check(URL, PLAIN, None, SECRET)?;
    assert_eq!(params.consumer_key, "lms-key");
    assert_eq!(params.nonce, "1700000000n0nce");
    assert_eq!(params.timestamp, 1_700_000_000);
    assert_eq!(params.signature_method, "HMAC-SHA1");
    Ok(())
}

#[test]
fn duplicate_names_are_kept_and_sorted_by_value() {
    let body = signed!("&custom_x=b&custom_x=a", "Z7GnAR2c34lkUFCsaYzvt8x8zKM%3D");
    assert!(check(URL, body, None, SECRET).is_ok());
}

#[test]
fn launch_url_query_parameters_are_signed() {
    let body = signed!("", "WjgYviZ5jVsKgxfq1nW%2Fmra43Xo%3D");
    assert!(
        check(
            "https://tool.example/lti/launch?tenant=a&x=1",
            body,
            None,
            SECRET
        )
        .is_ok()
    );
    let without_query = check(URL, body, None, SECRET);
    assert_eq!(without_query.err(), Some(OAuthError::BadSignature));
}

#[test]
fn uppercase_host_and_default_port_normalise_to_the_configured_url() -> Result<(), OAuthError> {
    // oauthlib signed at `HTTPS://Tool.Example:443/lti/launch`: the same signature.
    assert!(check(URL, PLAIN, None, SECRET).is_ok());
    let odd = base_string("post", "HTTPS://Tool.Example:443/lti/launch", &[])?;
    assert_eq!(odd, base_string("POST", URL, &[])?);
    let kept = base_string("POST", "http://Tool.Example:8080/LTI/Launch", &[])?;
    assert_eq!(
        kept,
        "POST&http%3A%2F%2Ftool.example%3A8080%2FLTI%2FLaunch&"
    );
    Ok(())
}

#[test]
fn unicode_and_reserved_characters_give_oauthlibs_base_string() -> Result<(), OAuthError> {
    let body = signed!(
        "&lis_person_name_full=Zo%C3%AB+%C3%85ngstr%C3%B6m&custom_tricky=a%2Bb%26c%3Dd%25e+f~g&custom_%C3%BCn%C3%AF=%E2%9C%93",
        "tbYm2dX8YI%2FGml8v0oIPIxBD05A%3D"
    );
    assert!(check(URL, body, None, SECRET).is_ok());
    let form = form(body);
    let req = SignedRequest {
        method: "POST",
        url: URL,
        form: &form,
        authorization: None,
    };
    let (_, params, _) = collect_params(&req)?;
    let base = base_string("POST", URL, &params)?;
    assert_eq!(
        base,
        concat!(
            "POST&https%3A%2F%2Ftool.example%2Flti%2Flaunch&custom_%25C3%25BCn%25C3%25AF%3D%25E2%259C%2593",
            "%26custom_course%3DBelt%2520101%26custom_tricky%3Da%252Bb%2526c%253Dd%2525e%2520f~g",
            "%26lis_outcome_service_url%3Dhttps%253A%252F%252Flms.example%252Foutcomes%253Fx%253D1",
            "%26lis_person_name_full%3DZo%25C3%25AB%2520%25C3%2585ngstr%25C3%25B6m",
            "%26lis_result_sourcedid%3Dsrc%253A1%257C2%26lti_message_type%3Dbasic-lti-launch-request",
            "%26lti_version%3DLTI-1p0%26oauth_consumer_key%3Dlms-key%26oauth_nonce%3D1700000000n0nce",
            "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0",
            "%26resource_link_id%3Drl-42%26roles%3DLearner%252Curn%253Alti%253Arole%253Aims%252Flis%252FInstructor",
            "%26user_id%3Du-7"
        )
    );
    assert_eq!(sign(&base, SECRET, ""), "tbYm2dX8YI/Gml8v0oIPIxBD05A=");
    Ok(())
}

#[test]
fn authorization_header_signature_verifies() {
    // SIGNATURE_TYPE_AUTH_HEADER, realm="Example, Inc" (a comma inside the quotes).
    let header = concat!(
        r#"OAuth realm="Example, Inc", oauth_nonce="1700000000n0nce", oauth_timestamp="1700000000", "#,
        r#"oauth_version="1.0", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="lms-key", "#,
        r#"oauth_signature="SFtVjDu1pfk2ICZedBjbsLSBmao%3D""#
    );
    let url = "https://tool.example/lti/launch?tenant=a";
    assert!(check(url, launch!(""), Some(header), SECRET).is_ok());
    let twice = check(url, PLAIN, Some(header), SECRET);
    assert_eq!(
        twice.err(),
        Some(OAuthError::Duplicate("oauth_consumer_key"))
    );
}

#[test]
fn rfc5849_example_base_string_matches_literally() -> Result<(), OAuthError> {
    // RFC 5849 §3.4.1.1: query, body and header parameters together.
    let form = vec![
        ("c2".to_owned(), String::new()),
        ("a3".to_owned(), "2 q".to_owned()),
    ];
    let url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b";
    let header = concat!(
        r#"OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", "#,
        r#"oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", "#,
        r#"oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D""#
    );
    let req = SignedRequest {
        method: "POST",
        url,
        form: &form,
        authorization: Some(header),
    };
    let (_, params, presented) = collect_params(&req)?;
    assert_eq!(presented, "bYT5CMsGcbgUdFHObYMEfcx6bsw=");
    assert_eq!(
        base_string("POST", url, &params)?,
        concat!(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q",
            "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_",
            "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m",
            "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk",
            "9d7dh3k39sjv7"
        )
    );
    Ok(())
}

#[test]
fn tampered_value_is_rejected() {
    let tampered = PLAIN.replace("user_id=u-7", "user_id=u-8");
    assert_eq!(
        check(URL, &tampered, None, SECRET).err(),
        Some(OAuthError::BadSignature)
    );
}

#[test]
fn wrong_secret_is_rejected() {
    assert_eq!(
        check(URL, PLAIN, None, "s3cret!").err(),
        Some(OAuthError::BadSignature)
    );
}

#[test]
fn missing_nonce_is_reported_by_name() {
    let body = PLAIN.replace("&oauth_nonce=1700000000n0nce", "");
    assert_eq!(
        check(URL, &body, None, SECRET).err(),
        Some(OAuthError::Missing("oauth_nonce"))
    );
}

#[test]
fn rsa_sha1_is_unsupported() {
    let body = PLAIN.replace("HMAC-SHA1", "RSA-SHA1");
    let err = check(URL, &body, None, SECRET).err();
    assert_eq!(
        err,
        Some(OAuthError::UnsupportedMethod("RSA-SHA1".to_owned()))
    );
}

#[test]
fn a_signature_differing_in_one_character_is_rejected() {
    let good = "4kPXWK0BHhamQTGKk8oVFFy2FB4=";
    for (i, c) in good.char_indices().filter(|&(_, c)| c != '=') {
        let other = if c == 'A' { "B" } else { "A" };
        let bad = format!("{}{other}{}", &good[..i], &good[i + 1..]);
        let body = PLAIN.replace("4kPXWK0BHhamQTGKk8oVFFy2FB4%3D", &bad.replace('/', "%2F"));
        assert_eq!(
            check(URL, &body, None, SECRET).err(),
            Some(OAuthError::BadSignature),
            "{bad}"
        );
    }
}

#[test]
fn version_and_timestamp_are_checked() {
    let v = PLAIN.replace("oauth_version=1.0", "oauth_version=2.0");
    assert_eq!(
        check(URL, &v, None, SECRET).err(),
        Some(OAuthError::BadVersion("2.0".to_owned()))
    );
    let t = PLAIN.replace(
        "oauth_timestamp=1700000000",
        "oauth_timestamp=%2B1700000000",
    );
    let err = check(URL, &t, None, SECRET).err();
    assert_eq!(
        err,
        Some(OAuthError::BadTimestamp("+1700000000".to_owned()))
    );
}

#[test]
fn body_hash_is_base64_sha1_of_the_raw_body() {
    // printf %s DATA | openssl sha1 -binary | base64
    assert_eq!(body_hash(b"Hello World!"), "Lve95gjOVATpfV8EL5X4nxwjKHE=");
    assert_eq!(body_hash(b""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
}

#[test]
fn a_signed_authorization_header_verifies_with_the_same_secret() {
    let url = "https://lms.example/outcomes?type=grade&x=a%20b";
    let body = b"<xml/>";
    let header = authorization_header(
        "POST",
        url,
        "lms-key",
        SECRET,
        body,
        "n0nce1234",
        1_700_000_000,
    )
    .unwrap();
    assert!(header.starts_with("OAuth realm=\"\", oauth_body_hash=\""));
    let request = SignedRequest {
        method: "POST",
        url,
        form: &[],
        authorization: Some(&header),
    };
    let params = verify(&request, SECRET).unwrap();
    assert_eq!(params.consumer_key, "lms-key");
    assert_eq!(params.timestamp, 1_700_000_000);
    let (_, all, _) = collect_params(&request).unwrap();
    let hash = all.iter().find(|(k, _)| k == "oauth_body_hash").unwrap();
    assert_eq!(hash.1, body_hash(body));
    assert_eq!(
        verify(&request, "other-secret").err(),
        Some(OAuthError::BadSignature)
    );
}
