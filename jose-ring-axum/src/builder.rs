//! Building a [`Guard`]: the keys, the rules, the stores, the answers.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum_core::response::Response;
use jose_ring::jwa::{self, Algorithm};
use jose_ring::jwk::KeyRing;
use jose_ring::jwks::{CachePolicy, Issuers, UriPolicy, WellKnown};
use jose_ring::jwt::{Clock, SystemClock, Validation};
use jose_ring::{HmacKey, Limits};

use crate::counters::Cells;
use crate::guard::{Guard, Inner, IssuerKeys, Keys, NonceSource};
use crate::http::{FetchError, HttpClient};
use crate::keys::{self, Location, Remote, RemoteConfig, StaticKeys};
use crate::metadata::{ResourceMetadata, origin_of};
use crate::reject::{Answers, Rejection};
use crate::store::{MemoryReplayStore, ReplayStore, RevocationStore};

/// Whether requests may, or must, prove possession of a key with DPoP (RFC 9449).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DpopMode {
    /// `Bearer` only; the `DPoP` scheme counts as another scheme. A DPoP-bound token sent
    /// as `Bearer` is still refused (its `cnf` asks for a proof).
    #[default]
    Disabled,
    /// `Bearer` or `DPoP`; bound tokens need their proof.
    Allowed,
    /// `DPoP` only: a `Bearer` token is refused (`dpop_required`).
    Required,
}

/// Why a guard could not be built: a configuration mistake, never the network (nothing is
/// fetched before the first request).
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// No key source: call one of `key_ring`, `hmac_key_ring`, `keys`, `jwks_uri`, `issuer`.
    NoKeys,
    /// Key sources that do not combine: several `issuer` calls combine, nothing else does.
    MixedKeys,
    /// An issuer, JWKS URI or resource that is not an `https` URL (or a loopback `http` one
    /// with `allow_http_loopback`).
    InvalidUri(&'static str),
    /// DPoP is on and the guard does not know its public origin (the `htu` of proofs):
    /// set `public_origin` or `resource_metadata`.
    NoOrigin,
    /// Remote keys without an HTTP client: enable the `reqwest` feature or set
    /// `http_client`.
    NoHttpClient,
    /// The default HTTP client could not be built.
    HttpClient(FetchError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoKeys => f.write_str("no key source configured"),
            Self::MixedKeys => f.write_str("key sources that do not combine"),
            Self::InvalidUri(what) => write!(f, "{what} is not an https url"),
            Self::NoOrigin => f.write_str("dpop needs the public origin of the resource"),
            Self::NoHttpClient => f.write_str("remote keys need an http client"),
            Self::HttpClient(e) => write!(f, "http client: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// A key source, as configured.
enum Source {
    Ring(KeyRing),
    Hmac(KeyRing<HmacKey>),
    Handle(StaticKeys),
    Jwks(String, Vec<&'static Algorithm>),
    Issuer(String),
}

/// The DPoP algorithms accepted by default: those of the library's proofs that clients use.
const DPOP_DEFAULT: [&Algorithm; 5] = [
    &jwa::ES256,
    &jwa::Ed25519,
    &jwa::EdDSA,
    &jwa::PS256,
    &jwa::RS256,
];

/// Builds a [`Guard`]; from [`Guard::builder`].
///
/// Defaults: rules `Validation::from_clock(std::sync::Arc::new(SystemClock))` (signature, `exp`, `nbf`, `iat`,
/// `typ` absent or `JWT`: set yours, with `with_typ("at+jwt")`, audience and issuer); DPoP
/// disabled; the key-set cache's [`CachePolicy::DEFAULT`] and [`Limits::DEFAULT`]; fetches
/// bounded at 5 s; `https` URLs only.
#[must_use]
pub struct GuardBuilder {
    sources: Vec<Source>,
    validation: Option<Validation>,
    dpop: DpopMode,
    dpop_algorithms: Vec<&'static Algorithm>,
    dpop_max_age: u64,
    dpop_leeway: u64,
    origin: Option<String>,
    replay: Option<Arc<dyn ReplayStore>>,
    revocation: Option<Arc<dyn RevocationStore>>,
    nonces: Option<Arc<dyn NonceSource>>,
    client: Option<Arc<dyn HttpClient>>,
    uris: UriPolicy,
    policy: CachePolicy,
    limits: Limits,
    fetch_timeout: Duration,
    clock: Arc<dyn Clock>,
    well_known: WellKnown,
    fallback: Vec<&'static Algorithm>,
    cookie: Option<String>,
    realm: Option<String>,
    metadata: Option<ResourceMetadata>,
    on_reject: Option<crate::reject::Hook>,
}

impl fmt::Debug for GuardBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardBuilder")
            .field("sources", &self.sources.len())
            .field("dpop", &self.dpop)
            .finish_non_exhaustive()
    }
}

impl GuardBuilder {
    pub(crate) fn new() -> Self {
        Self {
            sources: Vec::new(),
            validation: None,
            dpop: DpopMode::Disabled,
            dpop_algorithms: DPOP_DEFAULT.to_vec(),
            dpop_max_age: jose_ring::dpop::DEFAULT_MAX_AGE,
            dpop_leeway: 5,
            origin: None,
            replay: None,
            revocation: None,
            nonces: None,
            client: None,
            uris: UriPolicy::HttpsOnly,
            policy: CachePolicy::DEFAULT,
            limits: Limits::DEFAULT,
            fetch_timeout: Duration::from_secs(5),
            clock: Arc::new(SystemClock),
            well_known: WellKnown::OpenIdConfiguration,
            fallback: jwa::ASYMMETRIC.to_vec(),
            cookie: None,
            realm: None,
            metadata: None,
            on_reject: None,
        }
    }

    /// Verifies with a fixed ring of public keys.
    pub fn key_ring(mut self, ring: KeyRing) -> Self {
        self.sources.push(Source::Ring(ring));
        self
    }

    /// Verifies with a fixed ring of HMAC keys (a service that issues its own tokens).
    pub fn hmac_key_ring(mut self, ring: KeyRing<HmacKey>) -> Self {
        self.sources.push(Source::Hmac(ring));
        self
    }

    /// Verifies with a ring the application replaces at runtime ([`StaticKeys::replace`]).
    pub fn keys(mut self, keys: StaticKeys) -> Self {
        self.sources.push(Source::Handle(keys));
        self
    }

    /// Verifies with the JWK Set at `uri`, its keys bound to `algorithms`, fetched on the
    /// first request and kept fresh. Set the issuer in the [`validation`](Self::validation).
    pub fn jwks_uri(mut self, uri: impl Into<String>, algorithms: &[&'static Algorithm]) -> Self {
        self.sources
            .push(Source::Jwks(uri.into(), algorithms.to_vec()));
        self
    }

    /// Verifies tokens of `issuer`: its discovery document (OpenID Connect, or RFC 8414 with
    /// [`well_known`](Self::well_known)) names the JWK Set and the algorithms, fetched on
    /// the first request. The rules require `iss` to be `issuer`. Called again, adds an
    /// issuer: each token is verified with the keys and rules of the issuer it names only.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.sources.push(Source::Issuer(issuer.into()));
        self
    }

    /// Which discovery document issuers publish; default OpenID Connect's.
    pub fn well_known(mut self, kind: WellKnown) -> Self {
        self.well_known = kind;
        self
    }

    /// The algorithms a discovered issuer's keys are bound to; default
    /// [`jwa::ASYMMETRIC`]: each key's `alg`, or what its `kty` and `crv` allow (never the
    /// discovery document's ID-token list). A shorter list narrows them.
    pub fn fallback_algorithms(mut self, algorithms: &[&'static Algorithm]) -> Self {
        self.fallback = algorithms.to_vec();
        self
    }

    /// The rules every token must pass (audience, `typ`, scopes, roles, leeway, ...). Read
    /// the time from a clock (`Validation::from_clock`): a fixed time checks every token at
    /// that instant.
    pub fn validation(mut self, rules: Validation) -> Self {
        self.validation = Some(rules);
        self
    }

    /// Whether DPoP is disabled (default), allowed or required.
    pub fn dpop(mut self, mode: DpopMode) -> Self {
        self.dpop = mode;
        self
    }

    /// The algorithms accepted for DPoP proofs (sent as `algs`); default ES256, Ed25519,
    /// EdDSA, PS256, RS256.
    pub fn dpop_algorithms(mut self, algorithms: &[&'static Algorithm]) -> Self {
        self.dpop_algorithms = algorithms
            .iter()
            .copied()
            .filter(|a| !a.is_symmetric())
            .collect();
        self
    }

    /// The maximum age of a proof (default 60 s) and the leeway for clock skew (default 5 s).
    pub fn dpop_window(mut self, max_age: u64, leeway: u64) -> Self {
        self.dpop_max_age = max_age;
        self.dpop_leeway = leeway;
        self
    }

    /// The server's DPoP nonces (RFC 9449 §8).
    pub fn dpop_nonces(mut self, nonces: impl NonceSource) -> Self {
        self.nonces = Some(Arc::new(nonces));
        self
    }

    /// `scheme://host[:port]` as clients reach this resource: the `htu` a proof must name is
    /// this origin and the request's path. Defaults to the origin of the
    /// [`resource_metadata`](Self::resource_metadata) resource.
    pub fn public_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Where DPoP proofs are recorded; default a [`MemoryReplayStore`] (one process).
    pub fn replay_store(mut self, store: impl ReplayStore) -> Self {
        self.replay = Some(Arc::new(store));
        self
    }

    /// Where revoked tokens are listed by `jti`: checked after every other rule passed. A
    /// token without `jti` is then refused.
    pub fn revocation(mut self, store: impl RevocationStore) -> Self {
        self.revocation = Some(Arc::new(store));
        self
    }

    /// The HTTP client for discovery and key sets; default
    /// [`ReqwestClient`](crate::ReqwestClient) (feature `reqwest`).
    pub fn http_client(mut self, client: impl HttpClient) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// Allows `http` issuers and JWKS URIs on 127.0.0.1, `[::1]` and `localhost`: for tests.
    pub fn allow_http_loopback(mut self) -> Self {
        self.uris = UriPolicy::AllowHttpLoopback;
        self
    }

    /// The key-set cache policy (lifetimes, cooldown, maximum staleness).
    pub fn cache_policy(mut self, policy: CachePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The limits a fetched key set is read with.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The longest a fetch may take (default 5 s); a request waiting for one waits at most
    /// this plus a second.
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// The clock of the key-set cache and of DPoP proofs (default the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Also reads a `Bearer` token from the cookie `name` when there is no `Authorization`
    /// field. Only for same-site browser apps: protect state-changing routes against CSRF.
    pub fn cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    /// The `realm` of the challenges.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// Serves this protected resource metadata (RFC 9728) and names it in 401 challenges.
    pub fn resource_metadata(mut self, metadata: ResourceMetadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Writes the response of every refusal (a JSON problem document, an HTML page, ...).
    /// The guard then sets the status and the `WWW-Authenticate`, `DPoP-Nonce`,
    /// `Retry-After` and `Cache-Control` headers itself, so the semantics stay.
    pub fn on_reject(
        mut self,
        hook: impl Fn(&Rejection) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.on_reject = Some(Arc::new(hook));
        self
    }

    /// The guard. Nothing is fetched: remote keys come with the first request.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] for a configuration that cannot work.
    pub fn build(self) -> Result<Guard, BuildError> {
        let counters = Arc::new(Cells::default());
        let secure = |uri: &str, what: &'static str| -> Result<(), BuildError> {
            let lower = uri.to_ascii_lowercase();
            let loopback = ["http://127.0.0.1", "http://[::1]", "http://localhost"]
                .iter()
                .any(|p| {
                    lower
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
                });
            if lower.starts_with("https://")
                || (self.uris == UriPolicy::AllowHttpLoopback && loopback)
            {
                Ok(())
            } else {
                Err(BuildError::InvalidUri(what))
            }
        };
        let remote_config = || -> Result<RemoteConfig, BuildError> {
            let client = match &self.client {
                Some(client) => Arc::clone(client),
                None => default_client()?,
            };
            Ok(RemoteConfig {
                client,
                uris: self.uris,
                algorithms: self.fallback.clone(),
                policy: self.policy,
                limits: self.limits,
                fetch_timeout: self.fetch_timeout,
                clock: Arc::clone(&self.clock),
                counters: Arc::clone(&counters),
            })
        };
        let mut validation = self
            .validation
            .clone()
            .unwrap_or_else(|| Validation::from_clock(Arc::clone(&self.clock)));
        let mut issuer_names = Vec::new();
        let mut issuer_remotes = Vec::new();
        let issuers: Vec<&String> = self
            .sources
            .iter()
            .filter_map(|s| match s {
                Source::Issuer(issuer) => Some(issuer),
                _ => None,
            })
            .collect();
        let keys = if !issuers.is_empty() {
            if issuers.len() != self.sources.len() {
                return Err(BuildError::MixedKeys);
            }
            let config = remote_config()?;
            let mut remotes = Vec::new();
            for issuer in issuers {
                secure(issuer, "issuer")?;
                let document = keys::document_uri(issuer, self.well_known)
                    .map_err(|_| BuildError::InvalidUri("issuer"))?;
                let remote = Remote::new(
                    Location::Issuer {
                        issuer: issuer.clone(),
                        document,
                    },
                    config.clone(),
                );
                issuer_names.push(issuer.clone());
                remotes.push((issuer.clone(), remote));
            }
            if let [(issuer, remote)] = remotes.as_slice() {
                validation = validation.with_issuer(issuer.clone());
                Keys::Remote(Arc::clone(remote))
            } else {
                let mut set = Issuers::new();
                for (issuer, remote) in remotes {
                    issuer_remotes.push(Arc::clone(&remote));
                    set = set.with_issuer(issuer, IssuerKeys(remote), validation.clone());
                }
                Keys::Issuers(set)
            }
        } else {
            let count = self.sources.len();
            let mut sources = self.sources.into_iter();
            let (Some(source), None) = (sources.next(), sources.next()) else {
                return Err(if count == 0 {
                    BuildError::NoKeys
                } else {
                    BuildError::MixedKeys
                });
            };
            match source {
                Source::Ring(ring) => Keys::Ring(Arc::new(ring)),
                Source::Hmac(ring) => Keys::Hmac(Arc::new(ring)),
                Source::Handle(handle) => Keys::Handle(handle),
                Source::Jwks(uri, algorithms) => {
                    secure(&uri, "jwks_uri")?;
                    let mut config = remote_config()?;
                    config.algorithms = algorithms;
                    Keys::Remote(Remote::new(Location::Jwks(uri), config))
                }
                Source::Issuer(_) => return Err(BuildError::MixedKeys),
            }
        };
        let dpop_on = self.dpop != DpopMode::Disabled;
        if let Some(metadata) = &self.metadata {
            if !metadata.is_valid() {
                return Err(BuildError::InvalidUri("resource"));
            }
        }
        let origin = self
            .origin
            .clone()
            .or_else(|| self.metadata.as_ref().map(|m| m.origin().to_owned()))
            .map(|o| origin_of(&o).to_owned());
        if dpop_on && origin.is_none() {
            return Err(BuildError::NoOrigin);
        }
        let replay: Option<Arc<dyn ReplayStore>> = match (dpop_on, self.replay) {
            (false, _) => None,
            (true, Some(store)) => Some(store),
            (true, None) => Some(Arc::new(MemoryReplayStore::new())),
        };
        let dpop_algorithms = if dpop_on {
            self.dpop_algorithms
        } else {
            Vec::new()
        };
        let metadata = self.metadata.as_ref().map(|m| {
            (
                m.path(),
                m.to_json(
                    &issuer_names,
                    &dpop_algorithms,
                    self.dpop == DpopMode::Required,
                ),
            )
        });
        let answers = Answers {
            bearer: self.dpop != DpopMode::Required,
            dpop: dpop_on.then(|| dpop_algorithms.clone()),
            realm: self.realm,
            resource_metadata: self.metadata.as_ref().map(ResourceMetadata::url),
        };
        Ok(Guard {
            inner: Arc::new(Inner {
                keys,
                validation,
                dpop: self.dpop,
                dpop_algorithms,
                dpop_max_age: self.dpop_max_age,
                dpop_leeway: self.dpop_leeway,
                origin,
                replay,
                revocation: self.revocation,
                nonces: self.nonces,
                cookie: self.cookie,
                metadata,
                answers,
                on_reject: self.on_reject,
                clock: self.clock,
                counters,
                issuer_remotes,
            }),
        })
    }
}

/// The default HTTP client.
#[cfg(feature = "reqwest")]
fn default_client() -> Result<Arc<dyn HttpClient>, BuildError> {
    crate::http::ReqwestClient::new()
        .map(|c| Arc::new(c) as Arc<dyn HttpClient>)
        .map_err(BuildError::HttpClient)
}

/// No default HTTP client without the `reqwest` feature.
#[cfg(not(feature = "reqwest"))]
fn default_client() -> Result<Arc<dyn HttpClient>, BuildError> {
    Err(BuildError::NoHttpClient)
}
