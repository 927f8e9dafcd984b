//! Errors from the domain code, shared by the API and the CLI, name JSON fields and API
//! routes (`learner.account.homePage`, `GET /api/courses`); a person at the shell typed
//! flags and commands. Each command rewrites the one into the other with its own table,
//! so the domain keeps one message and the shell reads its own words.

/// `(API words, CLI words)`; where one API word contains another, the longer comes first.
pub type Words = &'static [(&'static str, &'static str)];

/// `blackbelt launch`.
pub const LAUNCH: Words = &[
    ("learner.account.homePage", "--home-page"),
    ("learner.account.name", "--name"),
    ("learner.mbox", "--email"),
    (
        "GET /api/courses lists courses",
        "`blackbelt packages list` lists them",
    ),
    (
        "GET /api/courses lists the AUs",
        "`blackbelt packages list` lists them",
    ),
    ("courseId", "--course"),
    ("auId", "--au"),
    ("returnUrl", "--return-url"),
];

/// `blackbelt registrations waive`.
pub const WAIVE: Words = &[("auId", "--au"), ("reason must", "--reason must")];

/// `blackbelt lti platforms add`.
pub const PLATFORMS_ADD: Words = &[
    ("issuer", "--issuer"),
    ("clientId", "--client-id"),
    ("deploymentIds", "--deployment-id"),
    ("authLoginUrl", "--auth-login-url"),
    ("tokenUrl", "--token-url"),
    ("jwksUrl", "--jwks-url"),
];

/// `message` with each API word, where it stands as a whole word, in CLI words.
pub fn in_cli_words(message: &str, words: Words) -> String {
    words.iter().fold(message.to_owned(), |text, (api, cli)| {
        replace_word(&text, api, cli)
    })
}

fn replace_word(text: &str, from: &str, to: &str) -> String {
    let part_of_word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '/');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        out.push_str(&rest[..at]);
        // A trailing full stop ends the sentence; it is not part of the word.
        let after_is_word = after.is_some_and(|c| c != '.' && part_of_word(c));
        if before.is_some_and(part_of_word) || after_is_word {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::learner::{Learner, LearnerAccount};

    #[test]
    fn a_launch_error_names_the_flag_not_the_json_path() {
        let learner = Learner {
            account: LearnerAccount {
                home_page: "lms".into(),
                name: "ada".into(),
            },
            name: None,
            mbox: None,
        };
        let message = learner.actor().unwrap_err().to_string();
        let said = in_cli_words(&message, LAUNCH);
        assert!(said.starts_with("--home-page must be"), "{said}");
    }

    #[test]
    fn an_api_route_becomes_the_command_that_shows_the_same() {
        let said = in_cli_words(
            "auId \"x\" is not an AU of any imported course; GET /api/courses lists the AUs",
            LAUNCH,
        );
        assert_eq!(
            said,
            "--au \"x\" is not an AU of any imported course; `blackbelt packages list` lists them"
        );
    }

    #[test]
    fn words_inside_other_words_are_left_alone() {
        assert_eq!(in_cli_words("myauId x.auId", LAUNCH), "myauId x.auId");
        assert_eq!(
            in_cli_words("issuer must be an absolute http(s) URL", PLATFORMS_ADD),
            "--issuer must be an absolute http(s) URL"
        );
    }
}
