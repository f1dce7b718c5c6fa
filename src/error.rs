//! The core's error type: a status plus a message that says what was wrong and where.

use crate::Status;

/// An error from the core. Its [`status`](Error::status) is what fronts report (C status,
/// Python exception `.code`, JavaScript `error.code`); the message is for people and is never
/// compared by tests.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct Error {
    status: Status,
    message: String,
}

impl Error {
    /// An error with this status and message.
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Error {
            status,
            message: message.into(),
        }
    }

    /// The status this error reports.
    pub fn status(&self) -> Status {
        self.status
    }

    /// What was wrong, for people.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `Result` with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
