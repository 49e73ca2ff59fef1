//! The reference API service on `jose-ring` and `jose-ring-axum`: log in, call the API with an
//! access token, refresh with rotation and reuse detection, log out and have the tokens stop
//! working on every instance. See `service/README.md` for a session with curl.
//!
//! One job per module:
//!
//! - the command line: [`config`] (flags and environment), [`commands`] (what each command
//!   does), [`error`];
//! - the domain: [`users`] (passwords), [`keys`] (signing, publishing, rotating keys),
//!   [`tokens`] (each token's claims, issuing, rules and TTLs), [`rotation`] (a family's
//!   refresh-token rotation), [`store`] (memory or Redis), [`state`] (what the keys mean);
//! - HTTP: [`serve`] (running), [`app`] (the handlers' shared state and its reloading),
//!   [`routes`], [`token_endpoint`] (`/login`, `/refresh`), [`oauth`] (the standard OAuth
//!   endpoints: metadata, `/token`, `/revoke`, `/introspect`, and the machine clients),
//!   [`resource`] (the guarded API), [`jwks`], [`refusal`] (error answers), [`request_log`].

pub mod app;
pub mod commands;
pub mod config;
pub mod error;
pub mod jwks;
pub mod keys;
pub mod oauth;
pub mod refusal;
pub mod request_log;
pub mod resource;
pub mod rotation;
pub mod routes;
pub mod serve;
pub mod state;
pub mod store;
pub mod token_endpoint;
pub mod tokens;
pub mod users;

use std::process::ExitCode;

/// The entry point of `jose-service`: parses the command line and runs the command.
#[must_use]
pub fn main() -> ExitCode {
    use clap::Parser;
    let cli = config::Cli::parse();
    match commands::run(cli) {
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
