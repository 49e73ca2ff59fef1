//! The two errors of setting up and running a command: a users file or key directory that
//! cannot be used ([`SetupError`]), and whatever stops a command ([`Fatal`]).

/// A users file or key directory that cannot be used, as one line (never key bytes or
/// password hashes).
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// A fatal error of a command, as one line for standard error.
pub type Fatal = Box<dyn std::error::Error + Send + Sync>;
