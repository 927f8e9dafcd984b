//! The learner registry: people who can hold belts, keyed like statements' actors
//! (`agent_key`), with the other IFIs they are known by (aliases) and the attributes an
//! LMS or the API gave (audience, role, org unit).

pub mod attributes;
pub mod record;
pub mod search;
pub mod store;

pub use store::{Learner, find, keys_of, resolve, upsert};
