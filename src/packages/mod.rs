//! Learning content: cmi5 (and tincan.xml) packages, imported into the database and
//! served to learners' browsers.

pub mod assets;
pub mod batch;
pub mod catalog;
pub mod catalog_api;
pub mod digest;
pub mod discover;
pub mod import;
pub mod manifest;
pub mod retire;
pub mod runtime;
pub mod source;
pub mod store;
pub mod upload;
pub mod validate;
