//! One rule per test.
