//! Everything `jose` prints: results on stdout, notes and failures on stderr. A closed pipe
//! (`jose decode ... | head -1`) ends the output quietly instead of panicking as `println!`
//! does; a private JWK goes to stdout with no buffer of this module's own.

use std::io::{self, Write};
use std::process::ExitCode;

use jose_ring::dangerous;
use jose_ring::jwk::Jwk;

use crate::fail::Failure;
use crate::ordered::Json;

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

/// Prints a JWK as pretty JSON, with its private members only if `private`. A symmetric key
/// printed as public shows no `k`. The private form goes from the library's zeroized
/// `Secret` through zeroized values straight to stdout.
pub(crate) fn print_jwk(jwk: &Jwk, private: bool) -> Result<(), Failure> {
    if !private && jwk.kty() != "oct" {
        return print_json(jwk);
    }
    let secret = jwk.to_private_json();
    let mut json: Json = dangerous::from_json(secret.expose())
        .map_err(|e| Failure::usage("cannot write the JWK", e))?;
    if !private {
        json.remove("k");
    }
    print_json(&json)
}

/// The outcome of a write to stdout. A closed pipe is not an error.
fn written(result: io::Result<()>) -> Result<(), Failure> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::usage("cannot write to stdout", e)),
    }
}

/// Writes `line` and a newline to stderr. A closed stderr leaves nowhere to report to: the
/// exit code still says how the command ended.
pub(crate) fn stderr(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Prints `error: ...` and any notes of `failure` on stderr, and returns its exit code.
pub(crate) fn failure(failure: &Failure) -> ExitCode {
    stderr(&format!("error: {failure}"));
    for note in failure.notes() {
        stderr(&format!("note: {note}"));
    }
    failure.exit_code()
}
