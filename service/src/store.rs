//! Where the state lives: a small trait of keys with TTLs, in memory for one process, in
//! Redis for many. The `state` module says what the keys mean.
//!
//! Four operations are enough for everything the service keeps: "record if absent"
//! (`SET NX EX`), "record" (`SET EX`), "is any recorded" (`EXISTS`), and one step of a
//! family's refresh-token rotation ([`crate::rotation`]), atomic in both stores.
//!
//! Every error means "cannot tell": the caller answers 503 and never treats it as "not
//! revoked" (fail closed).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use jose_ring_axum::{BoxFuture, ExpiringSet};
use redis::{ExistenceCheck, SetExpiry, SetOptions};
use tokio::time::Instant;

use crate::rotation::{self, Outcome, Presentation, Rotation};

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

/// One rotation step to run on a store: the presentation, the keys it touches, their TTLs.
#[derive(Debug, Clone, Copy)]
pub struct RotateRequest<'a> {
    /// The family's revocation key.
    pub family_key: &'a str,
    /// The family's rotation-state key.
    pub state_key: &'a str,
    /// The prefix of revoked access-token keys (followed by the `jti`).
    pub access_prefix: &'a str,
    /// The presentation.
    pub presentation: Presentation<'a>,
    /// How long the family's state and revocation are kept.
    pub family_ttl: Duration,
    /// How long a revoked access token's key is kept.
    pub access_ttl: Duration,
}

/// Keys with a time to live. Implementations must make [`Store::insert_new`] and
/// [`Store::rotate`] atomic across every instance that shares the store.
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

    /// Runs one step of a family's rotation ([`Presentation::step`]) and applies it, at once.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer. The step may have been applied all the
    /// same (a timeout after the write): the grace window is there for the retry.
    fn rotate<'a>(
        &'a self,
        request: &'a RotateRequest<'a>,
    ) -> BoxFuture<'a, Result<Outcome, Unavailable>>;
}

/// The in-memory store, for one process: the keys in the guard's bounded [`ExpiringSet`],
/// the families' rotation states beside it, bounded the same way. Full of live entries, it
/// refuses new ones ([`Unavailable`], 503) rather than forget one.
#[derive(Debug)]
pub struct MemoryStore {
    keys: ExpiringSet,
    rotations: Mutex<Rotations>,
}

/// The families' rotation states, each until it expires.
#[derive(Debug)]
struct Rotations {
    states: HashMap<String, (Rotation, Instant)>,
    capacity: usize,
}

impl Rotations {
    fn live(&self, key: &str, now: Instant) -> Option<&Rotation> {
        self.states
            .get(key)
            .filter(|(_, until)| *until > now)
            .map(|(state, _)| state)
    }

    fn put(
        &mut self,
        key: &str,
        state: Rotation,
        until: Instant,
        now: Instant,
    ) -> Result<(), Unavailable> {
        if !self.states.contains_key(key) && self.states.len() >= self.capacity {
            self.states.retain(|_, (_, at)| *at > now);
            if self.states.len() >= self.capacity {
                return Err(FULL);
            }
        }
        self.states.insert(key.to_owned(), (state, until));
        Ok(())
    }
}

/// Live entries each kind of in-memory state holds at most (the guard's stores' bound).
const MEMORY_CAPACITY: usize = 100_000;

const FULL: Unavailable = Unavailable("in-memory store full");

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store of at most 100,000 live keys and as many families.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(MEMORY_CAPACITY)
    }

    /// An empty store of at most `capacity` live keys and as many families.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            keys: ExpiringSet::with_capacity(capacity),
            rotations: Mutex::new(Rotations {
                states: HashMap::new(),
                capacity,
            }),
        }
    }

    fn rotate_now(&self, request: &RotateRequest<'_>) -> Result<Outcome, Unavailable> {
        // One family's steps run one at a time (this lock); the keys they read and write are
        // the ones every other check sees.
        let mut rotations = self
            .rotations
            .lock()
            .map_err(|_| Unavailable("poisoned lock"))?;
        let now = Instant::now();
        let revoked = self.keys.contains(request.family_key).map_err(|_| FULL)?;
        let step = request
            .presentation
            .step(revoked, rotations.live(request.state_key, now));
        if let Some(access) = &step.revoke_access {
            let key = format!("{}{access}", request.access_prefix);
            self.keys
                .insert(&key, request.access_ttl)
                .map_err(|_| FULL)?;
        }
        if step.revoke_family {
            self.keys
                .insert(request.family_key, request.family_ttl)
                .map_err(|_| FULL)?;
        }
        if let Some(state) = step.write {
            rotations.put(
                request.state_key,
                state,
                deadline(now, request.family_ttl),
                now,
            )?;
        }
        Ok(step.outcome)
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
        let result = self.keys.insert_new(key, ttl).map_err(|_| FULL);
        Box::pin(std::future::ready(result))
    }

    fn insert<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), Unavailable>> {
        let result = self.keys.insert(key, ttl).map_err(|_| FULL);
        Box::pin(std::future::ready(result))
    }

    fn any<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<bool, Unavailable>> {
        let mut result = Ok(false);
        for key in keys {
            match self.keys.contains(key) {
                Ok(false) => {}
                held => {
                    result = held.map_err(|_| Unavailable("poisoned lock"));
                    break;
                }
            }
        }
        Box::pin(std::future::ready(result))
    }

    fn rotate<'a>(
        &'a self,
        request: &'a RotateRequest<'a>,
    ) -> BoxFuture<'a, Result<Outcome, Unavailable>> {
        Box::pin(std::future::ready(self.rotate_now(request)))
    }
}

/// The Redis store: `SET key 1 NX EX ttl` for "record if absent", `SET key 1 EX ttl` to
/// record, `EXISTS` to check, and the rotation script ([`rotation::LUA`]), over one
/// multiplexed connection that reconnects by itself ([`redis::aio::ConnectionManager`]). It
/// is created without connecting, so the service starts while Redis is down and answers 503
/// until it is back.
#[derive(Clone)]
pub struct RedisStore {
    connection: redis::aio::ConnectionManager,
    rotation: std::sync::Arc<redis::Script>,
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
        Ok(Self {
            connection,
            rotation: std::sync::Arc::new(redis::Script::new(rotation::LUA)),
        })
    }

    /// Runs a prepared script on the store's connection within the timeout of every command
    /// (for the throttle's script, [`crate::throttle::LUA`]).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if Redis cannot answer in time.
    pub async fn invoke<T: redis::FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Result<T, Unavailable> {
        let mut connection = self.connection.clone();
        answer(tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut connection)).await)
    }

    async fn run<T: redis::FromRedisValue>(&self, command: redis::Cmd) -> Result<T, Unavailable> {
        let mut connection = self.connection.clone();
        answer(tokio::time::timeout(REDIS_TIMEOUT, command.query_async::<T>(&mut connection)).await)
    }
}

/// A Redis reply within the timeout, or why not.
fn answer<T>(
    reply: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
) -> Result<T, Unavailable> {
    match reply {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) if error.is_timeout() => Err(Unavailable("redis timed out")),
        Ok(Err(_)) => Err(Unavailable("redis unreachable")),
        Err(_) => Err(Unavailable("redis timed out")),
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
            let options = SetOptions::default()
                .conditional_set(ExistenceCheck::NX)
                .with_expiration(SetExpiry::EX(seconds(ttl)));
            // "OK" when set, nil when the key was there.
            let reply: Option<String> = self.run(redis::Cmd::set_options(key, 1, options)).await?;
            Ok(reply.is_some())
        })
    }

    fn insert<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            let _: () = self.run(redis::Cmd::set_ex(key, 1, seconds(ttl))).await?;
            Ok(())
        })
    }

    fn any<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<bool, Unavailable>> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(false);
            }
            let count: u64 = self.run(redis::Cmd::exists(keys)).await?;
            Ok(count > 0)
        })
    }

    fn rotate<'a>(
        &'a self,
        request: &'a RotateRequest<'a>,
    ) -> BoxFuture<'a, Result<Outcome, Unavailable>> {
        Box::pin(async move {
            let p = &request.presentation;
            let mut invocation = self.rotation.prepare_invoke();
            invocation
                .key(request.family_key)
                .key(request.state_key)
                .arg(p.jti)
                .arg(p.binding)
                .arg(p.now)
                .arg(p.grace)
                .arg(&p.successor.refresh)
                .arg(&p.successor.access)
                .arg(seconds(request.family_ttl))
                .arg(seconds(request.access_ttl))
                .arg(request.access_prefix);
            let mut connection = self.connection.clone();
            let reply: String = answer(
                tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut connection)).await,
            )?;
            Outcome::from_reply(&reply).ok_or(Unavailable("unexpected script reply"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotation::Presentation;
    use crate::tokens::PairIds;

    #[tokio::test]
    async fn a_full_memory_store_refuses_new_families_until_states_expire() {
        let store = MemoryStore::with_capacity(1);
        let ids = PairIds {
            family: "f".into(),
            refresh: "r1".into(),
            access: "f.a1".into(),
        };
        let ttl = Duration::from_millis(50);
        let request = |family_key, state_key| RotateRequest {
            family_key,
            state_key,
            access_prefix: "jr:jti:",
            presentation: Presentation {
                jti: "r0",
                binding: "c -",
                now: 100,
                grace: 30,
                successor: &ids,
            },
            family_ttl: ttl,
            access_ttl: ttl,
        };
        assert_eq!(
            store.rotate(&request("jr:fam:f", "jr:rot:f")).await,
            Ok(Outcome::Rotated)
        );
        // A second family does not fit; the first one's state is still answered.
        assert_eq!(
            store.rotate(&request("jr:fam:g", "jr:rot:g")).await,
            Err(FULL)
        );
        assert_eq!(
            store.rotate(&request("jr:fam:f", "jr:rot:f")).await,
            Ok(Outcome::Retried)
        );
        tokio::time::sleep(ttl).await;
        assert_eq!(
            store.rotate(&request("jr:fam:g", "jr:rot:g")).await,
            Ok(Outcome::Rotated)
        );
    }
}
