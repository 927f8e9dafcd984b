//! Launching AUs the cmi5 way (cmi5 §8–§10): registrations, sessions, the fetch URL
//! and its narrow auth token, the cmi5 statement rules, and progress.

pub mod admin;
pub mod api;
pub mod documents;
pub mod fetch;
pub mod grant;
pub mod ids;
pub mod launch_data;
pub mod learner;
pub mod learner_prefs;
pub mod participant;
pub mod projection;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod service;
pub mod settings;
pub mod shape;
pub mod system;
pub mod token;
pub mod vocab;
