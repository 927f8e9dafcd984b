//! The certification API (`/api/certification/…`): belts and their holders, awards and
//! the manual operations on them, evidence and its review, reviewers, learner
//! attributes, and the audit log. Admin scope unless an operation says otherwise.

pub mod awards_api;
pub mod belts_api;
pub mod caller;
pub mod evidence_api;
pub mod manual;
pub mod queries;
pub mod view;
