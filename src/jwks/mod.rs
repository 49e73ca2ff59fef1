//! Remote key sets: an identity provider's JWKS kept fresh, found by discovery, for one issuer
//! or several.
//!
//! The library decides and the caller acts: nothing here does I/O.
//!
//! - [`Discovery`] reads an issuer's OpenID Connect Discovery 1.0 or RFC 8414 document
//!   (fetched from [`discovery_uri`]): its `jwks_uri` and signing algorithms.
//! - [`UriPolicy`] says which URIs may be fetched: `https`, or loopback `http` for tests.
//!
//! See [`manual::howto`](crate::manual::howto) for the whole story.

mod discovery;
mod uri;

pub use discovery::{Discovery, MAX_DOCUMENT_LEN, WellKnown, discovery_uri};
pub use uri::UriPolicy;
