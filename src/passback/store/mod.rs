//! The outbox rows: targets upserted at launch, messages enqueued in the transaction
//! that changed a standing, claimed with leases (fenced by `lease_epoch`) and finished
//! by the dispatcher. Free functions over `&impl ConnectionTrait` where they run inside
//! a caller's transaction; `claim` and `finish` open their own.

/// Leased claiming of due messages.
mod claim;
/// Pending messages from standing changes, coalesced per target.
mod enqueue;
/// Recording attempt outcomes under the lease.
mod finish;
/// Channels to the LMS, one per gradebook cell or outcome row.
mod targets;

pub use claim::{Leased, claim};
pub use enqueue::{due_us, enqueue, enqueue_changes, payload_for};
pub use finish::{Finished, finish};
pub use targets::{NewTarget, targets_of, upsert_target};
