//! The outbox's place in the write-time seam, after progress: every change of an AU's
//! standing that the LMS would see becomes a pending message of each of its targets,
//! in the statement's transaction (a refused or rolled-back batch sends nothing).

use std::time::Duration;

use sea_orm::DatabaseTransaction;

use super::store;
use crate::error::Error;
use crate::launch::projection::StandingChanges;
use crate::xapi::statements::participant::{BatchContext, Step, WriteParticipant};
use crate::xapi::statements::prepare::PreparedStatement;

/// Enqueues passback messages for the standing changes progress left in the batch.
pub struct Outbox {
    /// How long a message is tried before it fails.
    pub max_age: Duration,
}

impl WriteParticipant for Outbox {
    fn project<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        ctx: &'a BatchContext<'a>,
        _fresh: &'a [&'a PreparedStatement],
    ) -> Step<'a> {
        Box::pin(async move {
            // Taken, not copied: a later call on the same context must not send them twice.
            let changes = ctx
                .scratch
                .lock()
                .map_err(|_| Error::Internal("scratch lock poisoned".into()))?
                .remove::<StandingChanges>();
            if let Some(StandingChanges(changes)) = changes {
                store::enqueue_changes(txn, &changes, self.max_age).await?;
            }
            Ok(())
        })
    }
}
