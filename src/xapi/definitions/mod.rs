//! The Activities and Agents resources: what the LRS knows about an activity (its
//! canonical definition, merged from statements) and about an agent (a Person object).

pub mod api;
pub mod canonical;
mod person;
