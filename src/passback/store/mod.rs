//! The outbox rows: targets upserted at launch, messages enqueued in the transaction
//! that changed a standing, claimed with leases (fenced by `lease_epoch`) and finished
//! by the dispatcher; read, retried and pruned by operators. Free functions over
//! `&impl ConnectionTrait` where they run inside a caller's transaction; those that
//! write on their own take the `Db` and its write gate.

/// Leased claiming of due messages.
mod claim;
/// Pending messages from standing changes, coalesced per target.
mod enqueue;
/// Recording attempt outcomes under the lease.
mod finish;
/// Operators' reads: messages with their target, counts by state.
mod inspect;
/// Deleting finished messages after their keep time.
mod prune;
/// Sending a failed message again.
mod retry;
/// Channels to the LMS, one per gradebook cell or outcome row.
mod targets;

pub use claim::{Leased, claim};
pub use enqueue::{due_us, enqueue, enqueue_changes, payload_for};
pub use finish::{Finished, finish};
pub use inspect::{Entry, STATES, counts, get, list};
pub use prune::{PRUNE_BATCH, Pruned, prune};
pub use retry::{Retried, retry, retry_in};
pub use targets::{CLAIM, FOUND, NewTarget, targets_of, upsert_target};
