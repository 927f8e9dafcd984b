//! The program file: its model, its validation and its stored versions.

pub mod model;
pub mod store;
