//! Where the state lives: a small trait of keys with TTLs, in memory for one process, in
//! Redis for many. The `state` module says what the keys mean.
//!
//! Seven operations are enough for everything the service keeps: "record if absent"
//! (`SET NX EX`), "record" (`SET EX`), "is any recorded" (`EXISTS`), one step of a
//! family's refresh-token rotation ([`crate::rotation`]), atomic in both stores, and a value
//! with a TTL (a browser session, [`crate::sessions`]): "keep" (`SET EX`), "read" (`GET`),
//! "forget" (`DEL`).
//!
//! Every write of [`Store`] is one whose loss would let a token through, so on Redis each is
//! acknowledged by replicas before it counts ([`Durability::Replicated`], `WAIT`); a new kind
//! of such write (a revocation through another endpoint, a used `jti`) gets the same by being
//! a [`Store`] operation, or by going through [`RedisStore::command`] /
//! [`RedisStore::script`] with [`Durability::Replicated`]. Reads go to the primary.
//!
//! Every error means "cannot tell": the caller answers 503 and never treats it as "not
//! revoked" (fail closed). A write answered with an error may have been applied: every
//! caller's retry must be safe (the refresh grace window, [`crate::rotation`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jose_ring_axum::{BoxFuture, ExpiringSet};
use redis::{ErrorKind, ExistenceCheck, ServerErrorKind, SetExpiry, SetOptions};
use tokio::time::Instant;

use crate::primary::{BadUrl, Lane, Link, Location, NoPrimary, Primary};
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
/// [`Store::rotate`] atomic across every instance that shares the store, and answer a write
/// only once it survives the loss of a node (with replicas: acknowledged by them).
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

    /// Keeps `value` under `key` for `ttl`, replacing what was there.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer (the value may have been kept).
    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Unavailable>>;

    /// The value kept under `key`, if any (and unexpired).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, Unavailable>>;

    /// Forgets `key` (a value or a recorded key), whether or not it was there.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer (the key may have been forgotten).
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Unavailable>>;
}

/// The in-memory store, for one process: the keys in the guard's bounded [`ExpiringSet`],
/// the families' rotation states and the values beside it, bounded the same way. Full of
/// live entries, it refuses new ones ([`Unavailable`], 503) rather than forget one.
#[derive(Debug)]
pub struct MemoryStore {
    keys: ExpiringSet,
    rotations: Mutex<Held<Rotation>>,
    values: Mutex<Held<String>>,
}

/// Values of one kind (the families' rotation states, the kept values), each until it
/// expires, at most `capacity` live ones.
#[derive(Debug)]
struct Held<T> {
    states: HashMap<String, (T, Instant)>,
    capacity: usize,
}

impl<T> Held<T> {
    fn new(capacity: usize) -> Self {
        Self {
            states: HashMap::new(),
            capacity,
        }
    }

    fn live(&self, key: &str, now: Instant) -> Option<&T> {
        self.states
            .get(key)
            .filter(|(_, until)| *until > now)
            .map(|(state, _)| state)
    }

    fn put(
        &mut self,
        key: &str,
        state: T,
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
    /// An empty store of at most 100,000 live keys, as many families and as many values.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(MEMORY_CAPACITY)
    }

    /// An empty store of at most `capacity` live keys, as many families and as many values.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            keys: ExpiringSet::with_capacity(capacity),
            rotations: Mutex::new(Held::new(capacity)),
            values: Mutex::new(Held::new(capacity)),
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

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Unavailable>> {
        let now = Instant::now();
        let result = self
            .values
            .lock()
            .map_err(|_| Unavailable("poisoned lock"))
            .and_then(|mut values| values.put(key, value.to_owned(), deadline(now, ttl), now));
        Box::pin(std::future::ready(result))
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, Unavailable>> {
        let result = self
            .values
            .lock()
            .map_err(|_| Unavailable("poisoned lock"))
            .map(|values| values.live(key, Instant::now()).cloned());
        Box::pin(std::future::ready(result))
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Unavailable>> {
        let result = self
            .values
            .lock()
            .map_err(|_| Unavailable("poisoned lock"))
            .map(|mut values| {
                values.states.remove(key);
            })
            .and_then(|()| {
                self.keys
                    .remove(key)
                    .map_err(|_| Unavailable("poisoned lock"))
            });
        Box::pin(std::future::ready(result))
    }
}

/// How many replicas must hold a write before it is answered, and how long to wait for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// Replicas that must acknowledge (`WAIT <replicas> <timeout>`); 0: none, no `WAIT`.
    pub replicas: u32,
    /// How long to wait for them before the write fails ([`Unavailable`], 503).
    pub timeout: Duration,
}

impl Ack {
    /// The default for a location: one replica behind Sentinel (which only runs with
    /// replicas), none for a single Redis.
    #[must_use]
    pub fn default_replicas(location: &Location) -> u32 {
        u32::from(location.is_sentinel())
    }
}

/// Whether a write must be acknowledged by replicas before it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Acknowledged by [`Ack::replicas`] replicas before it is answered, or it fails
    /// ([`Unavailable`], 503): every write whose loss would let a token through (a revocation,
    /// a rotation, a used `jti`). Every write of [`Store`] is one.
    Replicated,
    /// On the primary only: reads, and writes whose loss lets no token through (a
    /// throttling counter).
    Primary,
}

/// The Redis store: `SET key 1 NX EX ttl` for "record if absent", `SET key 1 EX ttl` to
/// record, `EXISTS` to check, and the rotation script ([`rotation::LUA`]), on the primary,
/// found at a fixed address or through Sentinel and found again after a failover
/// ([`Primary`]). Every write of [`Store`] is [`Durability::Replicated`]: followed, in the
/// same round trip, by `WAIT <replicas> <timeout>` when [`Ack::replicas`] is not 0, and
/// refused ([`Unavailable`]) when fewer replicas acknowledged it. Reads go to the primary.
///
/// Other writes go through [`RedisStore::command`] and [`RedisStore::script`], saying which
/// [`Durability`] they need. The store is created without connecting, so the service starts
/// while Redis is down and answers 503 until it is back.
#[derive(Clone)]
pub struct RedisStore {
    primary: Arc<Primary>,
    ack: Ack,
    rotation: Arc<redis::Script>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("primary", &self.primary)
            .field("ack", &self.ack)
            .finish_non_exhaustive()
    }
}

/// How long one Redis command (a `WAIT` excepted) may take before the request is answered
/// 503; connecting, and each sentinel's answer, too.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

impl RedisStore {
    /// A store for the Redis at `location`, whose writes are acknowledged as `ack` says;
    /// connected on the first command and found again after any failure.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the URL, or a sentinel's address, is not usable.
    pub fn new(location: Location, ack: Ack) -> Result<Self, Unavailable> {
        let primary = Primary::new(
            location,
            REDIS_TIMEOUT,
            REDIS_TIMEOUT,
            REDIS_TIMEOUT.saturating_add(ack.timeout),
        )
        .map_err(|BadUrl(why)| Unavailable(why))?;
        Ok(Self {
            primary: Arc::new(primary),
            ack,
            rotation: Arc::new(redis::Script::new(rotation::LUA)),
        })
    }

    /// How writes are acknowledged.
    #[must_use]
    pub fn ack(&self) -> Ack {
        self.ack
    }

    /// Runs `command` on the primary, acknowledged as `durability` says.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the primary cannot be reached or does not answer in time, refuses
    /// the command, or (for [`Durability::Replicated`]) too few replicas acknowledged it.
    /// The command may have run all the same: a retry must be safe.
    pub async fn command<T: redis::FromRedisValue>(
        &self,
        command: &redis::Cmd,
        durability: Durability,
    ) -> Result<T, Unavailable> {
        let mut pipe = redis::pipe();
        pipe.add_command(command.clone());
        self.send(pipe, durability, None).await
    }

    /// Runs a script on the primary (loading it if the primary does not have it, as after a
    /// failover), acknowledged as `durability` says.
    ///
    /// # Errors
    ///
    /// As [`RedisStore::command`].
    pub async fn script<T: redis::FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
        durability: Durability,
    ) -> Result<T, Unavailable> {
        let mut pipe = redis::pipe();
        pipe.invoke_script(invocation);
        self.send(pipe, durability, Some(invocation)).await
    }

    /// Sends `pipe` (one command), followed by `WAIT` if it must be acknowledged, in one
    /// round trip; forgets the primary after any failure.
    async fn send<T: redis::FromRedisValue>(
        &self,
        pipe: redis::Pipeline,
        durability: Durability,
        script: Option<&redis::ScriptInvocation<'_>>,
    ) -> Result<T, Unavailable> {
        let acked = durability == Durability::Replicated && self.ack.replicas > 0;
        let link = self
            .link(if acked { Lane::Acked } else { Lane::Read })
            .await?;
        self.send_on(&link, pipe, acked, script).await
    }

    /// A connection of `lane` to the primary, within the command timeout.
    async fn link(&self, lane: Lane) -> Result<Link, Unavailable> {
        Primary::watch(&self.primary);
        let linking = self.primary.link(lane, Instant::now());
        match tokio::time::timeout(REDIS_TIMEOUT, linking).await {
            Ok(Ok(link)) => Ok(link),
            Ok(Err(NoPrimary(why))) => Err(Unavailable(why)),
            Err(_) => Err(Unavailable("redis timed out")),
        }
    }

    /// [`RedisStore::send`] on `link`; `acked`: followed by `WAIT`.
    async fn send_on<T: redis::FromRedisValue>(
        &self,
        link: &Link,
        mut pipe: redis::Pipeline,
        acked: bool,
        script: Option<&redis::ScriptInvocation<'_>>,
    ) -> Result<T, Unavailable> {
        let limit = if acked {
            let wait = self.ack.timeout.as_millis().max(1);
            pipe.cmd("WAIT")
                .arg(self.ack.replicas)
                .arg(wait.to_string());
            REDIS_TIMEOUT.saturating_add(self.ack.timeout)
        } else {
            REDIS_TIMEOUT
        };
        let mut connection = link.connection.clone();
        let sent = tokio::time::timeout(limit, async {
            match pipe.query_async::<Vec<redis::Value>>(&mut connection).await {
                Err(error) if error.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                    let Some(script) = script else {
                        return Err(error);
                    };
                    script.load_async(&mut connection).await?;
                    pipe.query_async::<Vec<redis::Value>>(&mut connection).await
                }
                replies => replies,
            }
        })
        .await;
        let replies = match answer(sent) {
            Ok(replies) => replies,
            Err(unavailable) => {
                self.primary.lost(link, unavailable.0);
                return Err(unavailable);
            }
        };
        let mut replies = replies.into_iter();
        let reply = replies
            .next()
            .and_then(|value| redis::from_redis_value::<T>(value).ok())
            .ok_or(Unavailable("unexpected redis reply"))?;
        if acked {
            let count = replies
                .next()
                .and_then(|value| redis::from_redis_value::<u32>(value).ok())
                .unwrap_or(0);
            if count < self.ack.replicas {
                // The node may be an old primary whose replicas have moved on: find the
                // primary again.
                self.primary.lost(link, NOT_ACKNOWLEDGED.0);
                return Err(NOT_ACKNOWLEDGED);
            }
        }
        Ok(reply)
    }

    /// Whether any of `keys` is recorded; a `true` only once the replicas hold everything
    /// the primary held when it answered. A key read on the primary may come from a write
    /// that was answered 503 (not acknowledged) and that a failover would undo: a refusal
    /// resting on it (a logout's retry answered `revoked`) would tell a client its token is
    /// gone when it comes back after the failover. So a found key is followed, on the same
    /// primary, by a write of [`SETTLE_KEY`] and `WAIT`: the replicas acknowledging it hold
    /// every earlier write too.
    async fn any_settled(&self, keys: &[String]) -> Result<bool, Unavailable> {
        let read = self.link(Lane::Read).await?;
        let mut exists = redis::pipe();
        exists.add_command(redis::Cmd::exists(keys));
        let count: u64 = self.send_on(&read, exists, false, None).await?;
        if count == 0 || self.ack.replicas == 0 {
            return Ok(count > 0);
        }
        let acked = self.link(Lane::Acked).await?;
        if !acked.same_primary(&read) {
            return Err(Unavailable("redis primary changed"));
        }
        let mut settle = redis::pipe();
        settle.add_command(redis::Cmd::set_ex(SETTLE_KEY, 1, 1));
        let () = self.send_on(&acked, settle, true, None).await?;
        Ok(true)
    }
}

/// The key written (for one second) after a key was found, so that `WAIT` covers what was
/// found ([`RedisStore`]'s `any`).
pub const SETTLE_KEY: &str = "jr:settle";

/// Fewer replicas than asked acknowledged a write in time.
const NOT_ACKNOWLEDGED: Unavailable = Unavailable("write not acknowledged by enough replicas");

/// A Redis reply within the timeout, or why not.
fn answer<T>(
    reply: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
) -> Result<T, Unavailable> {
    match reply {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) if error.is_timeout() => Err(Unavailable("redis timed out")),
        Ok(Err(error)) if error.kind() == ErrorKind::Server(ServerErrorKind::ReadOnly) => {
            Err(Unavailable("redis node is a replica"))
        }
        Ok(Err(error)) if error.is_io_error() || error.is_connection_dropped() => {
            Err(Unavailable("redis unreachable"))
        }
        Ok(Err(_)) => Err(Unavailable("redis refused the command")),
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
            let reply: Option<String> = self
                .command(
                    &redis::Cmd::set_options(key, 1, options),
                    Durability::Replicated,
                )
                .await?;
            Ok(reply.is_some())
        })
    }

    fn insert<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            let _: () = self
                .command(
                    &redis::Cmd::set_ex(key, 1, seconds(ttl)),
                    Durability::Replicated,
                )
                .await?;
            Ok(())
        })
    }

    fn any<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<bool, Unavailable>> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(false);
            }
            self.any_settled(keys).await
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
            let reply: String = self.script(&invocation, Durability::Replicated).await?;
            Outcome::from_reply(&reply).ok_or(Unavailable("unexpected script reply"))
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            let _: () = self
                .command(
                    &redis::Cmd::set_ex(key, value, seconds(ttl)),
                    Durability::Replicated,
                )
                .await?;
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, Unavailable>> {
        Box::pin(async move {
            self.command(&redis::Cmd::get(key), Durability::Primary)
                .await
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            let _: u64 = self
                .command(&redis::Cmd::del(key), Durability::Replicated)
                .await?;
            Ok(())
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
