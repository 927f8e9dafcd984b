//! Console sign-in throttling per account and per client address (in the database, so
//! every instance counts together).
