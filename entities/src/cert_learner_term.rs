use sea_orm::entity::prelude::*;

/// The words a learner is found by in the console's search (lower-case): each word of
/// the name, the email with its local part, domain and the local part's words, the
/// learner key and its account name (and its words) or address. A search word matches a learner when it is the start of
/// one of their terms, read as one index range.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cert_learner_terms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub term: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub learner_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Terms longer than this are cut (a search word is at most 200 characters too).
const MAX_TERM_CHARS: usize = 200;

/// The terms of a learner. The one rule for the migration that fills the table from the
/// learners already known and for the write path that adds new learners: both must
/// agree, so it lives beside the table rather than in either of them.
pub fn terms_of(learner_key: &str, name: Option<&str>, email: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let words = |text: &str, out: &mut Vec<String>| {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if !word.is_empty() {
                out.push(word.to_lowercase());
            }
        }
    };
    if let Some(name) = name {
        words(name, &mut out);
    }
    if let Some(email) = email {
        let email = email
            .strip_prefix("mailto:")
            .unwrap_or(email)
            .to_lowercase();
        if let Some((local, domain)) = email.split_once('@') {
            out.push(local.to_owned());
            out.push(domain.to_owned());
            words(local, &mut out);
        }
        out.push(email);
    }
    let key = learner_key.to_lowercase();
    if let Some((_, account)) = key.rsplit_once('|') {
        out.push(account.to_owned());
        words(account, &mut out);
    } else if let Some(address) = key.strip_prefix("mbox:mailto:") {
        out.push(address.to_owned());
    }
    out.push(key);
    for term in &mut out {
        if term.chars().count() > MAX_TERM_CHARS {
            *term = term.chars().take(MAX_TERM_CHARS).collect();
        }
    }
    out.retain(|t| !t.is_empty());
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_emails_and_keys_give_their_words_in_lower_case() {
        let terms = terms_of(
            "mbox:mailto:Ada.L@Example.com",
            Some("Ada Lovelace-Byron"),
            Some("mailto:Ada.L@Example.com"),
        );
        for t in [
            "ada",
            "lovelace",
            "byron",
            "ada.l",
            "l",
            "example.com",
            "ada.l@example.com",
            "mbox:mailto:ada.l@example.com",
        ] {
            assert!(terms.contains(&t.to_owned()), "{t} missing from {terms:?}");
        }
    }

    #[test]
    fn an_account_key_gives_its_account_name() {
        let terms = terms_of("account:https://lms.example.com|U42", None, None);
        assert_eq!(terms, vec!["account:https://lms.example.com|u42", "u42"]);
    }
}
