//! Who issues the credentials (the OB `Profile`) and the public URLs of everything a
//! credential names: each one dereferences to what it names (`crate::badges::api`).

use serde_json::{Value, json};

use crate::config::Config;

/// The public URLs of the issuer, its keys, achievements, credentials and status lists.
#[derive(Clone, Debug)]
pub struct Urls {
    base: String,
}

impl Urls {
    pub fn new(public_url: &str) -> Urls {
        Urls {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The issuer `Profile` (also the controller document of the Data Integrity keys).
    pub fn issuer(&self) -> String {
        format!("{}/ob/issuer", self.base)
    }

    /// The issuer's logo.
    pub fn issuer_image(&self) -> String {
        format!("{}/ob/issuer/image.svg", self.base)
    }

    /// One key: a JWK for ES256 keys (the VC-JWT `kid`), a `Multikey` document for
    /// Ed25519 keys (the Data Integrity `verificationMethod`).
    pub fn key(&self, kid: &str) -> String {
        format!("{}/ob/keys/{kid}", self.base)
    }

    /// Every ES256 public key, current and retired, as a JWK Set.
    pub fn jwks(&self) -> String {
        format!("{}/ob/jwks.json", self.base)
    }

    pub fn achievement(&self, program: &str, belt: &str) -> String {
        format!("{}/ob/achievements/{program}/{belt}", self.base)
    }

    /// The belt's image (not baked).
    pub fn achievement_image(&self, program: &str, belt: &str) -> String {
        format!("{}/ob/achievements/{program}/{belt}/image.svg", self.base)
    }

    /// The credential's `id`: JSON with its proof, or the VC-JWT by `Accept`.
    pub fn credential(&self, id: &str) -> String {
        format!("{}/ob/credentials/{id}", self.base)
    }

    /// The belt's image with this credential baked in.
    pub fn baked(&self, id: &str) -> String {
        format!("{}/ob/credentials/{id}/badge.svg", self.base)
    }

    /// The page for people.
    pub fn verify_page(&self, id: &str) -> String {
        format!("{}/verify/{id}", self.base)
    }

    /// A status list credential.
    pub fn status_list(&self, list: i32) -> String {
        format!("{}/ob/status/{list}", self.base)
    }
}

/// The issuer as credentials name it.
#[derive(Clone, Debug)]
pub struct Issuer {
    pub urls: Urls,
    pub name: String,
    pub url: String,
    pub email: Option<String>,
}

impl Issuer {
    pub fn from_config(config: &Config) -> Issuer {
        let urls = Urls::new(&config.public_url);
        Issuer {
            name: config.issuer_name.clone(),
            url: config
                .issuer_url
                .clone()
                .unwrap_or_else(|| config.public_url.trim_end_matches('/').to_owned()),
            email: config.issuer_email.clone(),
            urls,
        }
    }

    /// The OB `Profile` embedded in every credential.
    pub fn profile(&self) -> Value {
        let mut profile = json!({
            "id": self.urls.issuer(),
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
            "image": {"id": self.urls.issuer_image(), "type": "Image"},
        });
        if let Some(email) = &self.email {
            profile["email"] = json!(email);
        }
        profile
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_do_not_double_the_slash_of_a_public_url_ending_in_one() {
        let urls = Urls::new("https://badges.example.com/");
        assert_eq!(urls.issuer(), "https://badges.example.com/ob/issuer");
        assert_eq!(
            urls.credential("abc"),
            "https://badges.example.com/ob/credentials/abc"
        );
    }

    #[test]
    fn profile_has_the_required_id_and_type_and_an_email_only_when_configured() {
        let config = Config::default();
        let issuer = Issuer::from_config(&config);
        let profile = issuer.profile();
        assert_eq!(profile["type"], json!(["Profile"]));
        assert!(profile["id"].as_str().unwrap().ends_with("/ob/issuer"));
        assert!(profile.get("email").is_none());
    }
}
