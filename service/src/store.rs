//! The state the flow needs, behind one small trait with TTLs: in memory for one process,
//! Redis for many.
//!
//! Three operations are enough for everything the service keeps:
//!
//! | key                      | written by                  | read by                                  | TTL                       |
//! |--------------------------|-----------------------------|------------------------------------------|---------------------------|
//! | `jr:rt:<jti>`            | `/refresh` (SET NX: use once) | the same SET NX (taken: reuse)         | until the refresh `exp`   |
//! | `jr:fam:<fam>`           | `/logout`, reuse detection  | `/refresh`, every access-token check     | the refresh lifetime      |
//! | `jr:jti:<jti>`           | `/logout`                   | every access-token check                 | until the access `exp`    |
//! | `jr:dpop:<key>`          | the guard and `/login`, `/refresh` (SET NX) | the same SET NX (taken: replay) | the proof's window |
//!
//! An access token's `jti` is `<fam>.<random>`, so that the guard's revocation check, which
//! is given only the `jti`, looks up the token and its family in one `EXISTS` round trip.
//!
//! Every error means "cannot tell": the caller answers 503 and never treats it as "not
//! revoked" (fail closed).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A boxed future, so that the trait stays dyn-compatible.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The store could not answer (Redis unreachable, timed out, or answered nonsense). Its text
/// names the kind of failure only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub &'static str);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "state store unavailable: {}", self.0)
    }
}

impl std::error::Error for Unavailable {}

/// Keys with a time to live. Implementations must make [`Store::insert_new`] atomic across
/// every instance that shares the store.
pub trait Store: Send + Sync + 'static {
    /// Records `key` for `ttl` if it is absent: `true` if this call recorded it, `false` if it
    /// was already there (and unexpired).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    fn insert_new<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, Unavailable>>;

    /// Records `key` for `ttl`, whether or not it was there.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    fn insert<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), Unavailable>>;

    /// Whether any of `keys` is recorded and unexpired.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    fn any<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<bool, Unavailable>>;
}

/// The in-memory store: one process only; expired keys are swept as the map grows.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    keys: HashMap<String, Instant>,
    sweep_at: usize,
}

impl Memory {
    fn live(&self, key: &str, now: Instant) -> bool {
        self.keys.get(key).is_some_and(|until| *until > now)
    }

    fn put(&mut self, key: &str, until: Instant, now: Instant) {
        if self.keys.len() >= self.sweep_at {
            self.keys.retain(|_, until| *until > now);
            self.sweep_at = self.keys.len().saturating_mul(2).max(1024);
        }
        let entry = self.keys.entry(key.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
    }
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Memory, Instant) -> T) -> Result<T, Unavailable> {
        let mut memory = self
            .inner
            .lock()
            .map_err(|_| Unavailable("poisoned lock"))?;
        Ok(f(&mut memory, Instant::now()))
    }
}

fn deadline(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl).unwrap_or(now)
}

impl Store for MemoryStore {
    fn insert_new<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, Unavailable>> {
        let result = self.with(|memory, now| {
            if memory.live(key, now) {
                false
            } else {
                memory.keys.remove(key);
                memory.put(key, deadline(now, ttl), now);
                true
            }
        });
        Box::pin(std::future::ready(result))
    }

    fn insert<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), Unavailable>> {
        let result = self.with(|memory, now| memory.put(key, deadline(now, ttl), now));
        Box::pin(std::future::ready(result))
    }

    fn any<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<bool, Unavailable>> {
        let result = self.with(|memory, now| keys.iter().any(|key| memory.live(key, now)));
        Box::pin(std::future::ready(result))
    }
}

/// The Redis store: `SET key 1 NX EX ttl` for "use once", `SET key 1 EX ttl` to record,
/// `EXISTS` to check, over one multiplexed connection that reconnects by itself
/// ([`redis::aio::ConnectionManager`]). It is created without connecting, so the service
/// starts while Redis is down and answers 503 until it is back.
#[derive(Clone)]
pub struct RedisStore {
    connection: redis::aio::ConnectionManager,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisStore")
    }
}

/// How long one Redis command may take before the request is answered 503.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

impl RedisStore {
    /// A store for the Redis at `url` (`redis://127.0.0.1:6379/`), connected lazily on the
    /// first command and reconnected after an I/O error.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if `url` is not a Redis URL.
    pub fn new(url: &str) -> Result<Self, Unavailable> {
        let client = redis::Client::open(url).map_err(|_| Unavailable("invalid REDIS_URL"))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let connection = redis::aio::ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|_| Unavailable("redis client"))?;
        Ok(Self { connection })
    }

    async fn run<T: redis::FromRedisValue>(&self, command: redis::Cmd) -> Result<T, Unavailable> {
        let mut connection = self.connection.clone();
        let reply = tokio::time::timeout(REDIS_TIMEOUT, command.query_async::<T>(&mut connection));
        match reply.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) if error.is_timeout() => Err(Unavailable("redis timed out")),
            Ok(Err(_)) => Err(Unavailable("redis unreachable")),
            Err(_) => Err(Unavailable("redis timed out")),
        }
    }
}

fn seconds(ttl: Duration) -> u64 {
    ttl.as_secs().max(1)
}

impl Store for RedisStore {
    fn insert_new<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, Unavailable>> {
        Box::pin(async move {
            let mut command = redis::cmd("SET");
            command
                .arg(key)
                .arg(1)
                .arg("NX")
                .arg("EX")
                .arg(seconds(ttl));
            // "OK" when set, nil when the key was there.
            let reply: Option<String> = self.run(command).await?;
            Ok(reply.is_some())
        })
    }

    fn insert<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            let mut command = redis::cmd("SET");
            command.arg(key).arg(1).arg("EX").arg(seconds(ttl));
            let _: Option<String> = self.run(command).await?;
            Ok(())
        })
    }

    fn any<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<bool, Unavailable>> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(false);
            }
            let mut command = redis::cmd("EXISTS");
            command.arg(keys);
            let count: u64 = self.run(command).await?;
            Ok(count > 0)
        })
    }
}

/// What the flow keeps, in the key names of the table above, on any [`Store`].
#[derive(Clone)]
pub struct State {
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("State")
    }
}

/// What marking a refresh token used found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshUse {
    /// First use: rotate.
    First,
    /// Used before: the family is now revoked.
    Reused,
    /// The family was revoked already (logout or an earlier reuse).
    FamilyRevoked,
}

impl State {
    /// The flow's state on `store`.
    #[must_use]
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The family of an access token's `jti` (`<fam>.<random>`), if it has one.
    #[must_use]
    pub fn family_of(jti: &str) -> Option<&str> {
        jti.split_once('.').map(|(family, _)| family)
    }

    /// Whether the access token `jti`, or its family, is revoked.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn is_revoked(&self, jti: &str) -> Result<bool, Unavailable> {
        let mut keys = vec![format!("jr:jti:{jti}")];
        if let Some(family) = Self::family_of(jti) {
            keys.push(format!("jr:fam:{family}"));
        }
        self.store.any(&keys).await
    }

    /// Revokes the access token `jti` for `ttl` (until its `exp`).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn revoke_token(&self, jti: &str, ttl: Duration) -> Result<(), Unavailable> {
        self.store.insert(&format!("jr:jti:{jti}"), ttl).await
    }

    /// Revokes every token of the family `fam` for `ttl` (the longest life of a token in it).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn revoke_family(&self, family: &str, ttl: Duration) -> Result<(), Unavailable> {
        self.store.insert(&format!("jr:fam:{family}"), ttl).await
    }

    /// Marks the refresh token `jti` of `family` used, atomically across instances
    /// (`SET NX`): a second presentation revokes the family for `family_ttl` (RFC 9700
    /// §4.14.2).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn use_refresh(
        &self,
        jti: &str,
        family: &str,
        ttl: Duration,
        family_ttl: Duration,
    ) -> Result<RefreshUse, Unavailable> {
        if self.store.any(&[format!("jr:fam:{family}")]).await? {
            return Ok(RefreshUse::FamilyRevoked);
        }
        if self.store.insert_new(&format!("jr:rt:{jti}"), ttl).await? {
            return Ok(RefreshUse::First);
        }
        self.revoke_family(family, family_ttl).await?;
        Ok(RefreshUse::Reused)
    }

    /// Records a DPoP proof (`key` names it, e.g. thumbprint and `jti`) for `ttl`: `true` the
    /// first time, `false` for a replay.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn first_proof(&self, key: &str, ttl: Duration) -> Result<bool, Unavailable> {
        self.store.insert_new(&format!("jr:dpop:{key}"), ttl).await
    }
}

/// The guard's DPoP replay check on the shared state: every instance sees every proof.
impl jose_ring_axum::ReplayStore for State {
    fn first_use<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> jose_ring_axum::BoxFuture<'a, Result<bool, jose_ring_axum::StoreError>> {
        Box::pin(async move {
            self.first_proof(key, ttl)
                .await
                .map_err(jose_ring_axum::StoreError::new)
        })
    }
}

/// The guard's revocation check on the shared state: the token's `jti` and its family.
impl jose_ring_axum::RevocationStore for State {
    fn is_revoked<'a>(
        &'a self,
        jti: &'a str,
    ) -> jose_ring_axum::BoxFuture<'a, Result<bool, jose_ring_axum::StoreError>> {
        Box::pin(async move {
            State::is_revoked(self, jti)
                .await
                .map_err(jose_ring_axum::StoreError::new)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_uses_once_and_expires() {
        let store = MemoryStore::new();
        let ttl = Duration::from_millis(30);
        assert_eq!(store.insert_new("a", ttl).await, Ok(true));
        assert_eq!(store.insert_new("a", ttl).await, Ok(false));
        assert_eq!(store.any(&["b".into(), "a".into()]).await, Ok(true));
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(store.any(&["a".into()]).await, Ok(false));
        assert_eq!(store.insert_new("a", ttl).await, Ok(true));
    }

    #[tokio::test]
    async fn reuse_revokes_the_family_and_its_access_tokens() {
        let state = State::new(Arc::new(MemoryStore::new()));
        let hour = Duration::from_secs(3600);
        assert_eq!(state.is_revoked("f1.a").await, Ok(false));
        assert_eq!(
            state.use_refresh("r1", "f1", hour, hour).await,
            Ok(RefreshUse::First)
        );
        assert_eq!(
            state.use_refresh("r2", "f1", hour, hour).await,
            Ok(RefreshUse::First)
        );
        assert_eq!(
            state.use_refresh("r1", "f1", hour, hour).await,
            Ok(RefreshUse::Reused)
        );
        assert_eq!(
            state.use_refresh("r3", "f1", hour, hour).await,
            Ok(RefreshUse::FamilyRevoked)
        );
        assert_eq!(state.is_revoked("f1.a").await, Ok(true));
        assert_eq!(state.is_revoked("f2.a").await, Ok(false));
        state.revoke_token("f2.a", hour).await.ok();
        assert_eq!(state.is_revoked("f2.a").await, Ok(true));
        assert_eq!(state.is_revoked("f2.b").await, Ok(false));
    }
}
