//! LTI 1.3 and LTI 1.1, tool side. Our own code on jsonwebtoken and aws-lc-rs: see
//! README, "LTI".

pub mod api;
pub mod claims;
pub mod console_link;
pub mod consumers;
pub mod deep_linking;
pub mod dynamic_registration;
pub mod failure;
pub mod form_body;
pub mod frame;
pub mod housekeeping;
pub mod id_token;
pub mod keys;
pub mod launch11;
pub mod launch13;
pub mod learn_link;
pub mod learner_launch;
pub mod login;
pub mod oauth1;
pub mod page;
pub mod platform_keys;
pub mod platforms;
pub mod registration_links;
pub mod roles;
pub mod service_token;
pub mod throttle;
