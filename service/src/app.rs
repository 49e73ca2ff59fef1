//! The state every handler shares ([`App`]), and its re-reading: the keys from the key
//! directory, the users from the users file and the clients from the clients file, every
//! `--key-reload` seconds.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use axum::extract::FromRef;
use axum::http::HeaderValue;
use jose_ring::jwt::{self, NumericDate};
use jose_ring_axum::StaticKeys;

use crate::client_ip::TrustedProxies;
use crate::config::Serve;
use crate::error::{Fatal, SetupError};
use crate::keys::{self, KeySource, Keys};
use crate::metrics::{MeteredStore, ServiceMetrics};
use crate::oauth::clients::Clients;
use crate::oauth::endpoints::Endpoints;
use crate::primary::Location;
use crate::state::State;
use crate::store::{Ack, MemoryStore, RedisStore, Store};
use crate::throttle::Throttle;
use crate::tokens::Policy;
use crate::users::Users;

/// The bundled demo users (600,000 PBKDF2 iterations): `ada` / `correct horse battery
/// staple` (role `admin`, scopes `profile reports:read`), `bob` / `hunter2 hunter2` (scope
/// `profile`).
pub const DEMO_USERS: &str = include_str!("../demo-users.json");

/// Everything the handlers share.
#[derive(Debug)]
pub struct App {
    /// Each token's names, lifetimes, rules, and the clock.
    pub policy: Policy,
    /// The revocation, rotation and replay state.
    pub state: State,
    /// `scheme://host[:port]` as clients reach the service (the `htu` of DPoP proofs).
    pub public_origin: String,
    /// The `Cache-Control` of the published JWK Set (its `max-age`).
    pub jwks_cache_control: HeaderValue,
    /// The guard's handle on the verification keys, replaced at each key reload.
    pub guard_keys: StaticKeys,
    /// The OAuth endpoints' URLs and metadata document.
    pub endpoints: Endpoints,
    /// The failed-attempt budgets of the token endpoints, on the same store as `state`.
    pub throttle: Throttle,
    /// The proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// The service's own metrics (served at `/metrics` with the guard's).
    pub metrics: ServiceMetrics,
    users: RwLock<Arc<Users>>,
    users_file: Option<WatchedFile>,
    clients: RwLock<Arc<Clients>>,
    clients_file: Option<WatchedFile>,
    keys: RwLock<Arc<Keys>>,
    source: KeySource,
    retain: Duration,
}

/// The handlers' [`crate::client_ip::ClientIp`] reads the trusted proxies from the app.
impl FromRef<Arc<App>> for TrustedProxies {
    fn from_ref(app: &Arc<App>) -> Self {
        app.trusted_proxies.clone()
    }
}

/// A file re-read when it changes (the users file, the clients file), and what it looked
/// like when last read (modification time, length).
#[derive(Debug)]
struct WatchedFile {
    what: &'static str,
    path: PathBuf,
    seen: Mutex<Option<(SystemTime, u64)>>,
}

impl WatchedFile {
    fn new(what: &'static str, path: PathBuf) -> Self {
        Self {
            what,
            path,
            seen: Mutex::new(None),
        }
    }

    fn stamp(&self) -> Option<(SystemTime, u64)> {
        let meta = std::fs::metadata(&self.path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    }

    /// Reads and parses the file, recording what it looked like.
    fn load<T>(&self, parse: impl Fn(&[u8]) -> Result<T, SetupError>) -> Result<T, SetupError> {
        let stamp = self.stamp();
        let bytes = std::fs::read(&self.path).map_err(|error| {
            SetupError(format!("{} {}: {error}", self.what, self.path.display()))
        })?;
        let parsed = parse(&bytes)?;
        if let Ok(mut seen) = self.seen.lock() {
            *seen = stamp;
        }
        Ok(parsed)
    }

    /// Re-reads the file into `lock` if it changed since it was last read; on failure keeps
    /// what is in force.
    fn reload<T>(&self, lock: &RwLock<Arc<T>>, parse: impl Fn(&[u8]) -> Result<T, SetupError>) {
        let stamp = self.stamp();
        let unchanged = self.seen.lock().map_or(true, |seen| *seen == stamp);
        if stamp.is_none() || unchanged {
            return;
        }
        match self.load(parse) {
            Ok(fresh) => {
                replace(lock, Arc::new(fresh));
                tracing::info!(path = %self.path.display(), "{} re-read", self.what);
            }
            Err(error) => {
                tracing::warn!(%error, "{} reload failed; keeping what is in force", self.what);
            }
        }
    }
}

/// The JWK Set's `Cache-Control` for a `max-age` of `seconds`.
fn cache_control(seconds: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("public, max-age={seconds}"))
        .unwrap_or_else(|_| HeaderValue::from_static("no-cache"))
}

fn replace<T>(lock: &RwLock<Arc<T>>, fresh: Arc<T>) {
    match lock.write() {
        Ok(mut held) => *held = fresh,
        Err(poisoned) => *poisoned.into_inner() = fresh,
    }
}

fn current<T>(lock: &RwLock<Arc<T>>) -> Arc<T> {
    match lock.read() {
        Ok(held) => Arc::clone(&held),
        Err(poisoned) => Arc::clone(&poisoned.into_inner()),
    }
}

impl App {
    /// Reads the users, the keys and the store configuration of `options`; `local` is the
    /// address bound (the public origin by default).
    ///
    /// # Errors
    ///
    /// If the users file or the keys cannot be used, or the Redis URL is not one.
    pub fn build(options: &Serve, local: SocketAddr) -> Result<Self, Fatal> {
        let users_file = options
            .users
            .clone()
            .map(|path| WatchedFile::new("users file", path));
        let users = match &users_file {
            Some(file) => file.load(Users::from_json)?,
            None => Users::from_json(DEMO_USERS.as_bytes())?,
        };
        let clients_file = options
            .clients
            .clone()
            .map(|path| WatchedFile::new("clients file", path));
        let audience = options.audience.as_str();
        let clients = match &clients_file {
            Some(file) => file.load(|json| Clients::from_json(json, audience))?,
            None => Clients::none(audience)?,
        };
        let metrics = ServiceMetrics::new();
        let (store, throttle): (Arc<dyn Store>, Throttle) = match &options.redis_url {
            Some(url) => {
                let location = Location::parse(url)?;
                let ack = Ack {
                    replicas: options
                        .redis_ack_replicas
                        .unwrap_or_else(|| Ack::default_replicas(&location)),
                    timeout: Duration::from_millis(options.redis_ack_timeout),
                };
                tracing::info!(
                    sentinel = location.is_sentinel(),
                    ack_replicas = ack.replicas,
                    ack_timeout_ms = options.redis_ack_timeout,
                    "redis store"
                );
                let redis = RedisStore::new(location, ack)?;
                let throttle = Throttle::redis(redis.clone(), options.budgets(), metrics.clone());
                (Arc::new(redis), throttle)
            }
            None => (
                Arc::new(MemoryStore::new()),
                Throttle::memory(options.budgets()),
            ),
        };
        let policy = Policy {
            issuer: options.issuer.clone(),
            audience: options.audience.clone(),
            access_lifetime: options.access_lifetime,
            refresh_lifetime: options.refresh_lifetime,
            refresh_grace: options.refresh_grace,
            clock: Arc::new(jwt::SystemClock),
        };
        let source = match &options.key_dir {
            Some(dir) => {
                if !keys::has_keys(dir) {
                    let kid = keys::add_key(dir, policy.now())?;
                    tracing::info!(%kid, dir = %dir.display(), "empty key directory: generated a key");
                }
                KeySource::Dir(dir.clone())
            }
            None => KeySource::Memory(Box::new(keys::generate()?)),
        };
        let retain = options.retain();
        let keys = source.load(policy.now(), retain)?;
        let guard_keys = StaticKeys::new(keys.ring());
        let public_origin = options
            .public_origin
            .clone()
            .unwrap_or_else(|| {
                let scheme = if options.tls() { "https" } else { "http" };
                format!("{scheme}://{local}")
            })
            .trim_end_matches('/')
            .to_owned();
        let endpoints = Endpoints::new(&policy.issuer, &public_origin);
        Ok(Self {
            policy,
            state: State::new(Arc::new(MeteredStore::new(store, metrics.clone()))),
            public_origin,
            jwks_cache_control: cache_control(options.jwks_max_age),
            guard_keys,
            endpoints,
            throttle,
            trusted_proxies: TrustedProxies::new(options.trusted_proxies.clone()),
            metrics,
            users: RwLock::new(Arc::new(users)),
            users_file,
            clients: RwLock::new(Arc::new(clients)),
            clients_file,
            keys: RwLock::new(Arc::new(keys)),
            source,
            retain,
        })
    }

    /// The keys in force.
    #[must_use]
    pub fn keys(&self) -> Arc<Keys> {
        current(&self.keys)
    }

    /// The users as the users file says now.
    #[must_use]
    pub fn users(&self) -> Arc<Users> {
        current(&self.users)
    }

    /// The machine clients as the clients file says now.
    #[must_use]
    pub fn clients(&self) -> Arc<Clients> {
        current(&self.clients)
    }

    /// Re-reads the keys, and the users and clients files if they changed; on failure keeps
    /// what is in force. Blocking (file reads; PBKDF2 for a new file's dummy hash).
    pub fn reload(&self) {
        self.reload_keys();
        if let Some(file) = &self.users_file {
            file.reload(&self.users, Users::from_json);
        }
        if let Some(file) = &self.clients_file {
            let audience = self.policy.audience.as_str();
            file.reload(&self.clients, |json| Clients::from_json(json, audience));
        }
    }

    fn reload_keys(&self) {
        match self.source.load(self.policy.now(), self.retain) {
            Ok(fresh) => {
                let fresh = Arc::new(fresh);
                if self.keys().kids() != fresh.kids() {
                    tracing::info!(kids = ?fresh.kids(), "keys changed");
                }
                self.guard_keys.replace(fresh.ring());
                replace(&self.keys, fresh);
            }
            Err(error) => tracing::warn!(%error, "key reload failed; keeping the keys in force"),
        }
    }

    /// Now, from the policy's clock.
    #[must_use]
    pub fn now(&self) -> NumericDate {
        self.policy.now()
    }
}
