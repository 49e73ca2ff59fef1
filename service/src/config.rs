//! Flags and environment variables (each flag has one), and the commands.

use std::io::{BufRead, Write};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use jose_ring::jwt::NumericDate;

use crate::keys;
use crate::users::{DEFAULT_ITERATIONS, MAX_PASSWORD, PasswordHash, User};

/// `jose-service`: login, refresh rotation with reuse detection, logout revocation, JWKS.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// What to do; `serve` when absent.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`.
    #[command(flatten)]
    pub serve: Serve,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve(Serve),
    /// Print a users-file entry for a password read from standard input.
    HashPassword(HashPassword),
    /// Add a signing key that activates later, and delete keys no longer published.
    RotateKey(RotateKey),
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct Serve {
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0: any free port; the one chosen is printed on standard output).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Redis for the shared state (`redis://127.0.0.1:6379/`); in memory when absent.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// The users file (JSON, PBKDF2 hashes); the bundled demo users when absent.
    #[arg(long, env = "USERS_FILE")]
    pub users: Option<PathBuf>,
    /// `iss` of the tokens; every instance of one service shares it.
    #[arg(long, env = "ISSUER", default_value = "http://127.0.0.1:8080")]
    pub issuer: String,
    /// `aud` of the access tokens.
    #[arg(long, env = "AUDIENCE", default_value = "jose-service")]
    pub audience: String,
    /// `scheme://host[:port]` as clients reach the service, for the `htu` of DPoP proofs
    /// (the load balancer's, with several instances); `http://<bind>:<port>` when absent.
    #[arg(long, env = "PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// Directory of the signing keys, shared by the instances; one key generated in memory
    /// when absent (a single instance; a restart invalidates every token).
    #[arg(long, env = "KEY_DIR")]
    pub key_dir: Option<PathBuf>,
    /// Seconds between re-reads of the key directory.
    #[arg(long, env = "KEY_RELOAD", default_value_t = 10)]
    pub key_reload: u64,
    /// Access-token lifetime, seconds.
    #[arg(long, env = "ACCESS_LIFETIME", default_value_t = 15 * 60)]
    pub access_lifetime: u64,
    /// Refresh-token lifetime, seconds.
    #[arg(long, env = "REFRESH_LIFETIME", default_value_t = 8 * 3600)]
    pub refresh_lifetime: u64,
}

impl Serve {
    /// How long a retired key stays published: the longest token life plus one reload.
    #[must_use]
    pub fn retain(&self) -> Duration {
        let longest = self.refresh_lifetime.max(self.access_lifetime);
        Duration::from_secs(longest.saturating_add(self.key_reload))
    }
}

/// Options of `hash-password`.
#[derive(Debug, Args)]
pub struct HashPassword {
    /// The user name.
    #[arg(long)]
    pub username: String,
    /// Space-separated scopes.
    #[arg(long, default_value = "")]
    pub scope: String,
    /// Roles, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub roles: Vec<String>,
    /// PBKDF2 iterations (OWASP 2023: 600,000 for PBKDF2-HMAC-SHA256).
    #[arg(long, default_value_t = DEFAULT_ITERATIONS)]
    pub iterations: u32,
}

/// Options of `rotate-key`.
#[derive(Debug, Args)]
pub struct RotateKey {
    /// The key directory of the instances.
    #[arg(long, env = "KEY_DIR")]
    pub key_dir: PathBuf,
    /// Seconds until the new key signs (at least twice the instances' `--key-reload`, so that
    /// every instance publishes it before any signs with it).
    #[arg(long, default_value_t = 20)]
    pub activate_in: u64,
    /// The instances' refresh-token lifetime, for how long retired keys are kept.
    #[arg(long, env = "REFRESH_LIFETIME", default_value_t = 8 * 3600)]
    pub refresh_lifetime: u64,
    /// The instances' `--key-reload`.
    #[arg(long, env = "KEY_RELOAD", default_value_t = 10)]
    pub key_reload: u64,
}

/// A fatal error of a command, as one line.
pub type Fatal = Box<dyn std::error::Error + Send + Sync>;

/// Runs the command.
///
/// # Errors
///
/// What stopped it, as one line for standard error.
pub fn run(cli: Cli) -> Result<(), Fatal> {
    match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(options)) => serve(options),
        Some(Command::HashPassword(options)) => hash_password(&options),
        Some(Command::RotateKey(options)) => rotate_key(&options),
    }
}

fn serve(options: Serve) -> Result<(), Fatal> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::app::serve(options))
}

fn hash_password(options: &HashPassword) -> Result<(), Fatal> {
    let iterations =
        NonZeroU32::new(options.iterations).ok_or("--iterations must be at least 1")?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.strip_suffix('\n').unwrap_or(&password);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() || password.len() > MAX_PASSWORD {
        return Err("the password must be 1 to 1024 bytes".into());
    }
    let user = User {
        username: options.username.clone(),
        password: PasswordHash::new(password.as_bytes(), iterations)
            .map_err(|_| "system random source failed")?,
        scope: options.scope.clone(),
        roles: options.roles.clone(),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &user)?;
    writeln!(out)?;
    Ok(())
}

fn rotate_key(options: &RotateKey) -> Result<(), Fatal> {
    let now = NumericDate::now();
    let activation = now.saturating_add(i64::try_from(options.activate_in).unwrap_or(i64::MAX));
    let retain = Duration::from_secs(options.refresh_lifetime.saturating_add(options.key_reload));
    let kid = keys::add_key(&options.key_dir, activation)?;
    let removed = keys::prune(&options.key_dir, now, retain)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "added key {kid}, signing from {} (in {} s); removed {removed} retired key file(s)",
        activation.as_seconds(),
        options.activate_in
    )?;
    Ok(())
}
