//! One integration-test binary: the real app on a fresh database per test (SQLite, or
//! PostgreSQL when TEST_DATABASE_URL is set).

// Tests fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alternate;
mod attachments;
mod auth;
mod cert_awards;
mod cert_cli;
mod cert_evidence;
mod cert_fixture;
mod certification_engine;
mod certification_lti;
mod certification_race;
mod certification_support;
mod certification_time;
mod cli;
mod cli_launch;
mod client_libraries;
mod cmi5_runtime;
mod content;
mod definitions;
mod documents;
mod durability;
mod durability_kill;
mod edge_bodies;
mod edge_connections;
mod edge_headers;
mod helpers;
mod launches;
mod layers;
mod lti;
mod lti11;
mod lti_dynamic;
mod lti_limits;
mod lti_platform;
mod lti_service_token;
mod messages;
mod nrps;
mod nrps_cli;
mod nrps_platform;
mod ops;
mod outbound;
mod packages;
mod packages_xml;
mod passback;
mod passback_admin;
mod passback_ags;
mod passback_e2e;
mod passback_faults;
mod passback_lti11;
mod passback_ops;
#[path = "../support/pg_drop.rs"]
mod pg_drop;
mod program;
mod retirement;
mod scope_matrix;
mod secrets_at_rest;
mod signed;
mod statements_cursor;
mod statements_fidelity;
mod statements_group_commit;
mod statements_query;
mod statements_validation;
mod statements_voiding;
mod statements_write;
