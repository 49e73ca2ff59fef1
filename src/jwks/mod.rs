//! Remote key sets: an identity provider's JWKS kept fresh, found by discovery, for one issuer
//! or several.
//!
//! The library decides and the caller acts: nothing here does I/O.
//!
//! - [`KeySetCache`] is the policy ([`CachePolicy`]): fed with times, HTTP outcomes
//!   ([`Response`]) and bodies, it says when to fetch, what to ask (`If-None-Match`), whether
//!   an unknown `kid` may cause a fetch, and how long the last good set serves.
//! - [`SharedKeySet`] (feature `std`) drives it for you, blocking, with your HTTP client
//!   behind [`Fetch`]: a [`KeySource`](crate::KeySource) to share between threads.
//! - [`Discovery`] reads an issuer's OpenID Connect Discovery 1.0 or RFC 8414 document
//!   (fetched from [`discovery_uri`]): its `jwks_uri` and signing algorithms.
//! - [`Issuers`] verifies tokens of several issuers, each with its own keys and rules only.
//! - [`UriPolicy`] says which URIs may be fetched: `https`, or loopback `http` for tests.
//!
//! See [`manual::howto`](crate::manual::howto) for the whole story.

mod cache;
mod cache_control;
mod discovery;
mod issuers;
mod provider;
#[cfg(feature = "std")]
mod shared;
mod uri;

pub use cache::{CachePolicy, CacheState, KeySetCache, Refetch, Request, Response, Target};
pub use discovery::{Discovery, MAX_DOCUMENT_LEN, WellKnown, discovery_uri};
pub use issuers::Issuers;
pub use provider::KeyProvider;
#[cfg(feature = "std")]
pub use shared::{Fetch, Keys, SharedKeySet};
pub use uri::UriPolicy;
