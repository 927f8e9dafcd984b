//! Progress going back to the LMS (LTI AGS scores, LTI 1.1 Basic Outcomes): changes of a
//! learner's standing become outbox rows in the statement's transaction, and a
//! dispatcher delivers them through the one outbound client, retrying from the rows.

/// LTI AGS deliverer: score POSTs, line items found or created on the way.
pub mod ags;
/// A platform's HTTP answer → delivered, retry or failed.
pub mod answer;
/// The admin API: list messages, read one, retry a failed one.
pub mod api;
/// Retry delays: exponential, jittered, honouring `Retry-After` (pure).
pub mod backoff;
/// The contract between the dispatcher and the protocol deliverers.
pub mod delivery;
/// The dispatcher task: claim, deliver, finish; started in `App::build`.
pub mod dispatch;
/// The launch hook: targets from the LTI services, `Initialized` for a new AU.
pub mod launch;
/// AGS line items: find by resource link, AU and tag, or create.
pub mod lineitem;
/// One creator per gradebook column: the lease and the URL found or created.
pub mod lineitem_lock;
/// LTI 1.1 Basic Outcomes deliverer (`replaceResult`, OAuth body hash).
pub mod lti11;
/// Prometheus series of the outbox and its deliveries.
pub mod metrics;
/// The outbox participant of the write-time seam (after progress).
pub mod participant;
/// LTI 1.1 POX messages: the request and the answer (pure).
pub mod pox;
/// Standing → AGS score state and LTI 1.1 `resultScore` (pure).
pub mod score;
/// Outbox rows: targets, enqueue, claim with fenced leases, finish; list, retry, prune.
pub mod store;
/// The upkeep task: the state gauge and pruning of finished messages.
pub mod upkeep;
/// The operators' view of a message (admin API and CLI).
pub mod view;
