//! Calls to other servers: one client, one set of rules (see `client`).

pub mod address;
pub mod client;

pub use client::{Answer, Outbound, OutboundError, OutboundSettings};
