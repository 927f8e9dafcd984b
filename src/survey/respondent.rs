//! The "has answered" marker: HMAC-SHA256 of (survey id, registration), keyed by a
//! server secret made on first use. Without the key the marker cannot be recomputed
//! from a registration, and a registration's markers for two surveys differ, so they
//! cannot be matched with each other either.

use std::sync::Arc;

use aws_lc_rs::hmac;
use tokio::sync::OnceCell;

use crate::db::Db;
use crate::error::Error;

/// The `server_secrets` name of the key.
pub const SECRET_NAME: &str = "survey-respondent-marker";

/// The key, loaded (or made) on first use and then kept.
#[derive(Clone, Default)]
pub struct MarkerKey(Arc<OnceCell<hmac::Key>>);

impl MarkerKey {
    /// The marker of `registration` having answered `survey_id`, as hex.
    pub async fn marker(
        &self,
        db: &Db,
        survey_id: &str,
        registration: &str,
    ) -> Result<String, Error> {
        let key = self
            .0
            .get_or_try_init(|| async {
                let secret = crate::db::secrets::get_or_create(db, SECRET_NAME, 32).await?;
                Ok::<_, Error>(hmac::Key::new(hmac::HMAC_SHA256, &secret))
            })
            .await?;
        Ok(marker_with(key, survey_id, registration))
    }
}

fn marker_with(key: &hmac::Key, survey_id: &str, registration: &str) -> String {
    // A NUL cannot occur in an IRI, so (survey, registration) pairs cannot collide.
    let message = format!("{survey_id}\u{0}{registration}");
    hex::encode(hmac::sign(key, message.as_bytes()))
}

/// Today's date in UTC, `YYYY-MM-DD`: all the time an answer carries.
pub fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_depend_on_key_survey_and_registration() {
        let a = hmac::Key::new(hmac::HMAC_SHA256, b"key a");
        let b = hmac::Key::new(hmac::HMAC_SHA256, b"key b");
        let reg = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let m = marker_with(&a, "urn:s1", reg);
        assert_eq!(m.len(), 64);
        assert_eq!(m, marker_with(&a, "urn:s1", reg));
        assert_ne!(m, marker_with(&b, "urn:s1", reg));
        assert_ne!(m, marker_with(&a, "urn:s2", reg));
        assert!(!m.contains(&reg.replace('-', "")));
    }

    #[test]
    fn the_date_has_no_time() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert_eq!(d.matches('-').count(), 2);
    }
}
