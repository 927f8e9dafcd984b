//! The Statements resource: validation results turned into stored rows, index keys,
//! queries and response formats.

pub mod api;
mod bulk;
mod commit;
pub(crate) mod compare;
pub mod cursor;
// `format` and `params` are read by the console's statement explorer too.
pub(crate) mod format;
pub mod index;
mod inherit;
mod json_text;
pub mod params;
pub mod participant;
pub mod prepare;
pub mod read;
pub mod service;
pub mod write;
pub mod writer;
