//! A console action that is an xAPI statement (voiding) commits with its audit entry:
//! the console stores the statement with an `AuditOnWrite` grant, and this write-time
//! participant writes the entry inside the statement's transaction. Without it, a crash
//! between the two would leave a voided statement with no record of who voided it.

use sea_orm::DatabaseTransaction;

use crate::certification::audit::{self, Entry};
use crate::xapi::statements::participant::{BatchContext, Step, WriteParticipant};
use crate::xapi::statements::prepare::PreparedStatement;

/// The grant a console write carries: the audit entry to record with it.
pub struct AuditOnWrite(pub Entry);

/// Records the `AuditOnWrite` entry of a write that stored something new.
pub struct WriteAudit;

impl WriteParticipant for WriteAudit {
    fn project<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        ctx: &'a BatchContext<'a>,
        fresh: &'a [&'a PreparedStatement],
    ) -> Step<'a> {
        Box::pin(async move {
            let Some(AuditOnWrite(entry)) =
                ctx.grant.and_then(|g| g.downcast_ref::<AuditOnWrite>())
            else {
                return Ok(());
            };
            if fresh.is_empty() {
                return Ok(()); // a retry of a statement already stored: already recorded
            }
            audit::record(txn, ctx.stored.as_microsecond(), entry.clone()).await?;
            Ok(())
        })
    }
}
