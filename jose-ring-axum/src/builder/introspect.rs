//! Building a guard for opaque access tokens: [`Guard::from_introspection`] and the settings of
//! its introspection requests and cache.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jose_ring::jwa;
use jose_ring::jwks::{CachePolicy, KeySetCache, UriPolicy, WellKnown};
use jose_ring::jwt::Validation;

use super::{BuildError, Built, GuardBuilder, default_client};
use crate::authorities::Plan;
use crate::client_auth::ClientAuth;
use crate::config::Keys;
use crate::counters::Cells;
use crate::guard::{AnswerKeySet, Guard};
use crate::http::HttpClient;
use crate::introspection::{AnswerKeys, Introspector, Settings};
use crate::keys::{Remote, RemoteConfig};

/// The key source of a guard for opaque access tokens: an authorization server's token
/// introspection endpoint (RFC 7662), with the guard's credentials there and the settings of
/// the requests and of the cache. From [`Guard::from_introspection`].
pub struct Introspection {
    endpoint: String,
    auth: ClientAuth,
    client: Option<Arc<dyn HttpClient>>,
    uris: UriPolicy,
    fetch_timeout: Duration,
    positive: Duration,
    negative: Duration,
    capacity: usize,
    max_len: usize,
    jwt_issuer: Option<String>,
}

impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("endpoint", &self.endpoint)
            .field("auth", &self.auth)
            .field("jwt_issuer", &self.jwt_issuer)
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// A guard for opaque access tokens: each token is checked by asking `endpoint`, the
    /// authorization server's token introspection endpoint (RFC 7662), with the guard's
    /// `auth` credentials there. The answer must say `active: true`, and its claims pass the
    /// guard's [`validation`](GuardBuilder::validation) rules exactly as a JWT's would (`exp`
    /// required by default, `iss`, `aud`, scopes, `cnf.jkt` for DPoP); a `token_type` must
    /// name the scheme the token came with. The `typ` rule does not apply.
    ///
    /// Answers are cached under the token's SHA-256, never the token: a positive one until
    /// the earlier of its `exp` and [`cache_ttl`](GuardBuilder::cache_ttl) (30 s), a negative
    /// one for [`negative_cache_ttl`](GuardBuilder::negative_cache_ttl) (5 s); concurrent
    /// requests with the same token share one request. When the server cannot answer
    /// (down, slow, an error status), requests get 503 with `Retry-After`
    /// (`introspection_unavailable`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use jose_ring::jwt::{SystemClock, Validation};
    /// use jose_ring_axum::{ClientAuth, Guard};
    /// let guard = Guard::from_introspection(
    ///         "https://auth.example/oauth2/introspect",
    ///         ClientAuth::secret_basic("my-api", "its-secret"),
    ///     )
    ///     .validation(Validation::from_clock(Arc::new(SystemClock)).with_audience("https://api.example"))
    ///     .build()?;
    /// # Ok::<(), jose_ring_axum::BuildError>(())
    /// ```
    pub fn from_introspection(
        endpoint: impl Into<String>,
        auth: ClientAuth,
    ) -> GuardBuilder<Introspection> {
        GuardBuilder::new(Introspection {
            endpoint: endpoint.into(),
            auth,
            client: None,
            uris: UriPolicy::HttpsOnly,
            fetch_timeout: Duration::from_secs(5),
            positive: Duration::from_secs(30),
            negative: Duration::from_secs(5),
            capacity: 10_000,
            max_len: 64 * 1024,
            jwt_issuer: None,
        })
    }
}

impl GuardBuilder<Introspection> {
    /// The HTTP client of the introspection requests (and of the key set, for JWT
    /// answers); default [`ReqwestClient`](crate::ReqwestClient) (feature `reqwest`). It must
    /// implement [`HttpClient::post_form`].
    pub fn http_client(mut self, client: impl HttpClient) -> Self {
        self.keys.client = Some(Arc::new(client));
        self
    }

    /// Allows an `http` endpoint (and issuer) on 127.0.0.1, `[::1]` and `localhost`: for
    /// tests.
    pub fn allow_http_loopback(mut self) -> Self {
        self.keys.uris = UriPolicy::AllowHttpLoopback;
        self
    }

    /// The longest an introspection request may take (default 5 s).
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.keys.fetch_timeout = timeout;
        self
    }

    /// The most a positive answer is kept, before its `exp` (default 30 s, whole seconds):
    /// how long a token revoked at the server may still be accepted. `Duration::ZERO` asks
    /// for every request (Spring Security's default).
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.keys.positive = ttl;
        self
    }

    /// The most a negative answer (`active: false`, or claims the rules refuse) is kept
    /// (default 5 s, whole seconds).
    pub fn negative_cache_ttl(mut self, ttl: Duration) -> Self {
        self.keys.negative = ttl;
        self
    }

    /// The most answers kept (default 10,000); when every one is fresh, a new token is
    /// asked about without being kept.
    pub fn cache_capacity(mut self, entries: usize) -> Self {
        self.keys.capacity = entries;
        self
    }

    /// Asks for JWT answers (RFC 9701, `Accept: application/token-introspection+jwt`) and
    /// accepts only those: signed by `issuer`'s keys (found by its OpenID Connect discovery
    /// document, kept fresh as [`Guard::from_issuer`] keeps them), `typ`
    /// `token-introspection+jwt`, `iss` the issuer and `aud` the guard's client id. A JSON
    /// answer, or one that does not verify, is refused (503).
    pub fn jwt_answers(mut self, issuer: impl Into<String>) -> Self {
        self.keys.jwt_issuer = Some(issuer.into());
        self
    }

    /// The guard. Nothing is fetched: the first request with a token asks about it.
    ///
    /// # Errors
    ///
    /// [`BuildError::InvalidUri`] for an endpoint (or issuer) that is not an `https` URL
    /// (or loopback `http`, with [`allow_http_loopback`](Self::allow_http_loopback));
    /// [`BuildError::NoHttpClient`], [`BuildError::HttpClient`]; those of the other settings
    /// as [`GuardBuilder<LocalKeys>::build`](crate::GuardBuilder::build).
    pub fn build(self) -> Result<Guard, BuildError> {
        let Self { keys, settings } = self;
        keys.uris
            .check_url(&keys.endpoint, "introspection_endpoint")
            .map_err(|_| BuildError::InvalidUri("introspection_endpoint"))?;
        let counters = Arc::new(Cells::default());
        let client = match keys.client {
            Some(client) => client,
            None => default_client()?,
        };
        let mut remotes = Vec::new();
        let jwt: Option<Arc<dyn AnswerKeys>> = match &keys.jwt_issuer {
            None => None,
            Some(issuer) => {
                let cache = KeySetCache::discover(
                    issuer,
                    WellKnown::OpenIdConfiguration,
                    keys.uris,
                    &jwa::ASYMMETRIC,
                )
                .map_err(|_| BuildError::InvalidUri("issuer"))?;
                let remote = Remote::new(
                    cache.with_policy(CachePolicy::DEFAULT),
                    RemoteConfig {
                        client: Arc::clone(&client),
                        fetch_timeout: keys.fetch_timeout,
                        clock: Arc::clone(&settings.clock),
                        counters: Arc::clone(&counters),
                    },
                );
                remotes.push(Arc::clone(&remote));
                let rules = Validation::from_clock(Arc::clone(&settings.clock))
                    .with_typ("token-introspection+jwt")
                    .with_sole_issuer(issuer)
                    .with_audience(keys.auth.client_id())
                    .with_optional_exp();
                Some(Arc::new(AnswerKeySet {
                    remote,
                    rules,
                    plan: Arc::new(Plan::default()),
                    cells: Arc::clone(&counters),
                }))
            }
        };
        let validation = settings.rules();
        let introspector = Introspector::new(Settings {
            endpoint: keys.endpoint,
            auth: keys.auth,
            client,
            clock: Arc::clone(&settings.clock),
            rules: validation.clone(),
            fetch_timeout: keys.fetch_timeout,
            positive: keys.positive,
            negative: keys.negative,
            capacity: keys.capacity,
            max_len: keys.max_len,
            jwt,
        });
        settings.finish(Built {
            keys: Keys::Introspection(Arc::new(introspector)),
            validation,
            remotes,
            issuers: Vec::new(),
            counters,
        })
    }
}
