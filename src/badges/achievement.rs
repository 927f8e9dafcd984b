//! One OB `Achievement` per belt: id, name, description, `criteria` (a narrative made
//! from the belt's requirements, `criteria.rs`), image, `achievementType:
//! "Certification"` (time-limited, revocable, renewable) and the program's tags.
//!
//! CONTRACT (helper B).

use serde_json::Value;

use super::Urls;
use crate::certification::program::model::{Belt, Program};

/// The belt's `Achievement`, as embedded in its credentials and served at its id.
pub fn achievement(urls: &Urls, program: &Program, belt: &Belt) -> Value {
    let _ = (urls, program, belt);
    todo!("helper B")
}
