//! The document resources: State, Activity Profile and Agent Profile. Documents of any
//! content type, stored byte-exact, with ETags and conditional writes.

pub mod activity_profile_api;
pub mod agent_profile_api;
mod api_macro;
mod body;
mod handlers;
pub mod key;
mod merge;
pub mod participant;
mod precondition;
mod response;
pub mod service;
pub mod state_api;
pub mod store;

pub use key::agent_param;
