//! A credential's live status, as the verification page and the APIs show it, read from
//! its award: valid, renewed (valid, re-issued), expired (past `validUntil`), revoked.

use serde_json::Value;

use entities::cert_award;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    Valid,
    /// Valid, re-issued on recertification at `at_us`.
    Renewed {
        at_us: i64,
    },
    /// Past `validUntil` (`at_us`).
    Expired {
        at_us: i64,
    },
    Revoked {
        at_us: i64,
        reason: Option<String>,
    },
}

impl LiveStatus {
    /// `valid`, `renewed`, `expired`, `revoked`.
    pub fn name(&self) -> &'static str {
        match self {
            LiveStatus::Valid => "valid",
            LiveStatus::Renewed { .. } => "renewed",
            LiveStatus::Expired { .. } => "expired",
            LiveStatus::Revoked { .. } => "revoked",
        }
    }
}

/// The status at `now_us`: revocation wins, then expiry (the award's status, or its
/// validity over even while the belt is still in grace: the credential says
/// `validUntil`), then renewal.
pub fn live_status(award: &cert_award::Model, now_us: i64) -> LiveStatus {
    if award.status == "revoked" {
        return LiveStatus::Revoked {
            at_us: award.revoked_us.unwrap_or(award.updated_us),
            reason: award.revoked_reason.clone(),
        };
    }
    if award.status == "expired" {
        return LiveStatus::Expired {
            at_us: award
                .valid_until_us
                .or(award.expires_us)
                .unwrap_or(award.updated_us),
        };
    }
    if let Some(until) = award.valid_until_us.filter(|until| *until <= now_us) {
        return LiveStatus::Expired { at_us: until };
    }
    match last_renewal_us(award) {
        Some(at_us) => LiveStatus::Renewed { at_us },
        None => LiveStatus::Valid,
    }
}

/// When the award was last renewed (`renewals[-1].at_us`), if ever.
pub fn last_renewal_us(award: &cert_award::Model) -> Option<i64> {
    award
        .renewals
        .as_array()?
        .last()?
        .get("at_us")
        .and_then(Value::as_i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DAY: i64 = 86_400_000_000;

    fn award() -> cert_award::Model {
        cert_award::Model {
            id: 1,
            learner_key: "k".into(),
            program_id: "p".into(),
            program_version: 1,
            belt_id: "white".into(),
            status: "active".into(),
            active_key: Some("k white".into()),
            earned_us: 10 * DAY,
            valid_until_us: Some(100 * DAY),
            expires_us: Some(130 * DAY),
            evidence: json!([]),
            renewals: json!([]),
            source: "rules".into(),
            reason: None,
            awarded_by: None,
            revoked_us: None,
            revoked_reason: None,
            revoked_by: None,
            statement_id: None,
            updated_us: 10 * DAY,
        }
    }

    #[test]
    fn an_active_award_within_validity_is_valid() {
        assert_eq!(live_status(&award(), 50 * DAY), LiveStatus::Valid);
    }

    #[test]
    fn an_award_that_never_expires_stays_valid() {
        let mut a = award();
        a.valid_until_us = None;
        assert_eq!(live_status(&a, i64::MAX), LiveStatus::Valid);
    }

    #[test]
    fn a_renewed_award_reports_its_last_renewal() {
        let mut a = award();
        a.renewals = json!([{"at_us": 20 * DAY}, {"at_us": 90 * DAY}]);
        assert_eq!(
            live_status(&a, 95 * DAY),
            LiveStatus::Renewed { at_us: 90 * DAY }
        );
    }

    #[test]
    fn an_award_past_valid_until_is_expired_even_in_grace() {
        assert_eq!(
            live_status(&award(), 110 * DAY),
            LiveStatus::Expired { at_us: 100 * DAY }
        );
    }

    #[test]
    fn an_award_the_sweep_expired_is_expired() {
        let mut a = award();
        a.status = "expired".into();
        a.active_key = None;
        assert_eq!(
            live_status(&a, 50 * DAY),
            LiveStatus::Expired { at_us: 100 * DAY }
        );
    }

    #[test]
    fn revocation_wins_over_expiry_and_keeps_its_reason() {
        let mut a = award();
        a.status = "revoked".into();
        a.revoked_us = Some(60 * DAY);
        a.revoked_reason = Some("fraud".into());
        assert_eq!(
            live_status(&a, 500 * DAY),
            LiveStatus::Revoked {
                at_us: 60 * DAY,
                reason: Some("fraud".into())
            }
        );
    }
}
