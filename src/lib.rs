//! Black Belt: an xAPI LRS, LTI tool provider and certification engine in one server.

/// `App::build(Config)`: database, migrations and the HTTP endpoint.
pub mod app;
/// Authentication (HTTP Basic credentials) and xAPI scopes.
pub mod auth;
/// Belts as Open Badges 3.0 credentials: issuer keys, signing (VC-JWT and Data
/// Integrity), status lists, baked images, public endpoints and the verification page.
pub mod badges;
/// `blackbelt badges …`: credentials and the issuer's keys at the console.
pub mod badges_cli;
/// The certification engine: programs, belts, awards, evidence, audit.
pub mod certification;
/// `blackbelt belts …` and `blackbelt evidence …`: manual certification operations.
pub mod certification_cli;
/// The command line: `serve`, `migrate`, `credentials`, `openapi`.
pub mod cli;
/// Domain error text in the CLI's words: flags and commands, not JSON paths and routes.
pub mod cli_words;
/// Configuration from defaults, file and environment.
pub mod config;
/// The L&D console: server-rendered pages at `/console` (sign-in, roles, learners,
/// belts, evidence review, awards, statements, administration).
pub mod console;
/// `packages` and `launch` commands.
pub mod content_cli;
/// Secrets at rest: AES-256-GCM sealing of secrets stored in the database.
pub mod crypto;
/// Database connections and the SQLite write gate.
pub mod db;
/// The domain error and its HTTP mapping.
pub mod error;
/// cmi5 launches: registrations, sessions, auth tokens, statement rules, progress.
pub mod launch;
/// The learner's side: company variables, the AU runtime's `/api/learn/*` and the
/// learner's home page `/learn`.
pub mod learn;
/// LTI 1.3 and 1.1 tool provider.
pub mod lti;
/// `lti` commands.
pub mod lti_cli;
/// The combined OpenAPI service and its tags.
pub mod openapi;
/// Health, readiness and metrics.
pub mod ops;
/// Calls to other servers: one client with an address filter, size cap and timeouts.
pub mod outbound;
/// Learning content packages: manifests, import, catalog, assets.
pub mod packages;
/// Progress going back to the LMS: the passback outbox and its deliverers.
pub mod passback;
/// `blackbelt passback list|retry`.
pub mod passback_cli;
/// `blackbelt program reevaluate`: belts re-derived after a program change.
pub mod reevaluate_cli;
/// NRPS rosters: LTI contexts and their members, synced from the platform.
pub mod roster;
/// `blackbelt lti contexts|members|sync`: NRPS rosters from the shell.
pub mod roster_cli;
/// The HTTP edge: connection limits and deadlines, bounded bodies, response headers.
pub mod server;
/// `blackbelt registrations waive`, `blackbelt sessions abandon`.
pub mod session_cli;
/// A small SQL text builder shared by the hand-written hot queries.
pub mod sql;
/// Anonymous surveys: responses apart from the learner, checked against the AU's page,
/// reported in aggregate.
pub mod survey;
/// Logging setup.
pub mod telemetry;
/// `blackbelt users …`: console users (create, list, disable, reset a password).
pub mod users_cli;
/// HTML pages that are not API: the API explorer.
pub mod web;
/// The xAPI Learning Record Store.
pub mod xapi;
