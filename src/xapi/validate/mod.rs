//! Statement validation: every rule of the xAPI data model, checked on the raw JSON so
//! that each rejection names the JSON path and the rule it broke.

mod activity;
mod agent;
mod context;
mod error;
mod json;
mod json_text;
mod path;
mod primitives;
mod result;
mod statement;
pub mod time;

pub use agent::agent_or_group;
pub use error::ValidationError;
pub use json_text::{parse_stored, parse_unique};
pub use path::JsonPath;
pub use primitives::{is_absolute_iri, is_uuid};
pub use statement::{VOIDED_VERB, statement};
