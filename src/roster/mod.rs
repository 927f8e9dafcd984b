//! NRPS rosters (LTI Names and Role Provisioning Services 2.0): the contexts whose LTI
//! 1.3 launches carried the NRPS claim, and their members, fetched by a sync task.
//!
//! A context is recorded in the launch's transaction and its sync made due there (at
//! once when new, then at most every `nrps_refresh_min_secs`); the row is the durable
//! job. A sync follows every `rel="next"` page and only then replaces the members in
//! one transaction. Members no longer on the roster are deleted, not kept as
//! `Deleted`: a full roster is the platform's complete current list (NRPS uses
//! `Deleted` in difference responses), and personal data (name, email) of people
//! who left a course should not outlive their membership. A failed sync keeps the
//! stored members.

/// The admin API: contexts, members, on-demand sync.
pub mod api;
/// One membership page: token, GET, answer → page and next link.
pub mod fetch;
/// The launch hook: the context of a launch with the NRPS claim.
pub mod launch;
/// The sync job's writes: claim with leases, renew, replace members or keep the error.
pub mod lease;
/// NRPS wire formats: the claim and a membership container page (pure).
pub mod membership;
/// Contexts and members: recorded at launch, listed, made due.
pub mod store;
/// The sync task: claim due contexts, fetch every page, record.
pub mod sync;
