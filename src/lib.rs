//! JOSE — JSON Web Signature, JSON Web Token, JSON Web Key and JSON Web Algorithms — built from
//! the RFCs on [`ring`](https://docs.rs/ring), and built so that the classic JWT mistakes cannot
//! be written with it.
//!
//! # A tour
//!
//! ## 1. A key is bound to one algorithm
//!
//! Algorithms are `static` values in [`jwa`]; a key is bound to one of them when it is built,
//! and a token's `"alg"` is only ever *compared* with that algorithm. There is no `none`, and
//! no way for a token to pick the code that checks it.
//!
//! ```
//! use jose_ring::{jwa, Error, HmacKey, KeyRejected, SigningKey};
//!
//! let hmac = HmacKey::new(&jwa::HS256, b"at least thirty-two bytes of secret")?;
//! let ec = SigningKey::generate(&jwa::ES256)?.with_kid("2026-11");
//!
//! // RFC 7518 §3.2: an HS256 secret has at least 32 bytes (ring alone would take 0).
//! assert_eq!(
//!     HmacKey::new(&jwa::HS256, b"short").map(|_| ()),
//!     Err(Error::KeyRejected(KeyRejected::HmacTooShort { min: 32 }))
//! );
//! # Ok::<(), Error>(())
//! ```
//!
//! Keys come from PEM or DER ([`SigningKey::from_pem`], [`VerifyingKey::from_pem`]: PKCS#8,
//! SPKI, PKCS#1, SEC1), from raw components, or are generated; each is parsed and checked once,
//! so verifying a token costs what `ring` costs and nothing more.
//!
//! ## 2. Sign and verify
//!
//! ```
//! use jose_ring::{jwa, jws, SigningKey};
//!
//! let key = SigningKey::generate(&jwa::Ed25519)?;
//! let token = jws::sign(br#"{"sub":"ada"}"#, &jws::Header::new().with_typ("JWT"), &key)?;
//!
//! let verified = jws::verify(&token, &key.verifying_key())?;
//! assert_eq!(verified.payload(), br#"{"sub":"ada"}"#);
//! assert_eq!(verified.header().typ(), Some("JWT"));
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! [`jws::verify`] takes any [`KeySource`]: a single key, or a store that picks a key by the
//! token's `kid` and `alg`. Verification checks, in order and each only if the one before
//! passed: the length limit, three segments, the token alphabet, the header's base64url and
//! strict JSON (an object, no duplicate names), `crit` and `b64`, the key choice and the
//! algorithm match, the signature, then the payload encoding. Header members that carry keys
//! (`jwk`, `jku`, `x5u`, `x5c`) are never used to find one.
//!
//! ## 3. JWTs: claims checked, closed by default
//!
//! [`jwt::decode`] verifies the JWS, then checks the claims against a [`jwt::Validation`] and
//! deserializes them into your type, in one pass over the payload.
//!
//! ```
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, ClaimError, Error, HmacKey};
//!
//! let key = HmacKey::new(&jwa::HS256, &[7; 32])?;
//! let login = NumericDate::from_seconds(1_700_000_000);
//! let claims = RegisteredClaims::new().with_subject("ada").with_audience("api").with_lifetime(login, 900);
//! let token = jwt::encode(&claims, &key)?;
//!
//! let rules = Validation::new(login.saturating_add(60)).with_audience("api");
//! let verified: jwt::Verified<RegisteredClaims> = jwt::decode(&token, &key, &rules)?;
//! assert_eq!(verified.claims().sub.as_deref(), Some("ada"));
//!
//! // Sixteen minutes later the same token has expired.
//! let later = Validation::new(login.saturating_add(960)).with_audience("api");
//! assert!(matches!(
//!     jwt::decode::<RegisteredClaims, _>(&token, &key, &later),
//!     Err(Error::Claim(ClaimError::Expired { .. }))
//! ));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## 4. Keys from JWKs and JWK Sets
//!
//! [`jwk::Jwk`] reads one key strictly and binds it to an algorithm; [`jwk::JwkSet`] reads an
//! identity provider's set leniently and becomes a [`jwk::KeyRing`], a [`KeySource`] that picks
//! the key by the token's `kid` and `alg` and never guesses between two.
//!
//! ```
//! use jose_ring::{jwa, jwk::JwkSet};
//! let jwks = br#"{"keys":[
//!   {"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
//!   {"kty":"EC","crv":"P-521","kid":"b","x":"AHKZ","y":"AdYm"}
//! ]}"#;
//! let set = JwkSet::from_json(jwks)?;
//! assert_eq!(set.keys().len(), 1); // the malformed P-521 entry is skipped, not fatal
//! assert_eq!(set.skipped().len(), 1);
//! // The OKP key names no `alg`: it is bound once for each Ed25519 name asked for.
//! let ring = set.key_ring(&[&jwa::Ed25519, &jwa::EdDSA, &jwa::ES256]);
//! assert_eq!(ring.len(), 2);
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! Keys that rotate live in [`jwks`]: a refresh policy without I/O ([`jwks::KeySetCache`]),
//! a thread-safe remote set driven by your HTTP client ([`jwks::SharedKeySet`], feature
//! `std`), OpenID Connect and RFC 8414 discovery, and one verifier for several issuers.
//!
//! ## 5. Errors you can log
//!
//! Every failure is an [`Error`] whose variant says which step failed and whose reason says
//! why, without ever quoting the token, its claims or a key:
//!
//! ```
//! use jose_ring::{jwa, jws, Error, HmacKey, Unsupported};
//!
//! let key = HmacKey::new(&jwa::HS256, &[7; 32])?;
//! // {"alg":"none"} . {"sub":"admin"} . (no signature)
//! let unsecured = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.";
//! let error = jws::verify(unsecured, &key).unwrap_err();
//! assert_eq!(error, Error::Unsupported(Unsupported::None));
//! assert_eq!(error.to_string(), "unsupported: unsecured JWS (alg none) is never accepted");
//! # Ok::<(), Error>(())
//! ```
//!
//! ## 6. Looking before verifying
//!
//! To choose keys by a token's unverified `iss` or `kid`, or to show a token, the loudly named
//! [`dangerous`] module peeks without verifying anything, decoding as strictly as verification
//! does. [`jwk::Jwk::from_pem`] reads a PEM key of any supported type into a JWK.
//!
//! ## 7. Selective disclosure
//!
//! [`sd_jwt`] issues, presents and verifies SD-JWTs (RFC 9901) with key binding, and SD-JWT VCs:
//! claims a holder discloses one by one, every rule of the RFC with its own error.
//!
//! # Further reading
//!
//! The [`manual`] answers a reviewer's questions: the threat model (RFC 8725 §3 item by item,
//! with the tests that prove each), the JWT vulnerabilities of other libraries and why they
//! cannot happen here, every default and its reason, how-tos, and migration from
//! `jsonwebtoken` and `jwt-simple`.
//!
//! # Features
//!
//! The crate is `#![no_std]` with `alloc`. The default `std` feature adds the system clock and
//! `std` support in the dependencies; build with `default-features = false` for `no_std`.
//!
//! # What `ring` does not provide
//!
//! `ES512` (P-521), `ES256K` (secp256k1), Ed448, RSA key generation and the JWE algorithms are
//! not in `ring` 0.17. Tokens and keys that need them fail with [`Error::Unsupported`] naming
//! what is missing, never with a panic or a generic failure.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod b64;
mod error;
mod json;
mod key;
mod limits;
mod secret;
mod serialization;
mod time;

pub mod dangerous;
pub mod dpop;
pub mod jwa;
pub mod jwk;
pub mod jwks;
pub mod jws;
pub mod jwt;
pub mod manual;
pub mod sd_jwt;

pub use error::{
    ClaimError, CritProblem, Dpop, Error, JsonProblem, KeyRejected, KeySetError, Malformed, Misuse,
    NoKey, SdJwt, UnencodedProblem, Unsupported,
};
pub use key::{HmacKey, KeyRef, KeySource, Signer, SigningKey, VerifyingKey};
pub use limits::Limits;
pub use secret::Secret;

/// The README's examples, compiled and run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
