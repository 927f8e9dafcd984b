//! Why an LTI request was refused: a stable code for support, a message a person can
//! act on, and the HTTP status.

use crate::error::Error;
use crate::lti::id_token::LtiError;

#[derive(Debug)]
pub struct Failure {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<LtiError> for Failure {
    fn from(err: LtiError) -> Failure {
        Failure::new(401, err.code(), err.to_string())
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        match err {
            Error::NotFound(m) => Failure::new(400, "not_registered", m),
            Error::BadRequest(m) => Failure::new(400, "bad_request", m),
            Error::Conflict(m) => Failure::new(409, "conflict", m),
            Error::BadGateway(m) => Failure::new(502, "platform_unreachable", m),
            other => {
                tracing::error!(error = %other, "LTI request failed");
                Failure::new(500, "internal", "internal error; see the server log")
            }
        }
    }
}

impl From<sea_orm::DbErr> for Failure {
    fn from(err: sea_orm::DbErr) -> Failure {
        Failure::from(Error::Db(err))
    }
}
