//! The program file: its model, its validation and its stored versions.
//!
//! A file goes through `parse` (TOML syntax, then the JSON Schema, then the model),
//! `validate` (the rules a schema cannot say: unique ids, cycles, requirements that
//! can never be met, references to imported AUs and courses, ids reused with another
//! meaning) and `store::import` (a new version when the content changed).

pub mod api;
pub mod cli;
pub mod import;
pub mod model;
pub mod parse;
pub mod problem;
pub mod schema;
pub mod store;
pub mod summary;
pub mod upload;
pub mod validate;
