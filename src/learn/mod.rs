//! The learner's side of issue 20: company variables (configuration and console), the
//! AU runtime's `/api/learn/*`, and the learner's home `/learn` (belts, progress, what
//! to take next, the catalog for their audience with a launch button per AU).

pub mod access;
pub mod api;
pub mod catalog;
pub mod company;
pub mod company_store;
pub mod home;
pub mod summary;
pub mod words;
