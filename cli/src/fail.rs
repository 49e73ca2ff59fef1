//! Why a command failed, and the exit code that says so (`out::failure` prints it).
//!
//! - 1: the token or JWS was rejected (malformed, bad signature, no key for its `kid`/`alg`,
//!   a claim that fails validation), or a lookup found nothing (`jwks select`);
//! - 2: the input given to the tool is unusable: bad arguments, an unreadable file, a key file
//!   that is not a usable key, claims or a header that are not a JSON object, keys that
//!   cannot be fetched (`verify --jwks-uri`/`--issuer`).

use std::fmt;
use std::process::ExitCode;

use jose_ring::Error;

/// A failed command.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The token or JWS was rejected by the library: exit 1.
    Rejected(Error),
    /// No key verified the token or JWS (`Error::NoKey`): exit 1, with notes on the keys left
    /// out of the set, one of which may have been the key meant.
    Unkeyed(Error, Vec<String>),
    /// Rejected by this tool (a JWS JSON serialization it cannot read, `jwks select` finding no key): exit 1, with this message.
    Failed(String),
    /// The input given to the tool is unusable: exit 2, with this message.
    Usage(String),
}

impl Failure {
    /// A usage failure: `context: error`.
    pub(crate) fn usage(context: impl fmt::Display, error: impl fmt::Display) -> Self {
        Self::Usage(format!("{context}: {error}"))
    }

    /// A failure to sign: the input was unusable (2, `context: error`), unless the signer
    /// itself failed (1).
    pub(crate) fn signing(context: &str, error: Error) -> Self {
        match error {
            Error::SigningFailed => Self::Rejected(error),
            other => Self::usage(context, other),
        }
    }

    /// This failure with `notes` on the keys left out of the set, kept only when no key
    /// verified (elsewhere they would explain nothing).
    pub(crate) fn noting(self, notes: Vec<String>) -> Self {
        match self {
            Self::Rejected(error @ Error::NoKey(_)) if !notes.is_empty() => {
                Self::Unkeyed(error, notes)
            }
            other => other,
        }
    }

    /// The notes printed after the message.
    pub(crate) fn notes(&self) -> &[String] {
        match self {
            Self::Unkeyed(_, notes) => notes,
            _ => &[],
        }
    }

    /// The exit code: 1 for a rejection, 2 for unusable input.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Self::Rejected(_) | Self::Unkeyed(..) | Self::Failed(_) => ExitCode::from(1),
            Self::Usage(_) => ExitCode::from(2),
        }
    }
}

/// The message printed after `error: `.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(error) | Self::Unkeyed(error, _) => error.fmt(f),
            Self::Failed(message) | Self::Usage(message) => f.write_str(message),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Rejected(error)
    }
}
