//! Course structure manifests: `cmi5.xml` (cmi5 13.0) and `tincan.xml`, both parsed
//! and validated into one [`Course`] model, which is what gets stored and launched.

pub mod au_url;
mod cmi5;
mod model;
mod sequence;
mod tincan;
mod xml;

pub use cmi5::parse_cmi5;
pub use model::{Au, Block, Course, Format, LangString, LaunchMethod, ManifestError, MoveOn, Node};
pub use tincan::parse_tincan;
