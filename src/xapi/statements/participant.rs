//! The write-time seam: whatever reacts to stored statements (cmi5 session rules,
//! progress, belts, the passback outbox) registers here when the app is built, and the
//! writer calls each in turn inside the statement's transaction. The LRS core knows
//! none of them by name, so `src/xapi` depends on no layer above it.

use std::any::Any;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;

use super::prepare::PreparedStatement;
use crate::error::Error;

/// What authorised a request beyond its credential (a launched AU's session grant).
/// Opaque here; the participant that understands it downcasts it.
pub type WriteGrant = Arc<dyn Any + Send + Sync>;

/// One transaction's context, the same for every participant.
pub struct BatchContext<'a> {
    /// The `stored` time of this commit.
    pub stored: jiff::Timestamp,
    /// The request's grant; `None` for plain requests (and for groups of them).
    pub grant: Option<&'a WriteGrant>,
    /// Facts one participant leaves for a later one in the same transaction (progress
    /// changes for the outbox): a type map, so this module names none of them.
    pub scratch: Mutex<poem::http::Extensions>,
}

impl<'a> BatchContext<'a> {
    pub fn new(stored: jiff::Timestamp, grant: Option<&'a WriteGrant>) -> Self {
        BatchContext {
            stored,
            grant,
            scratch: Mutex::new(poem::http::Extensions::new()),
        }
    }
}

/// One step of a participant, run inside the statement transaction.
pub type Step<'a> = BoxFuture<'a, Result<(), Error>>;

/// Something that reacts to statements as they are stored. Object safe: every call runs
/// inside a `DatabaseTransaction`, and futures are boxed.
pub trait WriteParticipant: Send + Sync + 'static {
    /// Refuses the request before anything is written (cmi5 session rules). Called only
    /// for requests that commit alone (those with a grant or attachments).
    fn check<'a>(
        &'a self,
        _txn: &'a DatabaseTransaction,
        _ctx: &'a BatchContext<'a>,
        _batch: &'a [PreparedStatement],
    ) -> Step<'a> {
        Box::pin(async { Ok(()) })
    }

    /// Projects the newly stored statements (never resends) in the same transaction.
    fn project<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        ctx: &'a BatchContext<'a>,
        fresh: &'a [&'a PreparedStatement],
    ) -> Step<'a>;
}

/// The participants in the order they run: the order they were registered in.
#[derive(Clone, Default)]
pub struct Participants(Arc<[Arc<dyn WriteParticipant>]>);

impl Participants {
    pub fn new(list: Vec<Arc<dyn WriteParticipant>>) -> Participants {
        Participants(list.into())
    }

    /// Each participant's check in turn; the first refusal refuses the request.
    pub async fn check(
        &self,
        txn: &DatabaseTransaction,
        ctx: &BatchContext<'_>,
        batch: &[PreparedStatement],
    ) -> Result<(), Error> {
        for participant in self.0.iter() {
            participant.check(txn, ctx, batch).await?;
        }
        Ok(())
    }

    /// Each participant's projection in turn; an error rolls the transaction back.
    pub async fn project(
        &self,
        txn: &DatabaseTransaction,
        ctx: &BatchContext<'_>,
        fresh: &[&PreparedStatement],
    ) -> Result<(), Error> {
        if fresh.is_empty() {
            return Ok(());
        }
        for participant in self.0.iter() {
            participant.project(txn, ctx, fresh).await?;
        }
        Ok(())
    }
}
