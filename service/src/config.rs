//! Flags and environment variables (each flag has one): what each command is given.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

use crate::client_ip;
use crate::keys;
use crate::throttle::{Budget, Budgets};
use crate::users::DEFAULT_ITERATIONS;

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
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once at start; `serve`'s options are the big one"
)]
pub enum Command {
    /// Serve the API (the default).
    Serve(Serve),
    /// Print a users-file entry for a password read from standard input (at least 8
    /// characters, 15 recommended; the commonest passwords refused).
    HashPassword(HashPassword),
    /// Add a signing key that activates later, and delete keys no longer published.
    RotateKey(RotateKey),
    /// Print a clients-file entry for a client secret read from standard input.
    HashClient(HashClient),
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
    /// Redis for the shared state: one Redis (`redis://127.0.0.1:6379/`), or the primary
    /// Redis Sentinel names (`redis+sentinel://HOST:PORT[,HOST:PORT...]/SERVICE_NAME`); in
    /// memory when absent.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// Replicas that must acknowledge each write whose loss would let a token through
    /// (revocations, rotations, used DPoP proofs) before it is answered; otherwise 503.
    /// Default: 1 with Sentinel, 0 with a single Redis.
    #[arg(long, env = "REDIS_ACK_REPLICAS",
          value_parser = clap::value_parser!(u32).range(0..=16))]
    pub redis_ack_replicas: Option<u32>,
    /// Milliseconds to wait for those acknowledgements (`WAIT`) before answering 503.
    #[arg(long, env = "REDIS_ACK_TIMEOUT", default_value_t = 250,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub redis_ack_timeout: u64,
    /// The users file (JSON, PBKDF2 hashes), re-read when it changes; the bundled demo users
    /// when absent.
    #[arg(long, env = "USERS_FILE")]
    pub users: Option<PathBuf>,
    /// The clients file (JSON: machine clients of `POST /token`, with PBKDF2 hashes of their
    /// secrets or their public keys), re-read when it changes; no machine clients when absent.
    #[arg(long, env = "CLIENTS_FILE")]
    pub clients: Option<PathBuf>,
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
    /// Seconds between re-reads of the key directory and of the users file.
    #[arg(long, env = "KEY_RELOAD", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub key_reload: u64,
    /// `max-age` of the JWK Set, seconds: how long caches may keep it. `rotate-key` waits
    /// this plus `--key-reload` before a new key signs.
    #[arg(long, env = "JWKS_MAX_AGE", default_value_t = keys::DEFAULT_JWKS_MAX_AGE,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub jwks_max_age: u64,
    /// Access-token lifetime, seconds.
    #[arg(long, env = "ACCESS_LIFETIME", default_value_t = 15 * 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub access_lifetime: u64,
    /// Refresh-token lifetime, seconds.
    #[arg(long, env = "REFRESH_LIFETIME", default_value_t = 8 * 3600,
          value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
    pub refresh_lifetime: u64,
    /// Seconds after a refresh token's first use during which the same client, with the same
    /// DPoP key, may present it again (a retry after a lost answer or a 503) and get a new
    /// pair, the earlier successor being revoked. 0 turns it off (Okta's default is 30 s,
    /// at most 60).
    #[arg(long, env = "REFRESH_GRACE", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=60))]
    pub refresh_grace: u64,
    /// A proxy (CIDR or address, repeatable; comma-separated in the variable) whose
    /// `X-Forwarded-For` is believed: the only way that field is read. It is read from the
    /// right, skipping these proxies; the first other address is the client.
    #[arg(long = "trusted-proxy", env = "TRUSTED_PROXIES", value_delimiter = ',',
          value_parser = client_ip::parse_network)]
    pub trusted_proxies: Vec<IpNet>,
    /// The certificate chain (PEM) to serve HTTPS with; with `--tls-key`. Plain http when
    /// absent (for loopback development, or behind a TLS-terminating proxy).
    #[arg(long, env = "TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1); with `--tls-cert`.
    #[arg(long, env = "TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// An origin (`https://host[:port]`) whose pages may call the token API (the routes
    /// that take an `Authorization` header, `/login`, `/refresh`, `/token`, `/revoke`, the
    /// metadata and the keys) from scripts: CORS, without credentials; repeatable
    /// (comma-separated in the variable). None by default: same-origin only. The browser
    /// session routes never answer CORS.
    #[arg(long = "cors-origin", env = "CORS_ORIGINS", value_delimiter = ',',
          value_parser = parse_cors_origin)]
    pub cors_origins: Vec<String>,
    /// Failed attempts one client IP may make for one account: BURST/WINDOW (BURST at once,
    /// refilled evenly over WINDOW, in s, m or h).
    #[arg(long, env = "THROTTLE_ACCOUNT_IP", default_value = "10/20m")]
    pub throttle_account_ip: Budget,
    /// Failed attempts for one account from the IPs it has not logged in from in 30 days.
    #[arg(long, env = "THROTTLE_ACCOUNT", default_value = "20/20m")]
    pub throttle_account: Budget,
    /// Failed attempts from one client IP (an IPv6 /64), whatever the account.
    #[arg(long, env = "THROTTLE_IP", default_value = "100/10m")]
    pub throttle_ip: Budget,
}

impl Serve {
    /// The throttling budgets.
    #[must_use]
    pub const fn budgets(&self) -> Budgets {
        Budgets {
            account_ip: self.throttle_account_ip,
            account: self.throttle_account,
            ip: self.throttle_ip,
        }
    }

    /// Whether the listener serves HTTPS.
    #[must_use]
    pub const fn tls(&self) -> bool {
        self.tls_cert.is_some()
    }

    /// How long a retired key stays published: the longest token life plus one reload.
    #[must_use]
    pub fn retain(&self) -> Duration {
        keys::retention(
            self.refresh_lifetime.max(self.access_lifetime),
            self.key_reload,
        )
    }
}

/// An origin of `--cors-origin`, as browsers write `Origin`.
fn parse_cors_origin(origin: &str) -> Result<String, String> {
    jose_ring_axum::parse_origin(origin).map_err(|error| error.to_string())
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
    /// Seconds until the new key signs; by default, and at least, `--jwks-max-age` plus
    /// `--key-reload`, so that every instance publishes it and every cache has fetched it
    /// before any token is signed with it (any value when the directory holds no key yet).
    #[arg(long)]
    pub activate_in: Option<u64>,
    /// The instances' `--jwks-max-age`.
    #[arg(long, env = "JWKS_MAX_AGE", default_value_t = keys::DEFAULT_JWKS_MAX_AGE)]
    pub jwks_max_age: u64,
    /// The instances' `--key-reload`.
    #[arg(long, env = "KEY_RELOAD", default_value_t = 10)]
    pub key_reload: u64,
    /// The instances' refresh-token lifetime, for how long retired keys are kept.
    #[arg(long, env = "REFRESH_LIFETIME", default_value_t = 8 * 3600)]
    pub refresh_lifetime: u64,
}

/// Options of `hash-client`.
#[derive(Debug, Args)]
pub struct HashClient {
    /// The client's `client_id` (letters, digits, `-`, `_`, `.`; at most 64).
    #[arg(long)]
    pub client_id: String,
    /// Space-separated scopes the client may ask for.
    #[arg(long, default_value = "")]
    pub scope: String,
    /// A resource (RFC 8707) the client may ask a token for, its audience; repeatable. The
    /// first is the one a request naming none gets; without any, the service's own audience.
    #[arg(long = "resource")]
    pub resources: Vec<String>,
    /// PBKDF2 iterations (OWASP 2023: 600,000 for PBKDF2-HMAC-SHA256).
    #[arg(long, default_value_t = DEFAULT_ITERATIONS)]
    pub iterations: u32,
}
