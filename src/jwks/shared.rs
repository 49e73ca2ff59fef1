//! The blocking shared source: a [`KeySetCache`] driven with the caller's HTTP client, safe
//! to share between threads.

use alloc::string::String;
use alloc::sync::Arc;
use core::cell::OnceCell;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, RwLock};

use super::cache::{CachePolicy, KeySetCache, Refetch, Request, Response};
use super::provider::KeyProvider;
use crate::error::{Error, KeySetError, NoKey};
use crate::jwa::Algorithm;
use crate::jwk::KeyRing;
use crate::key::{KeyRef, KeySource};
use crate::limits::Limits;
use crate::time::{Clock, NumericDate, SystemClock};

/// Your HTTP client: makes the cache's [`Request`]s.
///
/// Send `GET` [`request.uri()`](Request::uri) with `If-None-Match:`
/// [`request.if_none_match()`](Request::if_none_match) when it is given; return the status,
/// the body (read at most [`request.max_len()`](Request::max_len) bytes of it: a longer body
/// is refused anyway), and the `ETag` and `Cache-Control` fields; or an error for a network
/// failure, a timeout (set one shorter than the cooldown) or TLS. Redirects are yours to
/// follow or refuse.
///
/// A closure `Fn(&Request) -> Result<Response, E>` is a `Fetch`.
pub trait Fetch {
    /// What a failed fetch reports; [`SharedKeySet`] only counts it as a failure (log it in
    /// your implementation).
    type Error;

    /// Makes `request`.
    ///
    /// # Errors
    ///
    /// Whatever the client reports when no HTTP response was received.
    fn fetch(&self, request: &Request) -> Result<Response, Self::Error>;
}

impl<F, E> Fetch for F
where
    F: Fn(&Request) -> Result<Response, E>,
{
    type Error = E;

    fn fetch(&self, request: &Request) -> Result<Response, E> {
        self(request)
    }
}

/// What readers see without taking the cache's lock: the ring, and until when they may
/// serve it without asking the cache.
#[derive(Clone, Debug)]
struct Snapshot {
    ring: Option<Arc<KeyRing>>,
    serve_until: NumericDate,
}

/// A remote JWK Set shared between threads: a [`KeySetCache`] driven, blocking, with your
/// HTTP client ([`Fetch`]) and a [`Clock`] (the system clock unless
/// [`with_clock`](Self::with_clock)). For an issuer found by discovery, give it a cache made
/// by [`KeySetCache::discover`] ([`from_cache`](Self::from_cache)).
///
/// [`keys`](Self::keys) gives a [`Keys`] snapshot to verify with: a [`KeySource`]. Reading it
/// takes a read lock and an `Arc` clone: threads never wait on each other. The set is
/// fetched lazily, by the first verification that needs it (concurrent first verifications
/// share that one fetch), and refreshed ahead of expiry by the first verification that sees
/// it due; the others keep verifying with the set held meanwhile. To keep every request off
/// the network, call [`refresh_if_due`](Self::refresh_if_due) from a timer thread of your own.
///
/// A token whose `kid` the set does not know causes a refetch within the
/// [`CachePolicy`]: one fetch, whatever the number of threads asking (the others wait for
/// it), and at most one per cooldown. When fetches fail the last good set keeps serving
/// until the maximum staleness, then verification fails closed with
/// [`KeySetError::Stale`].
///
/// ```
/// use jose_ring::jwks::{Request, Response, SharedKeySet};
/// use jose_ring::jwk::{Jwk, JwkSet};
/// use jose_ring::{jwa, jws, SigningKey};
///
/// let signer = SigningKey::generate(&jwa::ES256)?.with_kid("k1");
/// let published: JwkSet = [Jwk::from_verifying_key(&signer.verifying_key())].into_iter().collect();
/// let body = published.to_json()?;
///
/// // Your HTTP client goes here.
/// let fetch = move |_request: &Request| {
///     Ok::<_, std::io::Error>(Response::new(200, body.clone().into_bytes()))
/// };
/// let remote = SharedKeySet::new("https://auth.example/jwks", fetch, &jwa::ASYMMETRIC);
///
/// let token = jws::sign(b"hi", &jws::Header::new(), &signer)?;
/// assert_eq!(jws::verify(&token, &remote.keys()?)?.payload(), b"hi");
/// # Ok::<(), jose_ring::Error>(())
/// ```
pub struct SharedKeySet<F> {
    fetcher: F,
    clock: Arc<dyn Clock>,
    snapshot: RwLock<Snapshot>,
    cache: Mutex<KeySetCache>,
    fetched: Condvar,
}

impl<F: Fetch> SharedKeySet<F> {
    /// A shared set fetched from `jwks_uri` with `fetcher`, its keys bound to `algorithms`
    /// ([`jwa::ASYMMETRIC`](crate::jwa::ASYMMETRIC): as each key allows), on the system
    /// clock, with the default [`CachePolicy`] and [`Limits`]. Nothing is fetched yet.
    #[must_use]
    pub fn new(jwks_uri: impl Into<String>, fetcher: F, algorithms: &[&'static Algorithm]) -> Self {
        Self::from_cache(KeySetCache::new(jwks_uri, algorithms), fetcher)
    }

    /// A shared set driving `cache` (with its policy, limits and algorithms; for an issuer,
    /// one made by [`KeySetCache::discover`]) with `fetcher`, on the system clock.
    #[must_use]
    pub fn from_cache(cache: KeySetCache, fetcher: F) -> Self {
        Self {
            fetcher,
            clock: Arc::new(SystemClock),
            snapshot: RwLock::new(Snapshot {
                ring: None,
                serve_until: NumericDate::MIN,
            }),
            cache: Mutex::new(cache),
            fetched: Condvar::new(),
        }
    }

    /// The same set on another clock (a test clock, a clock shared by a server).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the policy.
    #[must_use]
    pub fn with_policy(self, policy: CachePolicy) -> Self {
        self.reconfigure(|cache| cache.with_policy(policy))
    }

    /// Sets the limits fetched bodies are read with.
    #[must_use]
    pub fn with_limits(self, limits: Limits) -> Self {
        self.reconfigure(|cache| cache.with_limits(limits))
    }

    fn reconfigure(self, change: impl FnOnce(KeySetCache) -> KeySetCache) -> Self {
        let cache = self
            .cache
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Self {
            cache: Mutex::new(change(cache)),
            ..self
        }
    }

    /// The URI the set is fetched from: given, or once discovered.
    #[must_use]
    pub fn jwks_uri(&self) -> Option<String> {
        self.lock().jwks_uri().map(String::from)
    }

    /// The keys to verify with now: a snapshot of the set held, fetched first if none is
    /// (or refreshed, if it is due and no other thread is at it).
    ///
    /// # Errors
    ///
    /// [`KeySetError::NotFetched`] when no fetch has succeeded yet (the first one failed:
    /// [`KeySetError::FetchFailed`], [`KeySetError::Status`] or the body's error, or it is
    /// in cooldown); [`KeySetError::Stale`] beyond the maximum staleness.
    pub fn keys(&self) -> Result<Keys<'_, F>, Error> {
        self.keys_at(self.clock.now())
    }

    /// [`keys`](Self::keys) at `now`, a time the caller has already read (the time its
    /// [`Validation`](crate::jwt::Validation) checks against), saving a clock reading per
    /// verification: the only cost over a plain [`KeyRing`] is then a read lock and an `Arc`
    /// clone. A fetch made still reads the clock for when it completed.
    ///
    /// # Errors
    ///
    /// As [`keys`](Self::keys).
    pub fn keys_at(&self, now: NumericDate) -> Result<Keys<'_, F>, Error> {
        let ring = match self.read() {
            Snapshot {
                ring: Some(ring),
                serve_until,
            } if now < serve_until => ring,
            _ => self.slow_keys(now)?,
        };
        Ok(Keys {
            shared: self,
            ring,
            now,
            refetched: OnceCell::new(),
        })
    }

    /// Fetches now if the set is missing or due and no other thread is fetching: for a
    /// timer thread that keeps every verification off the network.
    ///
    /// # Errors
    ///
    /// The error of the fetch made, as [`keys`](Self::keys) would report it.
    pub fn refresh_if_due(&self) -> Result<(), Error> {
        let now = self.clock.now();
        let request = self.lock().poll(now);
        match request {
            Some(request) => self.fetch(request),
            None => Ok(()),
        }
    }

    /// The snapshot readers see.
    fn read(&self) -> Snapshot {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn lock(&self) -> MutexGuard<'_, KeySetCache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// [`keys`](Self::keys) past the snapshot's time: ask the cache, fetch if it says so
    /// (waiting for the fetch in flight when nothing is held).
    fn slow_keys(&self, now: NumericDate) -> Result<Arc<KeyRing>, Error> {
        let mut cache = self.lock();
        if let Some(request) = cache.poll(now) {
            drop(cache);
            let outcome = self.fetch(request);
            cache = self.lock();
            if cache.fetched_at().is_none() {
                outcome?;
            }
        } else if cache.fetched_at().is_none() {
            cache = self.wait(cache, now);
        }
        let ring = Arc::clone(cache.keys(now)?);
        self.publish(&cache, now);
        Ok(ring)
    }

    /// Waits, while a fetch is in flight, for it to complete.
    fn wait<'a>(
        &self,
        cache: MutexGuard<'a, KeySetCache>,
        now: NumericDate,
    ) -> MutexGuard<'a, KeySetCache> {
        let timeout = core::time::Duration::from_secs(cache.policy().cooldown().max(1));
        let (cache, _) = self
            .fetched
            .wait_timeout_while(cache, timeout, |cache| cache.in_flight(now))
            .unwrap_or_else(PoisonError::into_inner);
        cache
    }

    /// Makes the fetch `request` (and what follows it: the key set after a discovery
    /// document), gives each outcome to the cache, publishes the new state and wakes the
    /// waiters. The cache's lock is not held while fetching.
    fn fetch(&self, mut request: Request) -> Result<(), Error> {
        loop {
            let response = self.fetcher.fetch(&request);
            let now = self.clock.now();
            let mut cache = self.lock();
            let result = match response {
                Ok(response) => cache.complete(request, now, &response),
                Err(_) => {
                    cache.fail(request);
                    Err(KeySetError::FetchFailed.into())
                }
            };
            self.publish(&cache, now);
            drop(cache);
            match result {
                Ok(Some(next)) => request = next,
                done => {
                    self.fetched.notify_all();
                    return done.map(|_| ());
                }
            }
        }
    }

    /// Publishes the cache's state for readers (called with the cache's lock held, so
    /// snapshots are published in order).
    fn publish(&self, cache: &KeySetCache, now: NumericDate) {
        let ring = cache.keys(now).ok().map(Arc::clone);
        let serve_until = cache.next_check(now);
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Snapshot { ring, serve_until };
    }

    /// The ring to retry a token with whose `kid` `seen` does not know: a newer ring if
    /// another thread has fetched one, else one fetch within the policy (or the one in
    /// flight, waited for), else `seen`.
    fn refetch(&self, seen: &Arc<KeyRing>, now: NumericDate) -> Arc<KeyRing> {
        let mut cache = self.lock();
        let newer = |cache: &KeySetCache| {
            cache
                .keys(now)
                .ok()
                .filter(|ring| !Arc::ptr_eq(ring, seen))
                .map(Arc::clone)
        };
        if let Some(ring) = newer(&cache) {
            return ring;
        }
        match cache.unknown_kid(now) {
            Refetch::Fetch(request) => {
                drop(cache);
                // A failure leaves the ring as it was: the kid stays unknown.
                let _ = self.fetch(request);
                cache = self.lock();
            }
            Refetch::Wait => cache = self.wait(cache, now),
            Refetch::Cooldown => {}
        }
        newer(&cache).unwrap_or_else(|| Arc::clone(seen))
    }
}

impl<F> core::fmt::Debug for SharedKeySet<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedKeySet").finish_non_exhaustive()
    }
}

/// The keys of a [`SharedKeySet`] at one moment, to verify one token with: a [`KeySource`].
///
/// A token whose `kid` the snapshot does not know is retried once with the set refetched
/// (within the policy), so that a key rotated in minutes ago verifies.
pub struct Keys<'s, F> {
    shared: &'s SharedKeySet<F>,
    ring: Arc<KeyRing>,
    now: NumericDate,
    refetched: OnceCell<Arc<KeyRing>>,
}

impl<F> Keys<'_, F> {
    /// The ring the snapshot started with.
    #[must_use]
    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }
}

impl<F: Fetch> KeySource for Keys<'_, F> {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        match self.ring.select(alg, kid) {
            Err(Error::NoKey(NoKey::UnknownKid)) => self
                .refetched
                .get_or_init(|| self.shared.refetch(&self.ring, self.now))
                .select(alg, kid),
            found => found,
        }
    }
}

impl<F> core::fmt::Debug for Keys<'_, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keys")
            .field("keys", &self.ring.len())
            .finish_non_exhaustive()
    }
}

impl<F: Fetch> KeyProvider for SharedKeySet<F> {
    type Keys<'a>
        = Keys<'a, F>
    where
        Self: 'a;

    fn keys(&self) -> Result<Keys<'_, F>, Error> {
        Self::keys(self)
    }
}
