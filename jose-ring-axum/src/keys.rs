//! Where the guard's keys come from: fixed rings, a handle the application replaces, or an
//! identity provider's key set (found by discovery or given by its URI), kept fresh by the
//! library's [`KeySetCache`] and fetched asynchronously, one fetch at a time; requests read a
//! snapshot of it without taking the cache's lock.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jose_ring::jwk::KeyRing;
#[cfg(feature = "metrics")]
use jose_ring::jwks::CacheState;
use jose_ring::jwks::{KeyProvider, KeySetCache, Refetch, Request, Target};
use jose_ring::jwt::{Clock, NumericDate};
use jose_ring::{Error, KeyRef, KeySource};
use tokio::sync::watch;

use crate::counters::{Cells, FetchResult, KeyCells, UnknownKid};
use crate::http::{FetchError, HttpClient};

/// A key ring the application can replace while the guard runs: for a service that rotates
/// its own signing keys. Cheap to clone (an `Arc` inside); every clone sees a replacement at
/// once, and a verification in progress keeps the ring it started with.
///
/// ```
/// use jose_ring::{jwa, jwk::KeyRing, SigningKey};
/// use jose_ring_axum::StaticKeys;
/// let old = SigningKey::generate(&jwa::ES256)?.with_kid("1");
/// let keys = StaticKeys::new(KeyRing::new().with_verifying_key(old.verifying_key()));
/// let new = SigningKey::generate(&jwa::ES256)?.with_kid("2");
/// keys.replace(KeyRing::new().with_verifying_key(old.verifying_key()).with_verifying_key(new.verifying_key()));
/// assert_eq!(keys.current().len(), 2);
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct StaticKeys {
    ring: Arc<RwLock<Arc<KeyRing>>>,
}

impl StaticKeys {
    /// A handle holding `ring`.
    #[must_use]
    pub fn new(ring: KeyRing) -> Self {
        Self {
            ring: Arc::new(RwLock::new(Arc::new(ring))),
        }
    }

    /// Replaces the ring: the next verification uses `ring`.
    pub fn replace(&self, ring: KeyRing) {
        *self.ring.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(ring);
    }

    /// The ring held now.
    #[must_use]
    pub fn current(&self) -> Arc<KeyRing> {
        Arc::clone(&self.ring.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A ring held by an `Arc`, as a [`KeySource`].
#[derive(Debug, Clone)]
pub(crate) struct Snapshot(pub(crate) Arc<KeyRing>);

impl KeySource for Snapshot {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        self.0.select(alg, kid)
    }
}

/// The keys of one issuer among several, for the library's [`Issuers`](jose_ring::jwks::Issuers).
#[derive(Debug)]
pub(crate) struct IssuerKeys(pub(crate) Arc<Remote>);

impl KeyProvider for IssuerKeys {
    type Keys<'a> = Snapshot;

    fn keys(&self) -> Result<Snapshot, Error> {
        self.0.held().map(Snapshot)
    }
}

/// How a remote key set is fetched.
pub(crate) struct RemoteConfig {
    pub(crate) client: Arc<dyn HttpClient>,
    pub(crate) fetch_timeout: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) counters: Arc<Cells>,
}

/// What a request may do with the keys now.
pub(crate) enum Lookup {
    /// Verify with these.
    Ready(Arc<KeyRing>),
    /// A fetch is in flight (maybe started for this request): wait for it, then look again.
    Wait(watch::Receiver<u64>),
    /// No keys, and no fetch may start before `retry_after` seconds.
    Unavailable { retry_after: u64 },
}

/// What a token with an unknown `kid` may do.
pub(crate) enum Unknown {
    /// A newer set than the one the token was tried with is held (a fetch ended meanwhile):
    /// try this one.
    Newer(Arc<KeyRing>),
    /// Wait for the fetch in flight, then look again.
    Wait(watch::Receiver<u64>),
    /// A fetch an unknown `kid` caused started less than the cooldown ago: the `kid` stays
    /// unknown.
    Cooldown,
}

/// What requests read without taking the cache's lock: the ring, and until when they may
/// serve it without asking the cache (its [`KeySetCache::next_check`]).
#[derive(Clone, Debug)]
struct Published {
    ring: Option<Arc<KeyRing>>,
    serve_until: NumericDate,
}

/// The cache and when its last fetch started (for `Retry-After`).
#[derive(Debug)]
struct State {
    cache: KeySetCache,
    started: Option<NumericDate>,
}

/// A remote key set: the library's [`KeySetCache`] behind a mutex held for microseconds and
/// never across a fetch, a published snapshot that requests read with a read lock and an
/// `Arc` clone until the cache's next check is due, and a watch channel that wakes every
/// waiter when a fetch ends. Fetches run in their own task, so a request that goes away never
/// cancels one.
pub(crate) struct Remote {
    /// The issuer, for a set found by discovery.
    issuer: Option<String>,
    /// The issuer, or the JWKS URI given: what metrics name the set by.
    #[cfg_attr(
        not(feature = "metrics"),
        allow(dead_code, reason = "read by metrics.rs")
    )]
    label: String,
    config: RemoteConfig,
    cells: KeyCells,
    published: RwLock<Published>,
    state: Mutex<State>,
    done: watch::Sender<u64>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl Remote {
    /// A remote set driven by `cache`, empty: nothing is fetched before the first request
    /// needs it.
    pub(crate) fn new(cache: KeySetCache, config: RemoteConfig) -> Arc<Self> {
        let issuer = cache.issuer().map(str::to_owned);
        let label = issuer
            .clone()
            .or_else(|| cache.jwks_uri().map(str::to_owned))
            .unwrap_or_default();
        Arc::new(Self {
            issuer,
            label,
            config,
            cells: KeyCells::default(),
            published: RwLock::new(Published {
                ring: None,
                serve_until: NumericDate::MIN,
            }),
            state: Mutex::new(State {
                cache,
                started: None,
            }),
            done: watch::Sender::new(0),
        })
    }

    /// The issuer, for a set found by discovery.
    pub(crate) fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    #[cfg(feature = "metrics")]
    /// The issuer, or the JWKS URI this set was given: bounded by configuration.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    #[cfg(feature = "metrics")]
    /// Its fetch and unknown-`kid` counters.
    pub(crate) fn cells(&self) -> &KeyCells {
        &self.cells
    }

    #[cfg(feature = "metrics")]
    /// The number of keys held and the state of the set now.
    pub(crate) fn state(&self) -> (usize, CacheState) {
        let now = self.config.clock.now();
        let state = self.lock();
        let keys = state.cache.keys(now).map_or(0, |ring| ring.len());
        (keys, state.cache.freshness(now))
    }

    /// The keys now, or what to do without them. Until the cache's next check is due, the
    /// published snapshot; then the cache, which may start a fetch (in the background when
    /// keys are held: a request with known keys never waits).
    pub(crate) fn lookup(self: &Arc<Self>) -> Lookup {
        let now = self.config.clock.now();
        {
            let published = self
                .published
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            if let (Some(ring), true) = (&published.ring, now < published.serve_until) {
                return Lookup::Ready(Arc::clone(ring));
            }
        }
        let mut state = self.lock();
        let request = state.cache.poll(now);
        if request.is_some() {
            state.started = Some(now);
        }
        let held = state.cache.keys(now).map(Arc::clone);
        let in_flight = state.cache.in_flight(now);
        let retry_at = state
            .started
            .map_or(now, |at| at.saturating_add(cooldown(&state.cache)));
        self.publish(&state, now);
        let waiter = self.done.subscribe();
        drop(state);
        if let Some(request) = request {
            self.spawn(request);
        }
        match held {
            Ok(ring) => Lookup::Ready(ring),
            Err(_) if in_flight => Lookup::Wait(waiter),
            Err(_) => Lookup::Unavailable {
                retry_after: seconds_until(now, retry_at),
            },
        }
    }

    /// A token's `kid` is not in `seen`, the set it was tried with: a newer set if one is
    /// held, else a refetch if the cache allows one, shared with every other asker.
    pub(crate) fn unknown_kid(self: &Arc<Self>, seen: &Arc<KeyRing>) -> Unknown {
        let now = self.config.clock.now();
        let mut state = self.lock();
        if let Ok(ring) = state.cache.keys(now) {
            if !Arc::ptr_eq(ring, seen) {
                self.cells.unknown_kid(UnknownKid::Newer);
                return Unknown::Newer(Arc::clone(ring));
            }
        }
        let waiter = self.done.subscribe();
        match state.cache.unknown_kid(now) {
            Refetch::Fetch(request) => {
                state.started = Some(now);
                self.publish(&state, now);
                drop(state);
                self.cells.unknown_kid(UnknownKid::Fetch);
                self.spawn(request);
                Unknown::Wait(waiter)
            }
            Refetch::Wait => {
                self.cells.unknown_kid(UnknownKid::Wait);
                Unknown::Wait(waiter)
            }
            Refetch::Cooldown => {
                self.cells.unknown_kid(UnknownKid::Cooldown);
                Unknown::Cooldown
            }
        }
    }

    /// The keys held now, without starting anything.
    pub(crate) fn held(&self) -> Result<Arc<KeyRing>, Error> {
        let now = self.config.clock.now();
        self.lock().cache.keys(now).map(Arc::clone)
    }

    /// Waits for the fetch `waiter` was subscribed before, at most the fetch timeout (plus a
    /// second): `false` if it did not end in time.
    pub(crate) async fn wait(&self, mut waiter: watch::Receiver<u64>) -> bool {
        let limit = self
            .config
            .fetch_timeout
            .saturating_add(Duration::from_secs(1));
        matches!(
            tokio::time::timeout(limit, waiter.changed()).await,
            Ok(Ok(()))
        )
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes the cache's state for requests (with the cache's lock held, so snapshots
    /// are published in order).
    fn publish(&self, state: &State, now: NumericDate) {
        let published = Published {
            ring: state.cache.keys(now).ok().map(Arc::clone),
            serve_until: state.cache.next_check(now),
        };
        *self
            .published
            .write()
            .unwrap_or_else(PoisonError::into_inner) = published;
    }

    /// Runs the fetch `request` in its own tokio task, or gives it up outside a runtime.
    fn spawn(self: &Arc<Self>, request: Request) {
        let this = Arc::clone(self);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move { this.fetch(request).await });
            }
            Err(_) => {
                // No runtime to run a fetch on: give it up, so that the cache may start
                // another, and wake the waiters.
                let mut state = this.lock();
                state.cache.fail(request);
                this.publish(&state, this.config.clock.now());
                drop(state);
                this.done.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
    }

    /// Makes the fetch `request` and each part the cache asks next (the key set a discovery
    /// document names), gives each outcome to the cache, publishes, then wakes the waiters.
    async fn fetch(self: Arc<Self>, mut request: Request) {
        loop {
            let next = self.fetch_one(request).await;
            match next {
                Some(next) => request = next,
                None => break,
            }
        }
        self.done.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// One `GET`, bounded by the fetch timeout; its outcome given to the cache, counted and
    /// logged. Returns the next part of the fetch, if any.
    async fn fetch_one(&self, request: Request) -> Option<Request> {
        let started = Instant::now();
        let uri = request.uri().to_owned();
        let discovery = request.target() == Target::Discovery;
        let kind = if discovery { "discovery" } else { "jwks" };
        let result =
            tokio::time::timeout(self.config.fetch_timeout, self.config.client.get(&request))
                .await
                .unwrap_or(Err(FetchError::Timeout));
        let now = self.config.clock.now();
        let mut state = self.lock();
        let (next, result, status, error) = match result {
            Ok(response) => {
                let status = response.status();
                match state.cache.complete(request, now, &response) {
                    Ok(next) if status == 304 => (next, FetchResult::NotModified, status, None),
                    Ok(next) => (next, FetchResult::Ok, status, None),
                    Err(error) => (None, FetchResult::Refused, status, Some(error.to_string())),
                }
            }
            Err(error) => {
                state.cache.fail(request);
                let result = if matches!(error, FetchError::Timeout) {
                    FetchResult::Timeout
                } else {
                    FetchResult::Failed
                };
                (None, result, 0, Some(error.to_string()))
            }
        };
        let outcome = result.as_str();
        self.cells.fetched(discovery, result);
        let keys = state.cache.keys(now).map_or(0, |ring| ring.len());
        self.publish(&state, now);
        drop(state);
        let ok = error.is_none();
        self.config.counters.fetched(ok);
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if ok {
            tracing::info!(target: "jose_ring_axum", kind, uri, outcome, status, duration_ms, keys, "key set fetched");
        } else {
            tracing::warn!(target: "jose_ring_axum", kind, uri, outcome, status, duration_ms, keys, error = error.as_deref().unwrap_or(""), "key set fetch failed");
        }
        next
    }
}

/// The cache's cooldown, in signed seconds.
fn cooldown(cache: &KeySetCache) -> i64 {
    i64::try_from(cache.policy().cooldown()).unwrap_or(i64::MAX)
}

/// Whole seconds from `now` to `at`, at least 1.
fn seconds_until(now: NumericDate, at: NumericDate) -> u64 {
    u64::try_from(at.seconds_since(now)).unwrap_or(0).max(1)
}
