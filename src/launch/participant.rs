//! cmi5's place in the write-time seam: the session rules check what a launched AU
//! sends (cmi5 §9.3, §10.2.2), and progress follows every stored statement of a known
//! registration, with the `satisfied` statements the LMS owes (cmi5 §9.3.9).

use sea_orm::DatabaseTransaction;

use super::grant::LaunchGrant;
use super::projection::StandingChanges;
use super::settings::LaunchSettings;
use super::{projection, rules};
use crate::xapi::statements::participant::{BatchContext, Step, WriteParticipant};
use crate::xapi::statements::prepare::PreparedStatement;

/// Refuses what a launch token may not send in its session.
pub struct SessionRules {
    pub settings: LaunchSettings,
}

impl WriteParticipant for SessionRules {
    fn check<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        ctx: &'a BatchContext<'a>,
        batch: &'a [PreparedStatement],
    ) -> Step<'a> {
        Box::pin(async move {
            let Some(grant) = ctx.grant.and_then(|g| g.downcast_ref::<LaunchGrant>()) else {
                return Ok(());
            };
            rules::check(txn, grant, batch, self.settings.terminated_grace_us).await
        })
    }

    fn project<'a>(
        &'a self,
        _txn: &'a DatabaseTransaction,
        _ctx: &'a BatchContext<'a>,
        _fresh: &'a [&'a PreparedStatement],
    ) -> Step<'a> {
        Box::pin(async { Ok(()) })
    }
}

/// Keeps progress per registration, AU, block and course in step with the statements.
pub struct Progress {
    pub settings: LaunchSettings,
}

impl WriteParticipant for Progress {
    fn project<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        ctx: &'a BatchContext<'a>,
        fresh: &'a [&'a PreparedStatement],
    ) -> Step<'a> {
        Box::pin(async move {
            let changes =
                projection::apply(txn, fresh, ctx.stored, &self.settings.lms_authority).await?;
            if !changes.is_empty() {
                let mut scratch = ctx
                    .scratch
                    .lock()
                    .map_err(|_| crate::error::Error::Internal("scratch lock poisoned".into()))?;
                match scratch.get_mut::<StandingChanges>() {
                    Some(list) => list.0.extend(changes),
                    None => {
                        scratch.insert(StandingChanges(changes));
                    }
                }
            }
            Ok(())
        })
    }
}
