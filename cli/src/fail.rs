//! Why a command failed, and the exit code that says so.
//!
//! - 1: the token or JWS was rejected (malformed, bad signature, no key for its `kid`/`alg`,
//!   a claim that fails validation), or a lookup found nothing (`jwks select`);
//! - 2: the input given to the tool is unusable: bad arguments, an unreadable file, a key file
//!   that is not a usable key, claims or a header that are not a JSON object, keys that
//!   cannot be fetched (`verify --jwks-uri`/`--issuer`).

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// A failed command.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The token or JWS was rejected by the library: exit 1.
    Rejected(jose_ring::Error),
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

    /// Prints `error: ...` (and any notes) on stderr and returns the exit code.
    pub(crate) fn report(&self, notes: &[String]) -> ExitCode {
        let (message, code) = match self {
            Self::Rejected(error) => (error.to_string(), 1),
            Self::Failed(message) => (message.clone(), 1),
            Self::Usage(message) => (message.clone(), 2),
        };
        let mut err = io::stderr().lock();
        // A closed stderr leaves nowhere to report to; the exit code still says it.
        let _ = writeln!(err, "error: {message}");
        for note in notes {
            let _ = writeln!(err, "note: {note}");
        }
        ExitCode::from(code)
    }
}

impl From<jose_ring::Error> for Failure {
    fn from(error: jose_ring::Error) -> Self {
        Self::Rejected(error)
    }
}

/// Writes `bytes` to stdout.
pub(crate) fn stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    written(out.write_all(bytes).and_then(|()| out.flush()))
}

/// Writes `text` and a newline to stdout.
pub(crate) fn println(text: &str) -> Result<(), Failure> {
    let mut line = String::with_capacity(text.len().saturating_add(1));
    line.push_str(text);
    line.push('\n');
    stdout(line.as_bytes())
}

/// Writes `value` as pretty JSON and a newline straight to stdout, with no buffer of its own
/// (a private JWK is printed this way).
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    written(
        serde_json::to_writer_pretty(&mut out, value)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush()),
    )
}

/// The outcome of a write to stdout. A closed pipe (`jose decode ... | head -1`) is not an
/// error.
fn written(result: io::Result<()>) -> Result<(), Failure> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::usage("cannot write to stdout", e)),
    }
}

/// Writes a note to stderr.
pub(crate) fn note(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}
