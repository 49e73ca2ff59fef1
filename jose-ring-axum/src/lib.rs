//! A Bearer and DPoP guard for [axum] and [tower] on `jose-ring`: it reads the access token
//! of each request (RFC 6750 §2.1, RFC 9449 §7), verifies it with keys it keeps fresh from an
//! identity provider, and answers the way RFC 6750 §3 and RFC 9449 say.
//!
//! [axum]: https://docs.rs/axum
//! [tower]: https://docs.rs/tower
//!
//! # A tour
//!
//! **Build a guard once, at startup**, from where its keys are (the constructor) and what
//! tokens must satisfy:
//!
//! ```
//! use std::sync::Arc;
//! use jose_ring::jwt::{SystemClock, Validation};
//! use jose_ring_axum::{DpopMode, Guard, ResourceMetadata};
//!
//! let guard = Guard::from_issuer("https://auth.example")   // discovery, then its JWKS, kept fresh
//!     .validation(Validation::from_clock(Arc::new(SystemClock)).with_audience("https://api.example"))
//!     .dpop(DpopMode::Allowed)
//!     .resource_metadata(ResourceMetadata::new("https://api.example").scope("admin"))
//!     .build()?;
//! # Ok::<(), jose_ring_axum::BuildError>(())
//! ```
//!
//! The key source is chosen by the constructor, once: [`Guard::from_issuer`],
//! [`Guard::from_issuers`], [`Guard::from_jwks_uri`] (keys fetched and kept fresh;
//! [`RemoteKeys`] settings such as [`GuardBuilder::allow_http_loopback`]), or
//! [`Guard::from_key_ring`], [`Guard::from_hmac_key_ring`], [`Guard::from_keys`] (keys held
//! in the process). Building never touches the network: the first request fetches the
//! discovery document and the key set. **Startup never fails because the provider is
//! down.**
//!
//! **Access tokens must be typed `at+jwt`** (RFC 9068 §2.1, `application/at+jwt` alike):
//! an ID token or any other JWT signed by the same keys is refused. For a provider that sends
//! `typ` `JWT` or none, say so with [`TypRule::FromValidation`] (the README has a table of
//! what common providers send).
//!
//! **Put its layer in front of the routes**, and a stricter one on the routes that need more:
//!
//! ```
//! # use jose_ring::{jwa, jwk::KeyRing, HmacKey};
//! # let guard = jose_ring_axum::Guard::from_hmac_key_ring(
//! #     KeyRing::new_hmac().with_hmac_key(HmacKey::new(&jwa::HS256, &[7; 32]).unwrap()))
//! #     .build().unwrap();
//! use axum::{Router, routing::get};
//! use jose_ring_axum::{Auth, Claims};
//!
//! #[derive(serde::Deserialize)]
//! struct Caller { sub: String }
//!
//! let app: Router = Router::new()
//!     .route("/hello", get(|Claims(c): Claims<Caller>| async move { format!("hello {}", c.sub) }))
//!     .route("/admin", get(|auth: Auth| async move { format!("{:?}", auth.kid()) })
//!         .layer(guard.require_scope("admin")))
//!     .layer(guard.layer());
//! ```
//!
//! Handlers take [`Claims<T>`] (the verified claims as your type, read from the payload the
//! layer kept: the token is parsed once) or [`Auth`] (the `kid`, issuer, DPoP thumbprint,
//! `jti`, expiry, scopes, roles, `acr`, `auth_time`). Behind the router's layer, a route's
//! [`require_scope`](Guard::require_scope) layer only checks its scope. A custom extractor
//! or another transport reads credentials as the guard does with
//! [`Credentials::from_headers`].
//!
//! **Optional authentication**: [`Guard::optional_layer`] lets requests without credentials
//! through anonymous (`Option<Auth>` and `Option<Claims<T>>` are `None`), and still refuses
//! bad credentials.
//!
//! **Scopes and roles from your provider's claims**: [`GuardBuilder::scope_claims`] and
//! [`GuardBuilder::role_claims`] take [`ClaimSource`]s (a dotted path such as
//! `realm_access.roles`, a delimiter, a prefix), read in the same pass over the claims.
//!
//! **Step-up (RFC 9470)**: [`Guard::require_acr`] and [`Guard::require_max_auth_age`] answer a
//! token whose `acr` or `auth_time` falls short with 401 `insufficient_user_authentication`,
//! naming `acr_values` and `max_age`.
//!
//! # What a request gets
//!
//! | Request | Answer |
//! |---|---|
//! | no `Authorization` (or another scheme) | 401, `WWW-Authenticate: Bearer` without `error` (and `DPoP algs="…"` when DPoP is on) |
//! | two `Authorization` fields, `Bearer` without a token, not a `token68` | 400, `error="invalid_request"` |
//! | a token that does not verify, expired, not `at+jwt`, unknown `kid` | 401, `error="invalid_token"` |
//! | missing scope | 403, `error="insufficient_scope", scope="…"` |
//! | `acr` or `auth_time` short of a step-up route's | 401, `error="insufficient_user_authentication", acr_values="…", max_age="…"` |
//! | a bad DPoP proof | 401, `WWW-Authenticate: DPoP error="invalid_dpop_proof", algs="…"` |
//! | a proof without the server's nonce | 401, `DPoP error="use_dpop_nonce"` and `DPoP-Nonce` |
//! | a DPoP-bound token sent as `Bearer` | 401, `error="invalid_token"` |
//! | keys, revocation or replay status cannot be established | 503 with `Retry-After` |
//!
//! Every 401 challenge names the metadata document (`resource_metadata="…"`, RFC 9728 §5.1)
//! when one is set. Challenges are written by the library's [`jose_ring::dpop::Challenge`];
//! their `error_description` is a fixed text of the library or of this crate, never a value
//! from the request. The scheme is compared ignoring case (RFC 7235 §2.1); a token is never
//! read from the query string, and from a cookie only when you name one
//! ([`GuardBuilder::cookie`]); a browser then sends it by itself, so put a [`CsrfLayer`] in
//! front of those routes (a custom request header and a same-origin `Sec-Fetch-Site` or
//! `Origin`; [`cookie_value`] reads a cookie as the guard does). [`Reason`] lists the stable
//! codes;
//! [`GuardBuilder::on_reject`] writes your own body, keeping the status and headers.
//!
//! # Keys from an identity provider
//!
//! [`Guard::from_issuer`], [`Guard::from_issuers`] and [`Guard::from_jwks_uri`] are driven
//! by the library's [`KeySetCache`](jose_ring::jwks::KeySetCache) policy:
//!
//! - **Algorithms from the keys.** Each key is bound to its JWK's `alg`, or (without one)
//!   to the asymmetric algorithms its `kty`/`crv` allow; [`GuardBuilder::algorithms`]
//!   narrows them. A discovery document's ID-token algorithms are not used.
//! - **Lazy first fetch.** While no key set has been fetched, the first request starts the
//!   fetch and every request waits for it, at most the fetch timeout (5 s) plus a second; if
//!   it fails, requests get **503 with `Retry-After`** (fail closed) until the cooldown
//!   (30 s) allows the next try, which the next request starts.
//! - **Refresh ahead.** In the last quarter of a set's lifetime a background task refetches
//!   it (with `If-None-Match`); requests keep using the set held and never wait on a refresh.
//! - **Unknown `kid`.** A token naming a key the set lacks causes one refetch per cooldown;
//!   every request that needs it waits for that one fetch (single flight), then is verified
//!   or refused (`unknown_key`).
//! - **Last known good.** When fetches fail the set held keeps serving, up to its lifetime
//!   plus the maximum staleness (1 h), then 503.
//!
//! Fetches go through [`HttpClient`] (default [`ReqwestClient`], feature `reqwest`: rustls
//! on ring, no OpenSSL, no aws-lc), bounded in time and in body size.
//!
//! # DPoP, replay, revocation
//!
//! [`DpopMode::Allowed`] or [`DpopMode::Required`] checks the `DPoP` proof of `DPoP` requests
//! ([`jose_ring::dpop::verify`]: method, URI from [`GuardBuilder::public_origin`] and the
//! path, age, `ath`), binds the token to its key (`cnf.jkt`), and records the proof in the
//! [`ReplayStore`] (key `jkt:jti`, for the proof window). [`GuardBuilder::revocation`] asks a
//! [`RevocationStore`] about the token's `jti`. A store that cannot answer means 503. The
//! in-memory stores are bounded and refuse rather than forget when full ([`ExpiringSet`]).
//!
//! # Monitoring
//!
//! Every rejection is a `tracing` event (target `jose_ring_axum`, field `reason` with the
//! [`Reason`] code, the method and path without query), every fetch one too (`kind`,
//! `outcome`, `status`, `duration_ms`, `keys`); never a token, never an unverified claim.
//! [`Guard::counters`] is a snapshot of atomics: accepted, anonymous, rejected by reason,
//! fetches, fetch failures. The `metrics` feature exports those and more (verification time
//! by algorithm, fetches, keys held and freshness by issuer, unknown-`kid` decisions, store
//! errors) in the Prometheus exposition format: `Metrics`, whose registry the application
//! adds its own metrics to, served at `/metrics`.

mod auth;
mod authorities;
mod builder;
mod client_auth;
mod config;
mod cookie;
mod counters;
mod credentials;
mod csrf;
mod facts;
mod grpc;
mod guard;
mod http;
mod introspection;
mod keys;
mod layer;
mod metadata;
#[cfg(feature = "metrics")]
mod metrics;
mod reason;
mod reject;
mod route;
mod store;

pub use auth::{Auth, Claims, ClaimsRejection, MissingAuth};
pub use authorities::ClaimSource;
pub use builder::{BuildError, GuardBuilder, Introspection, LocalKeys, RemoteKeys};
pub use client_auth::ClientAuth;
pub use config::{DpopMode, NonceSource, TypRule};
pub use cookie::cookie_value;
pub use counters::Counters;
pub use credentials::{CredentialError, CredentialSources, Credentials, Scheme};
pub use csrf::{
    CsrfConfigError, CsrfLayer, CsrfRejection, CsrfService, DEFAULT_HEADER, parse_origin,
};
pub use grpc::{GrpcLayer, GrpcService};
pub use guard::Guard;
#[cfg(feature = "reqwest")]
pub use http::ReqwestClient;
pub use http::{BoxFuture, FetchError, FormPost, HttpClient};
pub use keys::StaticKeys;
pub use layer::{GuardLayer, GuardService};
pub use metadata::ResourceMetadata;
#[cfg(feature = "metrics")]
pub use metrics::{CONTENT_TYPE_OPENMETRICS, GuardCollector, Metrics};
/// The Prometheus project's client library the `metrics` feature is built on: register your
/// own metrics in [`Metrics::registry_mut`] with its types.
#[cfg(feature = "metrics")]
pub use prometheus_client;
pub use reason::Reason;
pub use reject::Rejection;
pub use store::{
    ExpiringSet, MemoryReplayStore, MemoryRevocationStore, ReplayStore, RevocationStore, StoreError,
};
