//! The reference API service on `jose-ring` and `jose-ring-axum`: log in, call the API with an
//! access token, refresh with rotation and reuse detection, log out and have the tokens stop
//! working on every instance. See `service/README.md` for a session with curl.
//!
//! One job per module: [`config`] reads flags and environment, [`users`] checks passwords,
//! [`keys`] signs, publishes and rotates keys, [`tokens`] writes the claims, [`store`] keeps
//! the state (memory or Redis), [`app`] is the HTTP service.

pub mod app;
pub mod config;
pub mod keys;
pub mod store;
pub mod tokens;
pub mod users;

use std::process::ExitCode;

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

/// The entry point of `jose-service`: parses the command line and runs the command.
#[must_use]
pub fn main() -> ExitCode {
    use clap::Parser;
    let cli = config::Cli::parse();
    match config::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            #[allow(
                clippy::print_stderr,
                reason = "the one place a fatal error is reported"
            )]
            {
                eprintln!("jose-service: {error}");
            }
            ExitCode::FAILURE
        }
    }
}
