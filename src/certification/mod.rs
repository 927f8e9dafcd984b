//! The certification engine: a program of ordered belts (`program`), earned from
//! statements and standings as they are stored (`engine`, a write-time participant),
//! held as awards that expire and renew (`awards`), with evidence and its review
//! (`evidence`), and an audit log of every change (`audit`).

pub mod api;
pub mod audit;
pub mod awards;
pub mod engine;
pub mod evidence;
pub mod learners;
pub mod program;
pub mod reviewers;
