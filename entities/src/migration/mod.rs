use sea_orm_migration::prelude::*;

mod m20261122_000001_create_credentials;
mod m20261122_000002_create_statements;
mod m20261122_000003_create_statement_index;
mod m20261122_000004_create_statement_refs;
mod m20261123_000005_create_documents;
mod m20261123_000006_create_activities;
mod m20261123_000007_create_attachments;
mod m20261123_000008_create_packages;
mod m20261123_000009_create_launches;
mod m20261123_000010_create_lti;
mod m20261129_100000_create_lti_registration_links;
mod m20261129_100100_alter_lti_platforms;
mod m20261129_100200_index_lti_expiry;
mod m20261129_110000_alter_statements;
mod m20261129_110001_alter_activities;
mod m20261129_120000_create_credential_revisions;
mod m20261129_130000_create_server_secrets;
mod m20261129_150000_alter_lti_consumers;
mod m20261129_160000_alter_packages;
mod m20261130_104100_alter_launch_sessions;
mod m20261130_120000_create_passback_targets;
mod m20261130_120100_create_passback_messages;
mod m20261207_100000_alter_passback_targets;
mod m20261207_100100_alter_passback_messages;
mod m20261207_110000_create_lti_contexts;
mod m20261207_110100_create_lti_context_members;
mod m20261207_120000_create_passback_lineitems;
mod m20261207_140000_index_passback_messages_expiry;
mod m20261207_200000_create_cert_programs;
mod m20261207_200100_create_cert_learners;
mod m20261207_200200_create_cert_learner_aliases;
mod m20261207_200300_create_cert_awards;
mod m20261207_200400_create_cert_evidence;
mod m20261207_200500_create_cert_reviewers;
mod m20261207_200600_create_cert_audit;
mod m20261207_210000_index_cert_programs;
mod m20261214_100000_create_badge_keys;
mod m20261214_100100_create_badge_credentials;
mod m20261221_100000_create_console_users;
mod m20261221_100100_create_console_sessions;
mod m20261221_100200_create_console_setup_links;
mod m20261221_100300_create_console_sign_in_failures;
mod m20261221_100400_alter_console_users;
mod m20261221_120000_index_cert_review_lists;
mod m20261221_130000_create_console_lti_handoffs;
mod m20261221_150000_create_cert_learner_terms;
mod m20261228_100000_create_company_settings;
mod m20261228_100000_create_survey_responses;
mod m20261228_100100_create_learn_handoffs;
mod m20261228_100200_create_learn_sessions;
mod m20261229_100000_index_cert_awards_holders;
mod m20261230_100000_index_statement_pairs;

/// Every migration, oldest first. Never edit one that has shipped: add a new file.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_credentials::Migration),
            Box::new(m20261122_000002_create_statements::Migration),
            Box::new(m20261122_000003_create_statement_index::Migration),
            Box::new(m20261122_000004_create_statement_refs::Migration),
            Box::new(m20261123_000005_create_documents::Migration),
            Box::new(m20261123_000006_create_activities::Migration),
            Box::new(m20261123_000007_create_attachments::Migration),
            Box::new(m20261123_000008_create_packages::Migration),
            Box::new(m20261123_000009_create_launches::Migration),
            Box::new(m20261123_000010_create_lti::Migration),
            Box::new(m20261129_100000_create_lti_registration_links::Migration),
            Box::new(m20261129_100100_alter_lti_platforms::Migration),
            Box::new(m20261129_100200_index_lti_expiry::Migration),
            Box::new(m20261129_110000_alter_statements::Migration),
            Box::new(m20261129_110001_alter_activities::Migration),
            Box::new(m20261129_120000_create_credential_revisions::Migration),
            Box::new(m20261129_130000_create_server_secrets::Migration),
            Box::new(m20261129_150000_alter_lti_consumers::Migration),
            Box::new(m20261129_160000_alter_packages::Migration),
            Box::new(m20261130_104100_alter_launch_sessions::Migration),
            Box::new(m20261130_120000_create_passback_targets::Migration),
            Box::new(m20261130_120100_create_passback_messages::Migration),
            Box::new(m20261207_100000_alter_passback_targets::Migration),
            Box::new(m20261207_100100_alter_passback_messages::Migration),
            Box::new(m20261207_110000_create_lti_contexts::Migration),
            Box::new(m20261207_110100_create_lti_context_members::Migration),
            Box::new(m20261207_120000_create_passback_lineitems::Migration),
            Box::new(m20261207_140000_index_passback_messages_expiry::Migration),
            Box::new(m20261207_200000_create_cert_programs::Migration),
            Box::new(m20261207_200100_create_cert_learners::Migration),
            Box::new(m20261207_200200_create_cert_learner_aliases::Migration),
            Box::new(m20261207_200300_create_cert_awards::Migration),
            Box::new(m20261207_200400_create_cert_evidence::Migration),
            Box::new(m20261207_200500_create_cert_reviewers::Migration),
            Box::new(m20261207_200600_create_cert_audit::Migration),
            Box::new(m20261207_210000_index_cert_programs::Migration),
            Box::new(m20261214_100000_create_badge_keys::Migration),
            Box::new(m20261214_100100_create_badge_credentials::Migration),
            Box::new(m20261221_100000_create_console_users::Migration),
            Box::new(m20261221_100100_create_console_sessions::Migration),
            Box::new(m20261221_100200_create_console_setup_links::Migration),
            Box::new(m20261221_100300_create_console_sign_in_failures::Migration),
            Box::new(m20261221_100400_alter_console_users::Migration),
            Box::new(m20261221_120000_index_cert_review_lists::Migration),
            Box::new(m20261221_130000_create_console_lti_handoffs::Migration),
            Box::new(m20261221_150000_create_cert_learner_terms::Migration),
            Box::new(m20261228_100000_create_company_settings::Migration),
            Box::new(m20261228_100100_create_learn_handoffs::Migration),
            Box::new(m20261228_100200_create_learn_sessions::Migration),
            Box::new(m20261229_100000_index_cert_awards_holders::Migration),
            Box::new(m20261228_100000_create_survey_responses::Migration),
            Box::new(m20261230_100000_index_statement_pairs::Migration),
        ]
    }
}
