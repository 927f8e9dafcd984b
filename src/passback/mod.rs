//! Progress going back to the LMS (LTI AGS scores, LTI 1.1 Basic Outcomes): changes of a
//! learner's standing become outbox rows in the statement's transaction, and a
//! dispatcher delivers them through the one outbound client, retrying from the rows.

pub mod backoff;
pub mod delivery;
pub mod dispatch;
pub mod launch;
pub mod participant;
pub mod score;
pub mod store;
