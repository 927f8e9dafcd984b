//! Belts as Open Badges 3.0 credentials (1EdTech OB 3.0, a W3C Verifiable Credential,
//! Data Model 2.0). Every award of the certification engine has one credential
//! (`store`), built from the award, its belt and the issuer (`credential`), signed two
//! ways — VC-JWT ES256 (`jwt`) and Data Integrity `eddsa-rdfc-2022` (`integrity`) — with
//! keys sealed at rest (`keys`). Revocation is a bit in a signed Bitstring Status List
//! (`status_list`); the image is an SVG per belt with the credential baked in (`svg`).
//! Credentials are signed when first asked for and again when their award changes
//! (renewal), never in the statement's transaction (`issue`).

pub mod achievement;
pub mod api;
pub mod credential;
pub mod criteria;
pub mod identity;
pub mod integrity;
pub mod issue;
pub mod issuer;
pub mod jwt;
pub mod keys;
pub mod page;
pub mod status;
pub mod status_list;
pub mod store;
pub mod svg;
pub mod throttle;

pub use issuer::{Issuer, Urls};
