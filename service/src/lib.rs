//! The reference API service on `jose-ring` and `jose-ring-axum`: log in, call the API with an
//! access token, refresh with rotation and reuse detection, log out and have the tokens stop
//! working on every instance. See `service/README.md` for a session with curl.
//!
//! One job per module:
//!
//! - the command line: [`config`] (flags and environment), [`commands`] (what each command
//!   does), [`error`];
//! - the domain: [`users`] (password hashes), [`passwords`] (the policy), [`keys`]
//!   (signing, publishing, rotating keys), [`tokens`] (each token's claims, issuing, rules and TTLs), [`rotation`] (a family's
//!   refresh-token rotation), [`throttle`] (failed-attempt budgets), [`store`] (memory or
//!   Redis), [`primary`] (finding the Redis primary, through Sentinel too), [`state`] (what
//!   the keys mean);
//! - HTTP: [`serve`] (running), [`tls`] (HTTPS), [`app`] (the handlers' shared state and its
//!   reloading), [`routes`], [`token_endpoint`] (`/login`, `/refresh`), [`oauth`] (the
//!   standard OAuth endpoints: metadata, `/token`, `/revoke`, `/introspect`, and the machine
//!   clients), [`resource`] (the guarded API), [`jwks`], [`client_ip`] (who the client is),
//!   [`refusal`] (error answers), [`request_log`], [`audit`] (every authentication
//!   attempt), [`metrics`] (`/metrics`), [`cors`] (the token API's allowlist);
//! - the browser mode (a backend-for-frontend): [`sessions`] (session ids, their sealed
//!   records in the store), [`browser`] (the `/session` routes), [`page`] (the page and
//!   the headers browsers get).

pub mod app;
pub mod audit;
pub mod browser;
pub mod client_ip;
pub mod commands;
pub mod config;
pub mod cors;
pub mod error;
pub mod jwks;
pub mod keys;
pub mod metrics;
pub mod oauth;
pub mod page;
pub mod passwords;
pub mod primary;
pub mod refusal;
pub mod request_log;
pub mod resource;
pub mod rotation;
pub mod routes;
pub mod serve;
pub mod sessions;
pub mod state;
pub mod store;
pub mod throttle;
pub mod tls;
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
