//! Building a [`Guard`]: the key source, chosen by constructor ([`Guard::from_issuer`] and
//! the others), then the rules, the stores and the answers, checked once by `build`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum_core::response::Response;
use jose_ring::jwa::{self, Algorithm};
use jose_ring::jwk::KeyRing;
use jose_ring::jwks::{CachePolicy, Issuers, KeySetCache, UriPolicy, WellKnown};
use jose_ring::jwt::{Clock, SystemClock, Validation};
use jose_ring::{HmacKey, Limits};

use crate::authorities::{ClaimSource, DEFAULT_ROLE_CLAIMS, DEFAULT_SCOPE_CLAIMS, Plan};
use crate::config::{DpopMode, Inner, Keys, Metadata, NonceSource, Proofs, TypRule};
use crate::counters::Cells;
use crate::credentials::CredentialSources;
use crate::guard::Guard;
use crate::http::{FetchError, HttpClient};
use crate::keys::{IssuerKeys, Remote, RemoteConfig, StaticKeys};
use crate::metadata::{ResourceMetadata, origin_of};
use crate::reject::{Answers, Hook, Rejection, Responder};
use crate::store::{MemoryReplayStore, ReplayStore, RevocationStore};

mod introspect;
pub use introspect::Introspection;

/// Why a guard could not be built: a configuration mistake, never the network (nothing is
/// fetched before the first request).
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// [`Guard::from_issuers`] with no issuer.
    NoIssuers,
    /// An issuer, JWKS URI, resource or public origin that is not an `https` URL with a host
    /// and no user information, query or fragment (or a loopback `http` one: with
    /// [`allow_http_loopback`](GuardBuilder::allow_http_loopback) for issuers and JWKS URIs,
    /// always for the resource and the public origin).
    InvalidUri(&'static str),
    /// DPoP is on and the guard does not know its public origin (the `htu` of proofs):
    /// set [`public_origin`](GuardBuilder::public_origin) or
    /// [`resource_metadata`](GuardBuilder::resource_metadata).
    NoOrigin,
    /// Remote keys without an HTTP client: enable the `reqwest` feature or set
    /// [`http_client`](GuardBuilder::http_client).
    NoHttpClient,
    /// The default HTTP client could not be built.
    HttpClient(FetchError),
    /// The protected resource metadata document could not be written.
    Metadata,
    /// A scope or role claim path (named here) that is not a dotted path of claim names
    /// (a name with dots in double quotes), or that names one of the claims the guard reads
    /// for itself (`jti`, `iss`, `sub`, `acr`, `auth_time`).
    ClaimPath(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoIssuers => f.write_str("no issuer given"),
            Self::InvalidUri(what) => write!(f, "{what} is not an https url"),
            Self::NoOrigin => f.write_str("dpop needs the public origin of the resource"),
            Self::NoHttpClient => f.write_str("remote keys need an http client"),
            Self::HttpClient(e) => write!(f, "http client: {e}"),
            Self::Metadata => f.write_str("the resource metadata document cannot be written"),
            Self::ClaimPath(path) => write!(
                f,
                "claim path {path:?} is not a dotted path of claim names (quote a name with dots)"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// The key source of a guard with keys held in the process: a fixed ring of public keys, of
/// HMAC keys, or a [`StaticKeys`] handle the application replaces. From
/// [`Guard::from_key_ring`], [`Guard::from_hmac_key_ring`], [`Guard::from_keys`].
#[derive(Debug)]
pub struct LocalKeys(Local);

#[derive(Debug)]
enum Local {
    Ring(KeyRing),
    Hmac(KeyRing<HmacKey>),
    Handle(StaticKeys),
}

/// The key source of a guard with keys fetched from an identity provider (discovery, then
/// its JWK Set, or a JWK Set URI), with the settings of the fetches. From
/// [`Guard::from_issuer`], [`Guard::from_issuers`], [`Guard::from_jwks_uri`].
pub struct RemoteKeys {
    location: Where,
    algorithms: Option<Vec<&'static Algorithm>>,
    well_known: WellKnown,
    client: Option<Arc<dyn HttpClient>>,
    uris: UriPolicy,
    policy: CachePolicy,
    limits: Limits,
    fetch_timeout: Duration,
}

impl fmt::Debug for RemoteKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteKeys")
            .field("location", &self.location)
            .field("uris", &self.uris)
            .finish_non_exhaustive()
    }
}

/// Where remote keys are.
#[derive(Debug)]
enum Where {
    Issuers(Vec<String>),
    Jwks(String),
}

impl RemoteKeys {
    fn new(location: Where) -> Self {
        Self {
            location,
            algorithms: None,
            well_known: WellKnown::OpenIdConfiguration,
            client: None,
            uris: UriPolicy::HttpsOnly,
            policy: CachePolicy::DEFAULT,
            limits: Limits::DEFAULT,
            fetch_timeout: Duration::from_secs(5),
        }
    }
}

/// The DPoP algorithms accepted by default: those of the library's proofs that clients use.
const DPOP_DEFAULT: [&Algorithm; 5] = [
    &jwa::ES256,
    &jwa::Ed25519,
    &jwa::EdDSA,
    &jwa::PS256,
    &jwa::RS256,
];

/// What every guard is configured with, whatever its keys.
struct Settings {
    validation: Option<Validation>,
    typ: TypRule,
    dpop: DpopMode,
    dpop_algorithms: Vec<&'static Algorithm>,
    dpop_max_age: Duration,
    dpop_leeway: Duration,
    origin: Option<String>,
    replay: Option<Arc<dyn ReplayStore>>,
    revocation: Option<Arc<dyn RevocationStore>>,
    nonces: Option<Arc<dyn NonceSource>>,
    clock: Arc<dyn Clock>,
    cookie: Option<String>,
    realm: Option<String>,
    metadata: Option<ResourceMetadata>,
    on_reject: Option<Hook>,
    scope_claims: Vec<ClaimSource>,
    role_claims: Vec<ClaimSource>,
}

/// Builds a [`Guard`]; from a constructor that says where the keys are ([`Guard::from_issuer`],
/// [`Guard::from_issuers`], [`Guard::from_jwks_uri`], [`Guard::from_keys`],
/// [`Guard::from_key_ring`], [`Guard::from_hmac_key_ring`]). `K` is [`RemoteKeys`] or
/// [`LocalKeys`]: the settings of fetches exist only for remote keys.
///
/// Defaults: the rules `Validation::from_clock(Arc::new(SystemClock))` (signature, `exp`, `nbf`,
/// `iat`; add your audience) with `typ` `at+jwt` required ([`TypRule::AtJwt`]); DPoP
/// disabled (proofs of at most 60 s, 5 s of leeway, when enabled); for remote keys the
/// algorithms their JWKs allow, the key-set cache's [`CachePolicy::DEFAULT`] and
/// [`Limits::DEFAULT`], fetches bounded at 5 s, `https` URLs only.
#[must_use]
pub struct GuardBuilder<K> {
    keys: K,
    settings: Settings,
}

impl<K: fmt::Debug> fmt::Debug for GuardBuilder<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardBuilder")
            .field("keys", &self.keys)
            .field("dpop", &self.settings.dpop)
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// A guard for the access tokens of `issuer`: its discovery document (OpenID Connect's,
    /// or RFC 8414's with [`well_known`](GuardBuilder::well_known)) names its JWK Set,
    /// fetched on the first request and kept fresh. The rules require `iss` to be `issuer`, and only it (whatever issuers your rules name).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use jose_ring::jwt::{SystemClock, Validation};
    /// use jose_ring_axum::Guard;
    /// let guard = Guard::from_issuer("https://auth.example")
    ///     .validation(Validation::from_clock(Arc::new(SystemClock)).with_audience("https://api.example"))
    ///     .build()?;
    /// # Ok::<(), jose_ring_axum::BuildError>(())
    /// ```
    pub fn from_issuer(issuer: impl Into<String>) -> GuardBuilder<RemoteKeys> {
        GuardBuilder::new(RemoteKeys::new(Where::Issuers(vec![issuer.into()])))
    }

    /// A guard for the access tokens of several issuers, each found by discovery as
    /// [`from_issuer`](Self::from_issuer): a token is verified with the keys and the rules of
    /// the issuer its `iss` names only (its rules requiring that `iss`).
    pub fn from_issuers<I>(issuers: I) -> GuardBuilder<RemoteKeys>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let issuers = issuers.into_iter().map(Into::into).collect();
        GuardBuilder::new(RemoteKeys::new(Where::Issuers(issuers)))
    }

    /// A guard verifying with the JWK Set at `uri`, fetched on the first request and kept
    /// fresh. Name the issuer in the [`validation`](GuardBuilder::validation) rules.
    pub fn from_jwks_uri(uri: impl Into<String>) -> GuardBuilder<RemoteKeys> {
        GuardBuilder::new(RemoteKeys::new(Where::Jwks(uri.into())))
    }

    /// A guard verifying with a ring the application replaces at runtime
    /// ([`StaticKeys::replace`]): for a service that rotates its own signing keys.
    pub fn from_keys(keys: StaticKeys) -> GuardBuilder<LocalKeys> {
        GuardBuilder::new(LocalKeys(Local::Handle(keys)))
    }

    /// A guard verifying with a fixed ring of public keys.
    pub fn from_key_ring(ring: KeyRing) -> GuardBuilder<LocalKeys> {
        GuardBuilder::new(LocalKeys(Local::Ring(ring)))
    }

    /// A guard verifying with a fixed ring of HMAC keys (a service that issues its own
    /// tokens).
    pub fn from_hmac_key_ring(ring: KeyRing<HmacKey>) -> GuardBuilder<LocalKeys> {
        GuardBuilder::new(LocalKeys(Local::Hmac(ring)))
    }
}

impl<K> GuardBuilder<K> {
    fn new(keys: K) -> Self {
        Self {
            keys,
            settings: Settings {
                validation: None,
                typ: TypRule::AtJwt,
                dpop: DpopMode::Disabled,
                dpop_algorithms: DPOP_DEFAULT.to_vec(),
                dpop_max_age: Duration::from_secs(jose_ring::dpop::DEFAULT_MAX_AGE),
                dpop_leeway: Duration::from_secs(5),
                origin: None,
                replay: None,
                revocation: None,
                nonces: None,
                clock: Arc::new(SystemClock),
                cookie: None,
                realm: None,
                metadata: None,
                on_reject: None,
                scope_claims: DEFAULT_SCOPE_CLAIMS.map(ClaimSource::new).to_vec(),
                role_claims: DEFAULT_ROLE_CLAIMS.map(ClaimSource::new).to_vec(),
            },
        }
    }

    /// The rules every token must pass (audience, scopes, roles, leeway, ...). Read the time
    /// from a clock (`Validation::from_clock`): a fixed time checks every token at that
    /// instant. The guard applies its [`typ`](Self::typ) rule on top.
    pub fn validation(mut self, rules: Validation) -> Self {
        self.settings.validation = Some(rules);
        self
    }

    /// Which header `typ` tokens must have: `at+jwt` by default; [`TypRule::FromValidation`]
    /// for providers that send `JWT` or no `typ`.
    pub fn typ(mut self, rule: TypRule) -> Self {
        self.settings.typ = rule;
        self
    }

    /// Whether DPoP is disabled (default), allowed or required.
    pub fn dpop(mut self, mode: DpopMode) -> Self {
        self.settings.dpop = mode;
        self
    }

    /// The algorithms accepted for DPoP proofs (sent as `algs`); default ES256, Ed25519,
    /// EdDSA, PS256, RS256. Symmetric algorithms are left out.
    pub fn dpop_algorithms(mut self, algorithms: &[&'static Algorithm]) -> Self {
        self.settings.dpop_algorithms = algorithms
            .iter()
            .copied()
            .filter(|a| !a.is_symmetric())
            .collect();
        self
    }

    /// The maximum age of a DPoP proof, in whole seconds; default 60 s.
    pub fn dpop_max_age(mut self, max_age: Duration) -> Self {
        self.settings.dpop_max_age = max_age;
        self
    }

    /// The leeway for clock skew between clients and this server when checking a proof's
    /// `iat`, in whole seconds; default 5 s.
    pub fn dpop_leeway(mut self, leeway: Duration) -> Self {
        self.settings.dpop_leeway = leeway;
        self
    }

    /// The server's DPoP nonces (RFC 9449 §8).
    pub fn dpop_nonces(mut self, nonces: impl NonceSource) -> Self {
        self.settings.nonces = Some(Arc::new(nonces));
        self
    }

    /// `scheme://host[:port]` as clients reach this resource: the `htu` a proof must name is
    /// this origin and the request's path. Defaults to the origin of the
    /// [`resource_metadata`](Self::resource_metadata) resource.
    pub fn public_origin(mut self, origin: impl Into<String>) -> Self {
        self.settings.origin = Some(origin.into());
        self
    }

    /// Where DPoP proofs are recorded; default a [`MemoryReplayStore`] (one process).
    pub fn replay_store(mut self, store: impl ReplayStore) -> Self {
        self.settings.replay = Some(Arc::new(store));
        self
    }

    /// Where revoked tokens are listed by `jti`: checked after every other rule passed. A
    /// token without `jti` is then refused.
    pub fn revocation(mut self, store: impl RevocationStore) -> Self {
        self.settings.revocation = Some(Arc::new(store));
        self
    }

    /// The clock of the key-set cache, of DPoP proofs and of the default rules (default the
    /// system clock). Rules given with [`validation`](Self::validation) read their own.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.settings.clock = clock;
        self
    }

    /// Also reads a `Bearer` token from the cookie `name` when there is no `Authorization`
    /// field. Only for same-site browser apps: a browser sends the cookie with requests that
    /// other sites make, so put a [`CsrfLayer`](crate::CsrfLayer) in front of these routes
    /// (a custom request header and a same-origin `Sec-Fetch-Site` or `Origin`; with
    /// [`CsrfLayer::cookie`](crate::CsrfLayer::cookie) naming the same cookie, and
    /// [`all_methods`](crate::CsrfLayer::all_methods) if reads must not be triggered from
    /// other origins either). Better still, keep tokens out of the browser: a session cookie
    /// naming server-side tokens (RFC 10017 §6.1), as the reference service's browser mode.
    pub fn cookie(mut self, name: impl Into<String>) -> Self {
        self.settings.cookie = Some(name.into());
        self
    }

    /// The `realm` of the challenges.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.settings.realm = Some(realm.into());
        self
    }

    /// Serves this protected resource metadata (RFC 9728) and names it in 401 challenges.
    pub fn resource_metadata(mut self, metadata: ResourceMetadata) -> Self {
        self.settings.metadata = Some(metadata);
        self
    }

    /// Where the token's scopes are read, replacing the default: the `scope` claim (RFC
    /// 9068 §2.2.3, space-delimited) and `scp` (Entra ID: space-delimited; Okta: an array),
    /// the two claims Spring Security reads. Every source is read and their names joined;
    /// see [`ClaimSource`] for paths (`a.b`, `"https://example.com/scopes"`), delimiters and
    /// prefixes. [`require_scope`](Guard::require_scope) and [`Auth::scopes`](crate::Auth::scopes)
    /// use them.
    ///
    /// ```
    /// use jose_ring_axum::{ClaimSource, Guard};
    /// # use jose_ring::jwk::KeyRing;
    /// // Auth0 with RBAC: the `permissions` array as well as `scope`.
    /// let guard = Guard::from_hmac_key_ring(KeyRing::new_hmac())
    ///     .scope_claims(["scope", "permissions"])
    ///     .build()?;
    /// # Ok::<(), jose_ring_axum::BuildError>(())
    /// ```
    pub fn scope_claims<I>(mut self, sources: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<ClaimSource>,
    {
        self.settings.scope_claims = sources.into_iter().map(Into::into).collect();
        self
    }

    /// Where the token's roles are read, replacing the default (`roles`: RFC 9068
    /// §2.2.3.1, Entra ID's app roles). Every source is read and their names joined; see
    /// [`ClaimSource`]. [`require_role`](Guard::require_role) and
    /// [`Auth::roles`](crate::Auth::roles) use them.
    ///
    /// ```
    /// use jose_ring_axum::{ClaimSource, Guard};
    /// # use jose_ring::jwk::KeyRing;
    /// // Keycloak: realm roles, and the roles of the client `my-api` kept apart.
    /// let guard = Guard::from_hmac_key_ring(KeyRing::new_hmac())
    ///     .role_claims([
    ///         ClaimSource::new("realm_access.roles"),
    ///         ClaimSource::new("resource_access.my-api.roles").prefix("my-api:"),
    ///     ])
    ///     .build()?;
    /// # Ok::<(), jose_ring_axum::BuildError>(())
    /// ```
    pub fn role_claims<I>(mut self, sources: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<ClaimSource>,
    {
        self.settings.role_claims = sources.into_iter().map(Into::into).collect();
        self
    }

    /// Writes the response of every refusal (a JSON problem document, an HTML page, ...).
    /// The guard then sets the status and the `WWW-Authenticate`, `DPoP-Nonce`,
    /// `Retry-After` and `Cache-Control` headers itself, so the semantics stay.
    pub fn on_reject(
        mut self,
        hook: impl Fn(&Rejection) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.settings.on_reject = Some(Box::new(hook));
        self
    }
}

impl GuardBuilder<RemoteKeys> {
    /// The algorithms the keys of the set may be bound to: narrows the default (each JWK's
    /// own `alg`, or every asymmetric algorithm its `kty`/`crv` allow). Tokens signed with
    /// another algorithm are refused.
    pub fn algorithms(mut self, algorithms: &[&'static Algorithm]) -> Self {
        self.keys.algorithms = Some(algorithms.to_vec());
        self
    }

    /// Which discovery document issuers publish; default OpenID Connect's.
    pub fn well_known(mut self, kind: WellKnown) -> Self {
        self.keys.well_known = kind;
        self
    }

    /// The HTTP client for discovery and key sets; default
    /// [`ReqwestClient`](crate::ReqwestClient) (feature `reqwest`).
    pub fn http_client(mut self, client: impl HttpClient) -> Self {
        self.keys.client = Some(Arc::new(client));
        self
    }

    /// Allows `http` issuers and JWKS URIs on 127.0.0.1, `[::1]` and `localhost`: for tests.
    pub fn allow_http_loopback(mut self) -> Self {
        self.keys.uris = UriPolicy::AllowHttpLoopback;
        self
    }

    /// The key-set cache policy (lifetimes, cooldown, maximum staleness).
    pub fn cache_policy(mut self, policy: CachePolicy) -> Self {
        self.keys.policy = policy;
        self
    }

    /// The limits a fetched key set is read with.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.keys.limits = limits;
        self
    }

    /// The longest a fetch may take (default 5 s); a request waiting for one waits at most
    /// this plus a second.
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.keys.fetch_timeout = timeout;
        self
    }

    /// The guard. Nothing is fetched: the keys come with the first request.
    ///
    /// # Errors
    ///
    /// [`BuildError::NoIssuers`], [`BuildError::InvalidUri`], [`BuildError::NoHttpClient`],
    /// [`BuildError::HttpClient`] for the keys; those of the other settings as
    /// [`GuardBuilder<LocalKeys>::build`].
    pub fn build(self) -> Result<Guard, BuildError> {
        let Self {
            keys: remote,
            settings,
        } = self;
        if matches!(&remote.location, Where::Issuers(issuers) if issuers.is_empty()) {
            return Err(BuildError::NoIssuers);
        }
        let counters = Arc::new(Cells::default());
        let validation = settings.rules();
        let client = match remote.client {
            Some(client) => client,
            None => default_client()?,
        };
        let algorithms = remote
            .algorithms
            .unwrap_or_else(|| jwa::ASYMMETRIC.to_vec());
        let uris = remote.uris;
        let new_remote = |cache: KeySetCache| {
            let config = RemoteConfig {
                client: Arc::clone(&client),
                fetch_timeout: remote.fetch_timeout,
                clock: Arc::clone(&settings.clock),
                counters: Arc::clone(&counters),
            };
            Remote::new(
                cache.with_policy(remote.policy).with_limits(remote.limits),
                config,
            )
        };
        let (keys, validation, remotes, issuers) = match remote.location {
            Where::Jwks(uri) => {
                uris.check_url(&uri, "jwks_uri")
                    .map_err(|_| BuildError::InvalidUri("jwks_uri"))?;
                let remote = new_remote(KeySetCache::new(uri, &algorithms));
                (
                    Keys::Remote(Arc::clone(&remote)),
                    validation,
                    vec![remote],
                    Vec::new(),
                )
            }
            Where::Issuers(issuers) => {
                let mut remotes = Vec::with_capacity(issuers.len());
                for issuer in &issuers {
                    let cache = KeySetCache::discover(issuer, remote.well_known, uris, &algorithms)
                        .map_err(|_| BuildError::InvalidUri("issuer"))?;
                    remotes.push(new_remote(cache));
                }
                match (issuers.as_slice(), remotes.as_slice()) {
                    ([issuer], [one]) => (
                        Keys::Remote(Arc::clone(one)),
                        validation.with_sole_issuer(issuer),
                        remotes,
                        issuers,
                    ),
                    _ => {
                        let mut set = Issuers::new();
                        for (issuer, remote) in issuers.iter().zip(&remotes) {
                            let keys = IssuerKeys(Arc::clone(remote));
                            set = set.with_issuer(issuer.clone(), keys, validation.clone());
                        }
                        (Keys::Issuers(set), validation, remotes, issuers)
                    }
                }
            }
        };
        settings.finish(Built {
            keys,
            validation,
            remotes,
            issuers,
            counters,
        })
    }
}

impl GuardBuilder<LocalKeys> {
    /// The guard.
    ///
    /// # Errors
    ///
    /// [`BuildError::InvalidUri`] for a resource or public origin that is not an `https`
    /// (or loopback `http`) URL; [`BuildError::NoOrigin`] for DPoP without a public origin;
    /// [`BuildError::Metadata`] if the metadata document cannot be written;
    /// [`BuildError::ClaimPath`] for a scope or role claim path that cannot be read.
    pub fn build(self) -> Result<Guard, BuildError> {
        let Self { keys, settings } = self;
        let validation = settings.rules();
        let keys = match keys.0 {
            Local::Ring(ring) => Keys::Ring(Arc::new(ring)),
            Local::Hmac(ring) => Keys::Hmac(Arc::new(ring)),
            Local::Handle(handle) => Keys::Handle(handle),
        };
        settings.finish(Built {
            keys,
            validation,
            remotes: Vec::new(),
            issuers: Vec::new(),
            counters: Arc::new(Cells::default()),
        })
    }
}

/// The keys and rules of a guard, ready for [`Settings::finish`].
struct Built {
    keys: Keys,
    validation: Validation,
    remotes: Vec<Arc<Remote>>,
    /// The issuers configured, for the metadata document.
    issuers: Vec<String>,
    counters: Arc<Cells>,
}

impl Settings {
    /// The rules given (or the default ones) with the `typ` rule applied.
    fn rules(&self) -> Validation {
        let rules = self
            .validation
            .clone()
            .unwrap_or_else(|| Validation::from_clock(Arc::clone(&self.clock)));
        match self.typ {
            TypRule::AtJwt => rules.with_typ("at+jwt"),
            TypRule::FromValidation => rules,
        }
    }

    /// The guard with these settings and `built` keys.
    fn finish(self, built: Built) -> Result<Guard, BuildError> {
        let dpop_on = self.dpop != DpopMode::Disabled;
        let plan =
            Plan::new(&self.scope_claims, &self.role_claims).map_err(BuildError::ClaimPath)?;
        // Neither is fetched: https, or http on a loopback host for local development.
        let uris = UriPolicy::AllowHttpLoopback;
        if let Some(metadata) = &self.metadata {
            metadata
                .check(uris)
                .map_err(|_| BuildError::InvalidUri("resource"))?;
        }
        if let Some(origin) = &self.origin {
            uris.check_url(origin, "public_origin")
                .map_err(|_| BuildError::InvalidUri("public_origin"))?;
        }
        let origin = self
            .origin
            .or_else(|| self.metadata.as_ref().map(|m| m.origin().to_owned()))
            .map(|o| origin_of(&o).to_owned());
        let dpop_algorithms = if dpop_on {
            self.dpop_algorithms
        } else {
            Vec::new()
        };
        let metadata = match &self.metadata {
            Some(m) => Some(Metadata {
                path: m.path(),
                json: m
                    .to_json(
                        &built.issuers,
                        &dpop_algorithms,
                        self.dpop == DpopMode::Required,
                    )
                    .map_err(|_| BuildError::Metadata)?,
            }),
            None => None,
        };
        let proofs = match (dpop_on, origin) {
            (false, _) => None,
            (true, None) => return Err(BuildError::NoOrigin),
            (true, Some(origin)) => Some(Proofs {
                algorithms: dpop_algorithms.clone(),
                max_age: self.dpop_max_age.as_secs(),
                leeway: self.dpop_leeway.as_secs(),
                origin,
                nonces: self.nonces,
                replay: self
                    .replay
                    .unwrap_or_else(|| Arc::new(MemoryReplayStore::new())),
            }),
        };
        let answers = Answers {
            bearer: self.dpop != DpopMode::Required,
            dpop: dpop_on.then_some(dpop_algorithms),
            realm: self.realm,
            resource_metadata: self.metadata.as_ref().map(ResourceMetadata::url),
        };
        let mut sources = CredentialSources::new().dpop(dpop_on);
        if let Some(cookie) = self.cookie {
            sources = sources.cookie(cookie);
        }
        Ok(Guard {
            inner: Arc::new(Inner {
                keys: built.keys,
                validation: built.validation,
                dpop: self.dpop,
                proofs,
                revocation: self.revocation,
                sources,
                plan: Arc::new(plan),
                metadata,
                responder: Arc::new(Responder {
                    counters: built.counters,
                    answers,
                    on_reject: self.on_reject,
                }),
                clock: self.clock,
                remotes: built.remotes,
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
