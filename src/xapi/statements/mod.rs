//! The Statements resource: validation results turned into stored rows, index keys,
//! queries and response formats.

pub mod api;
mod bulk;
mod commit;
pub(crate) mod compare;
pub mod cursor;
mod format;
pub mod index;
mod inherit;
mod params;
pub mod participant;
pub mod prepare;
pub mod read;
pub mod service;
pub mod write;
pub mod writer;
