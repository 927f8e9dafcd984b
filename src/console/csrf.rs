//! CSRF tokens: derived from the session's secret token (HMAC-SHA256), so nothing more is
//! stored and a token is worthless outside its session. Every form carries it in a
//! hidden `csrf` field; every POST handler checks it first (`Viewer::check_csrf`).

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const PURPOSE: &[u8] = b"blackbelt console csrf v1";

/// The CSRF token of the session whose cookie token is `session_token`.
pub fn token_for(session_token: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, session_token.as_bytes());
    URL_SAFE_NO_PAD.encode(hmac::sign(&key, PURPOSE).as_ref())
}

/// Whether `presented` is the session's token, compared in constant time.
pub fn matches(session_token: &str, presented: &str) -> bool {
    let expected = token_for(session_token);
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), presented.as_bytes())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_its_own_session() {
        let t = token_for("session-a");
        assert!(matches("session-a", &t));
        assert!(!matches("session-b", &t));
        assert!(!matches("session-a", ""));
        assert!(!matches("session-a", &t[1..]));
    }
}
