//! Evidence for a belt's evidence requirements: what a learner submits (text, a link or
//! a file), the rules it must meet, and its review (pending → approved / rejected, or
//! withdrawn by the learner).

pub mod file;
pub mod review;
pub mod store;
pub mod submission;
