//! Calls to other servers: one client, one set of rules (see `client`).

pub mod address;
pub mod client;
pub mod link;

pub use client::{Answer, AnswerHeaders, Call, Outbound, OutboundError, OutboundSettings};
