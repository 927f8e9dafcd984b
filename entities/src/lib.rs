//! Black Belt's database schema: sea-orm entities (one file per table, no behaviour)
//! and the migrations that create them on SQLite and PostgreSQL alike.

/// Canonical Activity definitions merged from statements.
pub mod activity;
/// Statement attachment bytes, content-addressed by SHA-256.
pub mod attachment;
/// The Open Badges 3.0 credential of an award.
pub mod badge_credential;
/// Open Badges issuer signing keys.
pub mod badge_key;
/// Package file bytes, content-addressed by SHA-256.
pub mod blob;
/// The certification audit log.
pub mod cert_audit;
/// Belts held or once held (active, expired, revoked).
pub mod cert_award;
/// Evidence submitted for belts, and its review.
pub mod cert_evidence;
/// People who can hold belts, with their attributes.
pub mod cert_learner;
/// Other IFIs of a learner.
pub mod cert_learner_alias;
/// The words the console's learner search finds a learner by.
pub mod cert_learner_term;
/// Imported versions of certification programs (belts and their requirements).
pub mod cert_program;
/// Who may review evidence of a belt.
pub mod cert_reviewer;
/// Company variables set in the console (override the `[company]` configuration).
pub mod company_setting;
/// Single-use handoffs from an LTI launch to a console session.
pub mod console_lti_handoff;
/// Console sessions (server-side; the cookie's token hashed).
pub mod console_session;
/// One-time links to set a console user's password.
pub mod console_setup_link;
/// Failed console sign-ins per account and per address (throttling).
pub mod console_sign_in_failure;
/// People who use the L&D console, with their roles.
pub mod console_user;
/// API credentials (HTTP Basic key + hashed secret) with their xAPI scopes.
pub mod credential;
/// A counter bumped by every revocation, so other processes notice (SQLite).
pub mod credential_revision;
/// State, Activity Profile and Agent Profile documents.
pub mod document;
/// cmi5 AU launch sessions: fetch code, auth token, lifecycle.
pub mod launch_session;
/// Single-use codes that open a learner's home.
pub mod learn_handoff;
/// Learners' sessions on their home (`/learn`).
pub mod learn_session;
/// LTI contexts (courses) with an NRPS roster service, and their sync job.
pub mod lti_context;
/// The members of an LTI context, as its last NRPS roster listed them.
pub mod lti_context_member;
/// The tool's LTI signing keys (current and retired-but-published).
pub mod lti_key;
/// LTI 1.3 platform registrations, with their cached JWKS.
pub mod lti_platform;
/// Schema migrations, run at start-up and by `blackbelt migrate`.
pub mod migration;
/// Imported content package versions (cmi5 / tincan.xml courses).
pub mod package;
/// The files of a package version.
pub mod package_file;
/// Gradebook columns found or created in a line item container, with the creator's lease.
pub mod passback_lineitem;
/// Passback outbox rows: standings to report to the LMS.
pub mod passback_message;
/// Passback channels to the LMS (AGS gradebook cell or LTI 1.1 outcome row) per AU.
pub mod passback_target;
/// A learner's progress per registration and AU, block or course (a projection of statements).
pub mod progress;
/// cmi5 registrations: one per learner and course.
pub mod registration;
/// Random keys shared by every instance (cursor signing).
pub mod server_secret;
/// One row per stored xAPI statement: the JSON once, plus voiding bookkeeping.
pub mod statement;
/// Query keys of statements (agents, activities, verb, registration) in stored order.
pub mod statement_index;
/// Statements whose object is a StatementRef, by target id.
pub mod statement_ref;
/// One value of an anonymous survey answer, under a random respondent id and a date.
pub mod survey_answer;
/// That a (survey, registration) has answered, as a keyed hash; no link to the answers.
pub mod survey_respondent;
