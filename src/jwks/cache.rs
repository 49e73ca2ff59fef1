//! The key-set cache: the policy that says when to fetch a JWK Set (and, for an issuer, its
//! discovery document first), fed with times and HTTP outcomes; it never fetches itself.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::cache_control::{self, Freshness};
use super::discovery::{self, Discovery, WellKnown};
use super::uri::UriPolicy;
use crate::error::{Error, KeySetError};
use crate::jwa::Algorithm;
use crate::jwk::{JwkSet, KeyRing};
use crate::limits::Limits;
use crate::time::NumericDate;

/// How long a fetched key set serves, and how often it may be fetched.
///
/// | Setting | Default | Why |
/// |---|---|---|
/// | lifetime without `max-age` | 10 min | panva/jose's `createRemoteJWKSet` default |
/// | `max-age` clamped to | 1 min ..= 12 h | a provider sending `max-age=0` or `no-store` costs at most a fetch a minute; one sending a week is still re-read twice a day (Microsoft IdentityModel's automatic refresh interval) |
/// | refresh ahead | the last quarter of the lifetime | the set is replaced before it expires, so no verification waits on a fetch |
/// | cooldown | 30 s | panva/jose's default. Between two fetches an unknown `kid` causes, counted from the last such fetch only, so the first token signed with a key rotated in unannounced (an emergency rotation) refetches at once, even right after a scheduled or the first fetch, while a flood of tokens with made-up `kid`s costs one request per 30 s. Scheduled fetches and retries after a failure are 30 s apart too. IdentityModel's 5 min floor is slower to pick up a rotated key |
/// | maximum staleness | 1 h past expiry | IdentityModel's "last known good" lifetime: an outage shorter than this is invisible to users; after it, verification fails closed ([`KeySetError::Stale`]) |
///
/// ```
/// use jose_ring::jwks::CachePolicy;
/// let policy = CachePolicy::DEFAULT.with_cooldown(60).with_max_stale(6 * 3600);
/// assert_eq!((policy.cooldown(), policy.max_stale()), (60, 21_600));
/// assert_eq!(CachePolicy::default().default_max_age(), 600);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    default_max_age: u64,
    min_max_age: u64,
    max_max_age: u64,
    cooldown: u64,
    max_stale: u64,
}

impl CachePolicy {
    /// The defaults of the table above.
    pub const DEFAULT: Self = Self {
        default_max_age: 600,
        min_max_age: 60,
        max_max_age: 12 * 3600,
        cooldown: 30,
        max_stale: 3600,
    };

    /// Sets the lifetime of a set whose response has no `Cache-Control: max-age` (clamped
    /// like `max-age`).
    #[must_use]
    pub const fn with_default_max_age(mut self, seconds: u64) -> Self {
        self.default_max_age = seconds;
        self
    }

    /// Sets the bounds `max-age` is clamped to; `no-store` and `no-cache` mean `min`. A `max`
    /// below `min` is raised to `min`.
    #[must_use]
    pub const fn with_max_age_bounds(mut self, min: u64, max: u64) -> Self {
        self.min_max_age = min;
        self.max_max_age = if max < min { min } else { max };
        self
    }

    /// Sets the least time between two fetches an unknown `kid` causes, and between two
    /// fetches started on schedule or after a failure. A fetch not completed within it is taken
    /// as lost.
    #[must_use]
    pub const fn with_cooldown(mut self, seconds: u64) -> Self {
        self.cooldown = seconds;
        self
    }

    /// Sets how long past its expiry the last good set keeps serving while fetches fail.
    #[must_use]
    pub const fn with_max_stale(mut self, seconds: u64) -> Self {
        self.max_stale = seconds;
        self
    }

    /// The lifetime of a set whose response has no `max-age`.
    #[must_use]
    pub const fn default_max_age(&self) -> u64 {
        self.default_max_age
    }

    /// The bounds `max-age` is clamped to.
    #[must_use]
    pub const fn max_age_bounds(&self) -> (u64, u64) {
        (self.min_max_age, self.max_max_age)
    }

    /// The least time between two fetches started.
    #[must_use]
    pub const fn cooldown(&self) -> u64 {
        self.cooldown
    }

    /// How long past its expiry the last good set keeps serving.
    #[must_use]
    pub const fn max_stale(&self) -> u64 {
        self.max_stale
    }

    /// The lifetime a response's `Cache-Control` field gives, clamped.
    fn lifetime(&self, cache_control: Option<&str>) -> u64 {
        let (min, max) = (self.min_max_age, self.max_max_age);
        match cache_control.map_or(Freshness::Unstated, cache_control::freshness) {
            Freshness::MaxAge(seconds) => seconds.clamp(min, max),
            Freshness::None => min,
            Freshness::Unstated => self.default_max_age.clamp(min, max),
        }
    }
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// An HTTP response to a key-set request, as the caller's client received it.
///
/// ```
/// use jose_ring::jwks::Response;
/// let response = Response::new(200, br#"{"keys":[]}"#.to_vec())
///     .with_etag("\"v7\"")
///     .with_cache_control("public, max-age=3600");
/// assert_eq!((response.status(), response.etag()), (200, Some("\"v7\"")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    status: u16,
    body: Vec<u8>,
    etag: Option<String>,
    cache_control: Option<String>,
}

impl Response {
    /// A response with this status code and body (read with the limit of
    /// [`Limits::jwks_len`]: stop reading the network beyond it).
    #[must_use]
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            body,
            etag: None,
            cache_control: None,
        }
    }

    /// Sets the `ETag` field value.
    #[must_use]
    pub fn with_etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = Some(etag.into());
        self
    }

    /// Sets the `Cache-Control` field value (several field lines joined with `,`).
    #[must_use]
    pub fn with_cache_control(mut self, value: impl Into<String>) -> Self {
        self.cache_control = Some(value.into());
        self
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The `ETag` field value, if any.
    #[must_use]
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }

    /// The `Cache-Control` field value, if any.
    #[must_use]
    pub fn cache_control(&self) -> Option<&str> {
        self.cache_control.as_deref()
    }
}

/// What a [`Request`] fetches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An issuer's discovery document ([`KeySetCache::discover`]), read with
    /// [`Discovery::from_json`]: its `jwks_uri` is fetched next.
    Discovery,
    /// The JWK Set.
    KeySet,
}

/// A fetch the cache has started: `GET` [`uri`](Self::uri) (with `If-None-Match` when there is
/// a tag, reading at most [`max_len`](Self::max_len) bytes of the body), then give the outcome
/// back with [`KeySetCache::complete`] or [`KeySetCache::fail`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "the cache waits for this fetch until its outcome is given back"]
pub struct Request {
    generation: u64,
    target: Target,
    uri: String,
    if_none_match: Option<String>,
    max_len: usize,
}

impl Request {
    /// The URI to fetch.
    #[must_use]
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// What is fetched: the discovery document or the key set.
    #[must_use]
    pub fn target(&self) -> Target {
        self.target
    }

    /// The `If-None-Match` field value to send: the `ETag` of the set held, if it had one.
    #[must_use]
    pub fn if_none_match(&self) -> Option<&str> {
        self.if_none_match.as_deref()
    }

    /// The most bytes of the body worth reading: a longer one is refused anyway
    /// ([`MAX_DOCUMENT_LEN`](super::MAX_DOCUMENT_LEN) for a discovery document,
    /// [`Limits::jwks_len`] for a key set). Stop reading the network there.
    #[must_use]
    pub fn max_len(&self) -> usize {
        self.max_len
    }
}

/// What to do about a token whose `kid` the current set does not know.
#[derive(Debug, PartialEq, Eq)]
pub enum Refetch {
    /// Fetch now: the set may have been rotated.
    Fetch(Request),
    /// A fetch is in flight: wait for it, then look again.
    Wait,
    /// A fetch an unknown `kid` caused started less than the cooldown ago: the `kid` stays
    /// unknown.
    Cooldown,
}

/// How the set held stands at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheState {
    /// No set has been fetched.
    Empty,
    /// Fresh: nothing to do.
    Fresh,
    /// In the last quarter of its lifetime: fetch a replacement, keep serving.
    RefreshDue,
    /// Expired, within the maximum staleness: still serving, fetch.
    Stale,
    /// Beyond the maximum staleness: verification fails closed until a fetch succeeds.
    TooStale,
}

/// Where the set is found: its URI, or an issuer whose discovery document names it.
#[derive(Debug)]
enum Location {
    /// The JWK Set's URI, given or discovered.
    KeySet(String),
    /// An issuer not discovered yet.
    Issuer {
        issuer: String,
        document: String,
        uris: UriPolicy,
    },
}

/// The set held and the facts about it.
#[derive(Debug)]
struct Current {
    ring: Arc<KeyRing>,
    fetched_at: NumericDate,
    lifetime: u64,
    etag: Option<String>,
}

/// A JWK Set cache that decides and never fetches: it holds the current [`KeyRing`] with
/// when it was fetched, its lifetime (`Cache-Control: max-age`, clamped) and `ETag`, and
/// answers the caller's questions; the caller does the HTTP. Times come from the caller's
/// [`Clock`](crate::jwt::Clock), so every answer is reproducible.
///
/// Made with [`new`](Self::new) for a known `jwks_uri`, or with [`discover`](Self::discover)
/// for an issuer: then the first fetch is the issuer's discovery document, whose `jwks_uri`
/// is fetched next, as one fetch (waiters wait for both). Either way the keys are bound to
/// the algorithms given: pass [`jwa::ASYMMETRIC`](crate::jwa::ASYMMETRIC) to let each JWK's
/// `alg` (or its `kty` and `crv`) decide, or your own narrower list.
///
/// - [`keys`](Self::keys): the ring to verify with, or why there is none (never fetched,
///   or stale beyond [`CachePolicy::max_stale`]: fail closed).
/// - [`poll`](Self::poll): a fetch to make now, if the set is missing or due (refresh
///   ahead: the last quarter of its lifetime), none is in flight and the cooldown has passed.
/// - [`unknown_kid`](Self::unknown_kid): whether a token with an unknown `kid` may cause a
///   fetch: at most one per cooldown, and while one is in flight every asker waits for it.
/// - [`complete`](Self::complete) and [`fail`](Self::fail) take the outcome: `200` with a
///   body (read as [`JwkSet::from_json_with_limits`] reads it, leniently, within the
///   [`Limits`]), `304 Not Modified`, another status, or a network failure. On any failure
///   the last good set keeps serving.
///
/// ```
/// use jose_ring::{jwa, jwks::{KeySetCache, Response}, jwt::NumericDate, Error, KeySetError};
/// let at = NumericDate::from_seconds;
/// let mut cache = KeySetCache::new("https://auth.example/jwks", &jwa::ASYMMETRIC);
/// assert_eq!(cache.keys(at(0)).map(|_| ()), Err(Error::KeySet(KeySetError::NotFetched)));
///
/// let request = cache.poll(at(0)).expect("nothing held: fetch");
/// assert_eq!((request.uri(), request.if_none_match()), ("https://auth.example/jwks", None));
/// let response = Response::new(200, br#"{"keys":[]}"#.to_vec())
///     .with_etag("\"v1\"").with_cache_control("max-age=300");
/// assert_eq!(cache.complete(request, at(1), &response)?, None);
/// assert!(cache.keys(at(2)).is_ok());
/// assert!(cache.poll(at(2)).is_none()); // fresh
///
/// let request = cache.poll(at(1 + 225)).expect("the last quarter: refresh ahead");
/// assert_eq!(request.if_none_match(), Some("\"v1\""));
/// cache.complete(request, at(230), &Response::new(304, Vec::new()))?;
/// assert_eq!(cache.fetched_at(), Some(at(230)));
/// // The first token signed with a key the set lacks refetches at once, not after a cooldown.
/// assert!(matches!(cache.unknown_kid(at(231)), jose_ring::jwks::Refetch::Fetch(_)));
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
pub struct KeySetCache {
    policy: CachePolicy,
    algorithms: Vec<&'static Algorithm>,
    limits: Limits,
    location: Location,
    /// The issuer, for a cache made by [`discover`](Self::discover).
    issuer: Option<String>,
    current: Option<Current>,
    /// When the last fetch started, whatever caused it: schedules the next one.
    last_attempt: Option<NumericDate>,
    /// When the last fetch an unknown `kid` caused started.
    last_kid_fetch: Option<NumericDate>,
    in_flight: Option<(u64, NumericDate)>,
    generation: u64,
}

/// `u64` seconds as `i64`, saturating.
fn signed(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// Whether `now` is within `cooldown` seconds after `since` (a clock set back counts as past
/// it).
fn cooling(since: Option<NumericDate>, now: NumericDate, cooldown: u64) -> bool {
    since.is_some_and(|at| now >= at && now < at.saturating_add(signed(cooldown)))
}

impl KeySetCache {
    /// An empty cache of the JWK Set at `jwks_uri`, whose keys bind to `algorithms` (as
    /// [`JwkSet::key_ring`]), with the default [`CachePolicy`] and [`Limits`]. Check the URI
    /// with [`UriPolicy::check_url`] first if it comes from configuration.
    #[must_use]
    pub fn new(jwks_uri: impl Into<String>, algorithms: &[&'static Algorithm]) -> Self {
        Self::at(Location::KeySet(jwks_uri.into()), None, algorithms)
    }

    /// An empty cache of `issuer`'s keys: the first fetch is its discovery document (`kind`,
    /// at [`discovery_uri`](super::discovery_uri)), which must name exactly `issuer` and a
    /// `jwks_uri` that `uris` allows ([`Discovery::from_json`]); that set is fetched next and
    /// kept fresh as [`new`](Self::new)'s. The document is read once: its `jwks_uri` stays.
    ///
    /// ```
    /// use jose_ring::{jwa, jwks::{KeySetCache, Response, Target, UriPolicy, WellKnown}, jwt::NumericDate};
    /// let now = NumericDate::from_seconds(1_700_000_000);
    /// let mut cache = KeySetCache::discover("https://auth.example", WellKnown::OpenIdConfiguration,
    ///     UriPolicy::HttpsOnly, &jwa::ASYMMETRIC)?;
    /// let first = cache.poll(now).expect("nothing held");
    /// assert_eq!((first.target(), first.uri()),
    ///            (Target::Discovery, "https://auth.example/.well-known/openid-configuration"));
    /// let document = br#"{"issuer":"https://auth.example","jwks_uri":"https://keys.auth.example/jwks"}"#;
    /// let next = cache.complete(first, now, &Response::new(200, document.to_vec()))?
    ///     .expect("then its key set, as part of the same fetch");
    /// assert_eq!((next.target(), next.uri()), (Target::KeySet, "https://keys.auth.example/jwks"));
    /// assert!(cache.in_flight(now));
    /// assert_eq!(cache.complete(next, now, &Response::new(200, br#"{"keys":[]}"#.to_vec()))?, None);
    /// assert_eq!(cache.jwks_uri(), Some("https://keys.auth.example/jwks"));
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`KeySetError::InsecureUri`]`("issuer")` for an issuer `uris` does not allow.
    pub fn discover(
        issuer: &str,
        kind: WellKnown,
        uris: UriPolicy,
        algorithms: &[&'static Algorithm],
    ) -> Result<Self, Error> {
        let document = discovery::discovery_uri(issuer, kind, uris)?;
        let location = Location::Issuer {
            issuer: issuer.into(),
            document,
            uris,
        };
        Ok(Self::at(location, Some(issuer.into()), algorithms))
    }

    fn at(location: Location, issuer: Option<String>, algorithms: &[&'static Algorithm]) -> Self {
        Self {
            policy: CachePolicy::DEFAULT,
            algorithms: algorithms.to_vec(),
            limits: Limits::DEFAULT,
            location,
            issuer,
            current: None,
            last_attempt: None,
            last_kid_fetch: None,
            in_flight: None,
            generation: 0,
        }
    }

    /// Sets the policy.
    #[must_use]
    pub fn with_policy(mut self, policy: CachePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the limits a fetched body is read with (size, number of keys).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &CachePolicy {
        &self.policy
    }

    /// The limits a fetched body is read with.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The algorithms the keys are bound to.
    #[must_use]
    pub fn algorithms(&self) -> &[&'static Algorithm] {
        &self.algorithms
    }

    /// The issuer, for a cache made by [`discover`](Self::discover).
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The JWK Set's URI: given, or once discovered.
    #[must_use]
    pub fn jwks_uri(&self) -> Option<&str> {
        match &self.location {
            Location::KeySet(uri) => Some(uri),
            Location::Issuer { .. } => None,
        }
    }

    /// When the set held was last fetched or revalidated (by a `304`).
    #[must_use]
    pub fn fetched_at(&self) -> Option<NumericDate> {
        self.current.as_ref().map(|c| c.fetched_at)
    }

    /// The lifetime of the set held, in seconds: its `max-age`, clamped.
    #[must_use]
    pub fn lifetime(&self) -> Option<u64> {
        self.current.as_ref().map(|c| c.lifetime)
    }

    /// The `ETag` of the set held, if it had a well-formed one.
    #[must_use]
    pub fn etag(&self) -> Option<&str> {
        self.current.as_ref().and_then(|c| c.etag.as_deref())
    }

    /// Whether a fetch is in flight at `now` (started less than the cooldown ago and not
    /// completed).
    #[must_use]
    pub fn in_flight(&self, now: NumericDate) -> bool {
        self.in_flight
            .is_some_and(|(_, started)| now < started.saturating_add(signed(self.policy.cooldown)))
    }

    /// How the set held stands at `now`.
    #[must_use]
    pub fn freshness(&self, now: NumericDate) -> CacheState {
        let Some(current) = &self.current else {
            return CacheState::Empty;
        };
        let age = now.seconds_since(current.fetched_at).max(0);
        let lifetime = signed(current.lifetime);
        let ahead = lifetime.saturating_sub(lifetime / 4);
        if age < ahead {
            CacheState::Fresh
        } else if age < lifetime {
            CacheState::RefreshDue
        } else if age <= lifetime.saturating_add(signed(self.policy.max_stale)) {
            CacheState::Stale
        } else {
            CacheState::TooStale
        }
    }

    /// The ring to verify with at `now`: the set held, fresh, due or stale within the
    /// maximum staleness.
    ///
    /// # Errors
    ///
    /// [`KeySetError::NotFetched`] before a fetch has succeeded; [`KeySetError::Stale`] once
    /// the set is older than its lifetime plus [`CachePolicy::max_stale`].
    pub fn keys(&self, now: NumericDate) -> Result<&Arc<KeyRing>, Error> {
        let current = self.current.as_ref().ok_or(KeySetError::NotFetched)?;
        if self.freshness(now) == CacheState::TooStale {
            let age = now.seconds_since(current.fetched_at);
            return Err(KeySetError::Stale {
                age: u64::try_from(age).unwrap_or(0),
                max: current.lifetime.saturating_add(self.policy.max_stale),
            }
            .into());
        }
        Ok(&current.ring)
    }

    /// The earliest time after which [`poll`](Self::poll) or [`keys`](Self::keys) may
    /// answer differently than at `now` (absent new outcomes): until then a caller that
    /// has looked may serve what it saw. `now` itself while nothing is held.
    #[must_use]
    pub fn next_check(&self, now: NumericDate) -> NumericDate {
        let Some(current) = &self.current else {
            return now;
        };
        let lifetime = signed(current.lifetime);
        let due = current
            .fetched_at
            .saturating_add(lifetime.saturating_sub(lifetime / 4));
        let too_stale = current
            .fetched_at
            .saturating_add(lifetime.saturating_add(signed(self.policy.max_stale)))
            .saturating_add(1);
        let cooldown = signed(self.policy.cooldown);
        let allowed = match (self.in_flight, self.last_attempt) {
            (Some((_, started)), _) | (None, Some(started)) => started.saturating_add(cooldown),
            (None, None) => NumericDate::MIN,
        };
        due.max(allowed).min(too_stale)
    }

    /// A fetch to make now, if the set is missing or due for refresh, no fetch is in flight,
    /// and the cooldown since the last fetch started has passed.
    pub fn poll(&mut self, now: NumericDate) -> Option<Request> {
        if self.freshness(now) == CacheState::Fresh {
            return None;
        }
        self.start(now)
    }

    /// Whether a token whose `kid` the set held does not know may cause a fetch now: `Wait`
    /// while a fetch is in flight (whatever caused it), `Cooldown` if a fetch an unknown `kid`
    /// caused started less than the cooldown ago, else `Fetch`. A scheduled, first or failed
    /// fetch does not start this cooldown: a key rotated in without notice is seen by the
    /// first token that names it.
    pub fn unknown_kid(&mut self, now: NumericDate) -> Refetch {
        if self.in_flight(now) {
            return Refetch::Wait;
        }
        if cooling(self.last_kid_fetch, now, self.policy.cooldown) {
            return Refetch::Cooldown;
        }
        self.last_kid_fetch = Some(now);
        Refetch::Fetch(self.begin(now))
    }

    /// Starts a fetch unless one is in flight or the cooldown since the last one has not
    /// passed.
    fn start(&mut self, now: NumericDate) -> Option<Request> {
        if self.in_flight(now) || cooling(self.last_attempt, now, self.policy.cooldown) {
            return None;
        }
        Some(self.begin(now))
    }

    /// Starts a fetch now: of the discovery document while the set's URI is not known, else
    /// of the set.
    fn begin(&mut self, now: NumericDate) -> Request {
        self.last_attempt = Some(now);
        match &self.location {
            Location::Issuer { document, .. } => {
                let uri = document.clone();
                self.request(now, Target::Discovery, uri, None)
            }
            Location::KeySet(uri) => {
                let (uri, etag) = (uri.clone(), self.etag().map(String::from));
                self.request(now, Target::KeySet, uri, etag)
            }
        }
    }

    /// The request of a new fetch in flight from `now`.
    fn request(
        &mut self,
        now: NumericDate,
        target: Target,
        uri: String,
        if_none_match: Option<String>,
    ) -> Request {
        self.generation = self.generation.wrapping_add(1);
        self.in_flight = Some((self.generation, now));
        let max_len = match target {
            Target::Discovery => discovery::MAX_DOCUMENT_LEN,
            Target::KeySet => self.limits.jwks_len(),
        };
        Request {
            generation: self.generation,
            target,
            uri,
            if_none_match,
            max_len,
        }
    }

    /// Ends `request`; an error if it is not the fetch in flight.
    fn finish(&mut self, request: &Request) -> Result<(), Error> {
        match self.in_flight {
            Some((generation, _)) if generation == request.generation => {
                self.in_flight = None;
                Ok(())
            }
            _ => Err(KeySetError::StaleFetch.into()),
        }
    }

    /// Takes the response to `request`, received at `now`; `Some(next)` when the fetch goes
    /// on with `next`, to be made now (the key set a discovery document named).
    ///
    /// For the key set: `200`: the body becomes the set held (its keys bound to the cache's
    /// algorithms), with the response's lifetime and `ETag`. `304` to a conditional request:
    /// the set held is revalidated (fetched again at `now`, with the `304`'s lifetime and
    /// `ETag` if it has them). For a discovery document: `200` with a document for the
    /// cache's issuer gives the set's URI, and the set is fetched next. On an error the set
    /// held, if any, stays and keeps serving.
    ///
    /// # Errors
    ///
    /// [`KeySetError::StaleFetch`] if `request` is not the fetch in flight (it was taken as
    /// lost after the cooldown, and another started); [`KeySetError::Status`] for a status
    /// other than 200 and 304, or a 304 to a request without `If-None-Match`; for a key set's
    /// body, those of [`JwkSet::from_json_with_limits`] (too large, not a JWK Set); for a
    /// discovery document's, those of [`Discovery::from_json`].
    pub fn complete(
        &mut self,
        request: Request,
        now: NumericDate,
        response: &Response,
    ) -> Result<Option<Request>, Error> {
        self.finish(&request)?;
        match request.target {
            Target::Discovery => self.discovered(now, response).map(Some),
            Target::KeySet => self.key_set(&request, now, response).map(|()| None),
        }
    }

    /// A discovery document received: the set's URI, and the request for the set.
    fn discovered(&mut self, now: NumericDate, response: &Response) -> Result<Request, Error> {
        let Location::Issuer { issuer, uris, .. } = &self.location else {
            return Err(KeySetError::StaleFetch.into());
        };
        if response.status() != 200 {
            return Err(KeySetError::Status(response.status()).into());
        }
        let found = Discovery::from_json(response.body(), issuer, *uris)?;
        let uri = String::from(found.jwks_uri());
        self.location = Location::KeySet(uri.clone());
        Ok(self.request(now, Target::KeySet, uri, None))
    }

    /// A key set's response received.
    fn key_set(
        &mut self,
        request: &Request,
        now: NumericDate,
        response: &Response,
    ) -> Result<(), Error> {
        let lifetime = self.policy.lifetime(response.cache_control());
        let etag = response.etag().and_then(cache_control::entity_tag);
        match response.status() {
            200 => {
                let set = JwkSet::from_json_with_limits(response.body(), &self.limits)?;
                self.current = Some(Current {
                    ring: Arc::new(set.key_ring(&self.algorithms)),
                    fetched_at: now,
                    lifetime,
                    etag,
                });
                Ok(())
            }
            304 if request.if_none_match.is_some() => {
                let current = self.current.as_mut().ok_or(KeySetError::Status(304))?;
                current.fetched_at = now;
                if response.cache_control().is_some() {
                    current.lifetime = lifetime;
                }
                if etag.is_some() {
                    current.etag = etag;
                }
                Ok(())
            }
            status => Err(KeySetError::Status(status).into()),
        }
    }

    /// Records that `request` failed (network, timeout): the set held keeps serving, and the
    /// next fetch may start once the cooldown has passed. A request that is no longer the
    /// fetch in flight is ignored.
    pub fn fail(&mut self, request: Request) {
        // A stale request has nothing to end.
        let _ = self.finish(&request);
    }
}
