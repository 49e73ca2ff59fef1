//! The stores the guard asks about state it cannot keep in a token: DPoP proofs already seen,
//! tokens revoked. Async and dyn-compatible; an error means "cannot tell", and the guard then
//! refuses the request with 503 (fail closed). Their in-memory versions share one bounded,
//! fail-closed set of expiring keys, [`ExpiringSet`], public for applications' own state.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::http::BoxFuture;

/// A store that cannot answer (unreachable, timed out, full). The guard answers 503.
#[derive(Debug)]
pub struct StoreError(Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// An error with its cause. Keep token material out of the cause's text: it is logged.
    #[must_use]
    pub fn new(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(cause.into())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store unavailable: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Where DPoP proofs are recorded once (RFC 9449 §11.1), for as long as they could be
/// replayed.
///
/// The guard calls [`first_use`](Self::first_use) with the proof's
/// [`replay_key`](jose_ring::dpop::VerifiedProof::replay_key) (`"{jkt}:{jti}"`) and its
/// rules' [`replay_window`](jose_ring::dpop::ProofValidation::replay_window) (the maximum age
/// plus twice the leeway) as `ttl`, only for proofs and tokens that passed every other check. For several instances, implement it on
/// a shared store with an atomic "set if absent" (Redis `SET key 1 NX EX ttl`).
pub trait ReplayStore: Send + Sync + 'static {
    /// Records `key` for `ttl` if it is not recorded: `true` if it was not (first use),
    /// `false` if it was (a replay). Atomic: of two concurrent calls with one key, one only
    /// gets `true`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot tell.
    fn first_use<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
}

/// Where revoked tokens are listed by `jti`.
///
/// With a revocation store set, a token without `jti` is refused (`invalid_token`): it could
/// not be revoked.
pub trait RevocationStore: Send + Sync + 'static {
    /// Whether the token with this `jti` is revoked.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot tell.
    fn is_revoked<'a>(&'a self, jti: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
}

/// A bounded set of keys that expire, in this process's memory: the map behind
/// [`MemoryReplayStore`] and [`MemoryRevocationStore`], public so that an application's own
/// in-memory state (sessions, refresh families, ...) is bounded and fails closed the same
/// way.
///
/// Each key lives until its TTL has passed (tokio's clock, so a paused test clock moves it).
/// When the set holds `capacity` live keys it drops the expired ones, and if none has
/// expired it **refuses** the new key with a [`StoreError`] rather than forget a live one:
/// forgetting a seen proof or a revoked token would let it through, refusing answers 503.
///
/// ```
/// use std::time::Duration;
/// use jose_ring_axum::ExpiringSet;
/// let set = ExpiringSet::with_capacity(2);
/// let ttl = Duration::from_secs(60);
/// assert_eq!(set.insert_new("a", ttl).ok(), Some(true));
/// assert_eq!(set.insert_new("a", ttl).ok(), Some(false)); // held: not new
/// set.insert("b", ttl)?;
/// assert!(set.insert("c", ttl).is_err()); // full of live keys: refused
/// assert_eq!(set.contains("b").ok(), Some(true));
/// set.remove("b")?;
/// assert_eq!(set.contains("b").ok(), Some(false));
/// # Ok::<(), jose_ring_axum::StoreError>(())
/// ```
#[derive(Debug)]
pub struct ExpiringSet {
    inner: Mutex<Expiring>,
}

/// The map of an [`ExpiringSet`]: each key with the instant it expires.
#[derive(Debug)]
struct Expiring {
    entries: HashMap<String, Instant>,
    capacity: usize,
}

impl Expiring {
    /// Whether `key` is held and not expired at `now`.
    fn holds(&self, key: &str, now: Instant) -> bool {
        self.entries.get(key).is_some_and(|&until| until > now)
    }

    /// Holds `key` until `until`, or later if it is held longer; when full, drops the
    /// expired entries first.
    fn put(&mut self, key: &str, until: Instant, now: Instant) -> Result<(), StoreError> {
        if let Some(held) = self.entries.get_mut(key) {
            *held = if *held > now {
                (*held).max(until)
            } else {
                until
            };
            return Ok(());
        }
        if self.entries.len() >= self.capacity {
            self.entries.retain(|_, &mut at| at > now);
            if self.entries.len() >= self.capacity {
                return Err(StoreError::new("in-memory store full"));
            }
        }
        self.entries.insert(key.to_owned(), until);
        Ok(())
    }
}

impl ExpiringSet {
    /// A set of at most 100,000 live keys.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A set of at most `capacity` live keys.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Expiring {
                entries: HashMap::new(),
                capacity,
            }),
        }
    }

    /// Records `key` for `ttl` if it is not held: `true` if this call recorded it, `false`
    /// if it was held (and unexpired). Atomic: of two concurrent calls with one key, one
    /// only gets `true`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the set is full of live keys.
    pub fn insert_new(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        self.with(|set, now| {
            if set.holds(key, now) {
                return Ok(false);
            }
            set.put(key, deadline(now, ttl), now).map(|()| true)
        })
    }

    /// Records `key` for `ttl`, or keeps it longer if it is held longer.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the set is full of live keys.
    pub fn insert(&self, key: &str, ttl: Duration) -> Result<(), StoreError> {
        self.with(|set, now| set.put(key, deadline(now, ttl), now))
    }

    /// Whether `key` is held and unexpired.
    ///
    /// # Errors
    ///
    /// None in practice; a [`StoreError`] if a thread panicked while holding the set.
    pub fn contains(&self, key: &str) -> Result<bool, StoreError> {
        self.with(|set, now| Ok(set.holds(key, now)))
    }

    /// Forgets `key` now, held or not (a lock released before its TTL).
    ///
    /// # Errors
    ///
    /// None in practice; a [`StoreError`] if a thread panicked while holding the set.
    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.with(|set, _| {
            set.entries.remove(key);
            Ok(())
        })
    }

    /// The keys held, expired ones not yet dropped included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |set| set.entries.len())
    }

    /// Whether no key is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Expiring, Instant) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut set = self
            .inner
            .lock()
            .map_err(|_| StoreError::new("in-memory store poisoned"))?;
        f(&mut set, Instant::now())
    }
}

impl Default for ExpiringSet {
    fn default() -> Self {
        Self::new()
    }
}

/// `now + ttl`, or `now` (already expired) if that is beyond the clock's range.
fn deadline(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl).unwrap_or(now)
}

/// The default capacity of the in-memory stores.
const DEFAULT_CAPACITY: usize = 100_000;

/// A [`ReplayStore`] in this process's memory: for one instance. Entries expire after their
/// TTL (tokio's clock); when it holds `capacity` live entries it refuses new ones with a
/// [`StoreError`] (503: fail closed) rather than forget.
///
/// ```
/// use std::time::Duration;
/// use jose_ring_axum::{MemoryReplayStore, ReplayStore};
/// # tokio_test_block_on(async {
/// let store = MemoryReplayStore::new();
/// let ttl = Duration::from_secs(120);
/// assert_eq!(store.first_use("jkt:jti-1", ttl).await.ok(), Some(true));
/// assert_eq!(store.first_use("jkt:jti-1", ttl).await.ok(), Some(false)); // replayed
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Default)]
pub struct MemoryReplayStore {
    set: ExpiringSet,
}

impl MemoryReplayStore {
    /// A store of at most 100,000 live entries.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store of at most `capacity` live entries.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            set: ExpiringSet::with_capacity(capacity),
        }
    }
}

impl ReplayStore for MemoryReplayStore {
    fn first_use<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(std::future::ready(self.set.insert_new(key, ttl)))
    }
}

/// A [`RevocationStore`] in this process's memory: [`revoke`](Self::revoke) a `jti` until
/// the token would have expired anyway.
#[derive(Debug, Default)]
pub struct MemoryRevocationStore {
    set: ExpiringSet,
}

impl MemoryRevocationStore {
    /// A store of at most 100,000 live entries.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store of at most `capacity` live entries.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            set: ExpiringSet::with_capacity(capacity),
        }
    }

    /// Lists `jti` as revoked for `ttl` (the token's remaining lifetime).
    ///
    /// # Errors
    ///
    /// [`StoreError`] if the store is full of live entries.
    pub fn revoke(&self, jti: &str, ttl: Duration) -> Result<(), StoreError> {
        self.set.insert(jti, ttl)
    }
}

impl RevocationStore for MemoryRevocationStore {
    fn is_revoked<'a>(&'a self, jti: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(std::future::ready(self.set.contains(jti)))
    }
}

impl<T: ReplayStore + ?Sized> ReplayStore for std::sync::Arc<T> {
    fn first_use<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        (**self).first_use(key, ttl)
    }
}

impl<T: RevocationStore + ?Sized> RevocationStore for std::sync::Arc<T> {
    fn is_revoked<'a>(&'a self, jti: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        (**self).is_revoked(jti)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn replay_entries_expire_after_their_ttl() {
        let store = MemoryReplayStore::new();
        let ttl = Duration::from_secs(60);
        assert!(matches!(store.first_use("k", ttl).await, Ok(true)));
        assert!(matches!(store.first_use("k", ttl).await, Ok(false)));
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(matches!(store.first_use("k", ttl).await, Ok(false)));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(matches!(store.first_use("k", ttl).await, Ok(true)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_store_fails_closed_until_entries_expire() {
        let store = MemoryReplayStore::with_capacity(2);
        let ttl = Duration::from_secs(10);
        assert!(matches!(store.first_use("a", ttl).await, Ok(true)));
        assert!(matches!(store.first_use("b", ttl).await, Ok(true)));
        assert!(store.first_use("c", ttl).await.is_err());
        // Seen keys are still answered while full.
        assert!(matches!(store.first_use("a", ttl).await, Ok(false)));
        tokio::time::advance(ttl).await;
        assert!(matches!(store.first_use("c", ttl).await, Ok(true)));
    }

    #[tokio::test(start_paused = true)]
    async fn an_insert_keeps_the_later_expiry() {
        let set = ExpiringSet::with_capacity(1);
        set.insert("k", Duration::from_secs(60)).unwrap();
        set.insert("k", Duration::from_secs(10)).unwrap();
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(set.contains("k").unwrap(), "the longer ttl holds");
        assert!(!set.insert_new("k", Duration::from_secs(5)).unwrap());
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(!set.contains("k").unwrap());
        // Expired, a key is new again; the slot it held is reused though the set is full.
        assert!(set.insert_new("k", Duration::from_secs(5)).unwrap());
        assert_eq!(set.len(), 1);
        assert_eq!(
            set.insert("other", Duration::from_secs(5))
                .unwrap_err()
                .to_string(),
            "store unavailable: in-memory store full"
        );
        tokio::time::advance(Duration::from_secs(5)).await;
        set.insert("other", Duration::from_secs(5)).unwrap();
        assert_eq!((set.len(), set.contains("k").unwrap()), (1, false));
    }

    #[tokio::test(start_paused = true)]
    async fn revocations_last_their_ttl() {
        let store = MemoryRevocationStore::new();
        assert!(matches!(store.is_revoked("j").await, Ok(false)));
        assert!(store.revoke("j", Duration::from_secs(30)).is_ok());
        assert!(matches!(store.is_revoked("j").await, Ok(true)));
        assert!(matches!(store.is_revoked("other").await, Ok(false)));
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(matches!(store.is_revoked("j").await, Ok(false)));
    }
}
