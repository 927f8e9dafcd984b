//! The badges over HTTP: the public Open Badges resources every credential links to
//! (`public_api`), a learner's own credentials with their launch token (`learner_api`),
//! and administrators' operations (`admin_api`), with their shared JSON (`views`),
//! content negotiation (`negotiate`) and documents (`documents`).

pub mod admin_api;
pub mod documents;
pub mod learner_api;
pub mod negotiate;
pub mod operations;
pub mod public_api;
pub mod queries;
pub mod views;
