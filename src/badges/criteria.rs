//! The `criteria.narrative` of a belt (Markdown), written from its requirements so a
//! reader outside the company learns what the holder did: modules passed with their
//! minimum scores, statement patterns with counts and windows, evidence reviewed, the
//! belt below, validity and recertification.
//!
//! CONTRACT (helper B).

use crate::certification::program::model::{Belt, Program};

pub fn narrative(program: &Program, belt: &Belt) -> String {
    let _ = (program, belt);
    todo!("helper B")
}
