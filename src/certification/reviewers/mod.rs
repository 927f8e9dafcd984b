//! Who may review a belt's evidence besides administrators: credentials
//! (`credential:<id>`), learners (`learner:<learner_key>`) and console users
//! (`console:<username>`, the console's audit actor), per belt.

pub mod store;

use sea_orm::ConnectionTrait;

use crate::error::Error;

/// Who is acting on certification data, and as what.
#[derive(Debug, Clone)]
pub struct Who {
    /// The audit actor: `credential:<id>`, `learner:<key>`, `console:<user>`.
    pub actor: String,
    /// An administrator (the `admin` scope, or the console).
    pub admin: bool,
    /// The learner acting through their own launch token.
    pub learner: Option<String>,
}

impl Who {
    /// The reviewer keys this caller could be listed under.
    pub fn reviewer_keys(&self) -> Vec<String> {
        match &self.learner {
            Some(learner) => vec![format!("learner:{learner}")],
            None => vec![self.actor.clone()],
        }
    }

    /// Administrators review every belt; others the belts they are listed for.
    pub async fn reviews(&self, conn: &impl ConnectionTrait, belt_id: &str) -> Result<bool, Error> {
        if self.admin {
            return Ok(true);
        }
        Ok(store::belts_of(conn, &self.reviewer_keys())
            .await?
            .iter()
            .any(|b| b == belt_id))
    }

    /// The belts this caller reviews: `None` for every belt (an administrator).
    pub async fn reviewed_belts(
        &self,
        conn: &impl ConnectionTrait,
    ) -> Result<Option<Vec<String>>, Error> {
        if self.admin {
            return Ok(None);
        }
        Ok(Some(store::belts_of(conn, &self.reviewer_keys()).await?))
    }
}

/// A reviewer key, checked: `credential:<id>`, `learner:<learner_key>` or
/// `console:<username>`.
pub fn check_key(key: &str) -> Result<(), crate::error::Error> {
    let ok = match key.split_once(':') {
        Some(("credential", id)) => id.parse::<i64>().is_ok_and(|id| id > 0),
        Some(("learner", learner)) => !learner.trim().is_empty() && learner.len() <= 512,
        Some(("console", user)) => {
            !user.is_empty() && user.len() <= 100 && !user.chars().any(char::is_whitespace)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(crate::error::Error::BadRequest(format!(
            "path segment `reviewer_key` must be `credential:<credential id>`, \
             `learner:<learner key>` or `console:<username>`; got {key:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewer_keys_name_a_credential_or_a_learner() {
        assert!(check_key("credential:12").is_ok());
        assert!(check_key("learner:account:https://lms.example|ada").is_ok());
        assert!(check_key("console:grace").is_ok());
        assert!(check_key("console:").is_err());
        assert!(check_key("credential:x").is_err());
        assert!(check_key("someone").is_err());
    }
}
