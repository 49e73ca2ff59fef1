//! Where the guard's keys come from: fixed rings, a handle the application replaces, or an
//! identity provider's JWKS kept fresh by [`KeySetCache`] and fetched asynchronously, one
//! fetch at a time.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jose_ring::jwa::Algorithm;
use jose_ring::jwk::KeyRing;
use jose_ring::jwks::{
    CachePolicy, Discovery, KeySetCache, Refetch, Request, UriPolicy, WellKnown, discovery_uri,
};
use jose_ring::jwt::{Clock, NumericDate};
use jose_ring::{Error, KeyRef, KeySetError, KeySource, Limits};
use tokio::sync::watch;

use crate::counters::Cells;
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

/// Where a remote key set is found.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    /// A JWKS URI, given.
    Jwks(String),
    /// An issuer whose discovery document names the JWKS URI.
    Issuer {
        /// The issuer, as tokens name it.
        issuer: String,
        /// Its discovery document.
        document: String,
    },
}

/// The settings of a remote key set.
#[derive(Clone)]
pub(crate) struct RemoteConfig {
    pub(crate) client: Arc<dyn HttpClient>,
    pub(crate) uris: UriPolicy,
    pub(crate) algorithms: Vec<&'static Algorithm>,
    pub(crate) policy: CachePolicy,
    pub(crate) limits: Limits,
    pub(crate) fetch_timeout: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) counters: Arc<Cells>,
}

/// Where a remote set stands.
#[derive(Debug)]
enum Phase {
    /// The JWKS URI is not known yet: discovery first.
    Discover {
        last_attempt: Option<NumericDate>,
        in_flight: bool,
    },
    /// The JWKS URI is known; the cache says when to fetch. `started` is when the last
    /// fetch started (for `Retry-After`).
    Ready {
        cache: Box<KeySetCache>,
        uri: String,
        started: Option<NumericDate>,
    },
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
    /// Wait for the fetch in flight, then look again.
    Wait(watch::Receiver<u64>),
    /// A fetch started less than the cooldown ago: the `kid` stays unknown.
    Cooldown,
}

/// A remote key set: the cache policy behind a mutex held for microseconds, never across a
/// fetch, and a watch channel that wakes every waiter when a fetch ends. Fetches run in
/// their own task, so a request that goes away never cancels one.
pub(crate) struct Remote {
    location: Location,
    config: RemoteConfig,
    phase: Mutex<Phase>,
    done: watch::Sender<u64>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Remote {
    /// A remote set, empty: nothing is fetched before the first request needs it.
    pub(crate) fn new(location: Location, config: RemoteConfig) -> Arc<Self> {
        let phase = match &location {
            Location::Jwks(uri) => Phase::Ready {
                cache: Box::new(new_cache(&config, uri)),
                uri: uri.clone(),
                started: None,
            },
            Location::Issuer { .. } => Phase::Discover {
                last_attempt: None,
                in_flight: false,
            },
        };
        Arc::new(Self {
            location,
            config,
            phase: Mutex::new(phase),
            done: watch::Sender::new(0),
        })
    }

    /// The issuer, for a set found by discovery.
    pub(crate) fn issuer(&self) -> Option<&str> {
        match &self.location {
            Location::Issuer { issuer, .. } => Some(issuer),
            Location::Jwks(_) => None,
        }
    }

    /// The keys at `now`, or what to do without them; starts the fetch that is due (in the
    /// background when keys are held: a request with known keys never waits).
    pub(crate) fn lookup(self: &Arc<Self>) -> Lookup {
        let now = self.config.clock.now();
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *phase {
            Phase::Discover {
                last_attempt,
                in_flight,
            } => {
                let cooldown = i64::try_from(self.config.policy.cooldown()).unwrap_or(i64::MAX);
                let allowed = last_attempt.map_or(now, |at| at.saturating_add(cooldown));
                if *in_flight {
                    return Lookup::Wait(self.done.subscribe());
                }
                if now < allowed {
                    return Lookup::Unavailable {
                        retry_after: seconds_until(now, allowed),
                    };
                }
                *in_flight = true;
                *last_attempt = Some(now);
                let waiter = self.done.subscribe();
                drop(phase);
                self.spawn(Task::Discover);
                Lookup::Wait(waiter)
            }
            Phase::Ready {
                cache,
                uri,
                started,
            } => {
                let held = cache.keys(now).map(Arc::clone);
                let request = cache.poll(now);
                if request.is_some() {
                    *started = Some(now);
                }
                let uri = uri.clone();
                let in_flight = cache.in_flight(now);
                let cooldown = i64::try_from(self.config.policy.cooldown()).unwrap_or(i64::MAX);
                let next = started.map_or(now, |at| at.saturating_add(cooldown));
                let waiter = self.done.subscribe();
                drop(phase);
                if let Some(request) = request {
                    self.spawn(Task::Jwks(request, uri));
                    return held.map_or(Lookup::Wait(waiter), Lookup::Ready);
                }
                match held {
                    Ok(ring) => Lookup::Ready(ring),
                    Err(_) if in_flight => Lookup::Wait(waiter),
                    Err(_) => Lookup::Unavailable {
                        retry_after: seconds_until(now, next),
                    },
                }
            }
        }
    }

    /// A token's `kid` is not in the set held: refetch if the cooldown allows, sharing the
    /// fetch with every other asker.
    pub(crate) fn unknown_kid(self: &Arc<Self>) -> Unknown {
        let now = self.config.clock.now();
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        let Phase::Ready {
            cache,
            uri,
            started,
        } = &mut *phase
        else {
            return Unknown::Cooldown;
        };
        let waiter = self.done.subscribe();
        match cache.unknown_kid(now) {
            Refetch::Fetch(request) => {
                *started = Some(now);
                let uri = uri.clone();
                drop(phase);
                self.spawn(Task::Jwks(request, uri));
                Unknown::Wait(waiter)
            }
            Refetch::Wait => Unknown::Wait(waiter),
            Refetch::Cooldown => Unknown::Cooldown,
        }
    }

    /// The keys held now, without starting anything.
    pub(crate) fn held(&self) -> Result<Arc<KeyRing>, Error> {
        let now = self.config.clock.now();
        let phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        match &*phase {
            Phase::Ready { cache, .. } => cache.keys(now).map(Arc::clone),
            Phase::Discover { .. } => Err(KeySetError::NotFetched.into()),
        }
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

    /// Runs `task` in its own tokio task, or in place outside a runtime.
    fn spawn(self: &Arc<Self>, task: Task) {
        let this = Arc::clone(self);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move { this.run(task).await });
            }
            Err(_) => {
                // No runtime to run a fetch on: give the fetch up, so that the cache takes
                // it as lost after the cooldown, and wake the waiters.
                this.abandon(task);
            }
        }
    }

    /// Ends a task that cannot run.
    fn abandon(&self, task: Task) {
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        match (task, &mut *phase) {
            (Task::Jwks(request, _), Phase::Ready { cache, .. }) => cache.fail(request),
            (_, Phase::Discover { in_flight, .. }) => *in_flight = false,
            (Task::Discover, Phase::Ready { .. }) => {}
        }
        drop(phase);
        self.done.send_modify(|n| *n = n.wrapping_add(1));
    }

    async fn run(self: Arc<Self>, task: Task) {
        match task {
            Task::Jwks(request, uri) => self.fetch_jwks(request, &uri).await,
            Task::Discover => self.discover().await,
        }
        self.done.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// `GET uri`, bounded by the fetch timeout.
    async fn get(
        &self,
        uri: &str,
        etag: Option<&str>,
    ) -> Result<jose_ring::jwks::Response, FetchError> {
        tokio::time::timeout(self.config.fetch_timeout, self.config.client.get(uri, etag))
            .await
            .unwrap_or(Err(FetchError::Timeout))
    }

    async fn fetch_jwks(&self, request: Request, uri: &str) {
        let started = Instant::now();
        let result = self.get(uri, request.if_none_match()).await;
        let now = self.config.clock.now();
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        let Phase::Ready { cache, .. } = &mut *phase else {
            return;
        };
        let (outcome, status, error) = match result {
            Ok(response) => {
                let status = response.status();
                match cache.complete(request, now, &response) {
                    Ok(_) if status == 304 => ("not_modified", status, None),
                    Ok(_) => ("ok", status, None),
                    Err(error) => ("refused", status, Some(error.to_string())),
                }
            }
            Err(error) => {
                cache.fail(request);
                let outcome = if matches!(error, FetchError::Timeout) {
                    "timeout"
                } else {
                    "failed"
                };
                (outcome, 0, Some(error.to_string()))
            }
        };
        let keys = cache.keys(now).map_or(0, |ring| ring.len());
        drop(phase);
        let ok = error.is_none();
        self.config.counters.fetched(ok);
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if ok {
            tracing::info!(target: "jose_ring_axum", kind = "jwks", uri, outcome, status, duration_ms, keys, "key set fetched");
        } else {
            tracing::warn!(target: "jose_ring_axum", kind = "jwks", uri, outcome, status, duration_ms, keys, error = error.as_deref().unwrap_or(""), "key set fetch failed");
        }
    }

    async fn discover(&self) {
        let Location::Issuer { issuer, document } = &self.location else {
            return;
        };
        let started = Instant::now();
        let result = self.get(document, None).await;
        let found = match result {
            Ok(response) if response.status() == 200 => {
                Discovery::from_json(response.body(), issuer, self.config.uris)
                    .map_err(|e| e.to_string())
            }
            Ok(response) => Err(format!("status {}", response.status())),
            Err(error) => Err(error.to_string()),
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let now = self.config.clock.now();
        match found {
            Ok(discovery) => {
                let mut cache = new_cache(&self.config, discovery.jwks_uri());
                let request = cache.poll(now);
                let uri = discovery.jwks_uri().to_owned();
                *self.phase.lock().unwrap_or_else(PoisonError::into_inner) = Phase::Ready {
                    cache: Box::new(cache),
                    uri: uri.clone(),
                    started: Some(now),
                };
                self.config.counters.fetched(true);
                tracing::info!(target: "jose_ring_axum", kind = "discovery", uri = document.as_str(), outcome = "ok", duration_ms, jwks_uri = uri.as_str(), "discovery document fetched");
                if let Some(request) = request {
                    self.fetch_jwks(request, &uri).await;
                }
            }
            Err(error) => {
                if let Phase::Discover { in_flight, .. } =
                    &mut *self.phase.lock().unwrap_or_else(PoisonError::into_inner)
                {
                    *in_flight = false;
                }
                self.config.counters.fetched(false);
                tracing::warn!(target: "jose_ring_axum", kind = "discovery", uri = document.as_str(), outcome = "failed", duration_ms, error = error.as_str(), "discovery failed");
            }
        }
    }
}

/// A fetch to run.
enum Task {
    Discover,
    Jwks(Request, String),
}

fn new_cache(config: &RemoteConfig, jwks_uri: &str) -> KeySetCache {
    KeySetCache::new(jwks_uri, &config.algorithms)
        .with_policy(config.policy)
        .with_limits(config.limits)
}

/// Whole seconds from `now` to `at`, at least 1.
fn seconds_until(now: NumericDate, at: NumericDate) -> u64 {
    u64::try_from(at.seconds_since(now)).unwrap_or(0).max(1)
}

/// The discovery document of `issuer`.
///
/// # Errors
///
/// Those of [`discovery_uri`].
pub(crate) fn document_uri(issuer: &str, kind: WellKnown) -> Result<String, Error> {
    discovery_uri(issuer, kind, UriPolicy::AllowHttpLoopback)
}
