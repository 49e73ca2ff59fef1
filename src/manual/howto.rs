//! # How-tos
//!
//! ## Verify against a rotating JWKS
//!
//! Load the identity provider's JWKS once, turn it into a [`KeyRing`](crate::jwk::KeyRing) with
//! the algorithms you accept, and share it. When a token names a `kid` the ring does not know,
//! the provider may have rotated its keys: fetch the JWKS again (rate-limited, so that tokens
//! with made-up `kid`s cannot make you hammer the provider) and retry once.
//!
//! ```
//! use jose_ring::jwk::{JwkSet, KeyRing};
//! use jose_ring::jwt::{self, RegisteredClaims, Validation};
//! use jose_ring::{jwa, Error, NoKey};
//!
//! const ALGS: [&jose_ring::jwa::Algorithm; 2] = [&jwa::RS256, &jwa::ES256];
//!
//! /// Your HTTP client goes here; the crate has no network code.
//! fn fetch_jwks() -> Vec<u8> {
//!     br#"{"keys":[]}"#.to_vec()
//! }
//!
//! fn load() -> Result<KeyRing, Error> {
//!     Ok(JwkSet::from_json(&fetch_jwks())?.key_ring(&ALGS))
//! }
//!
//! fn verify(
//!     token: &str,
//!     ring: &mut KeyRing,
//!     rules: &Validation,
//! ) -> Result<jwt::Verified<RegisteredClaims>, Error> {
//!     match jwt::decode(token, &*ring, rules) {
//!         Err(Error::NoKey(NoKey::UnknownKid)) => {
//!             *ring = load()?; // rate-limit this in a real server
//!             jwt::decode(token, &*ring, rules)
//!         }
//!         other => other,
//!     }
//! }
//! # let mut ring = load()?;
//! # let rules = Validation::new(jwt::NumericDate::from_seconds(0));
//! # assert!(verify("not.a.token", &mut ring, &rules).is_err());
//! # Ok::<(), Error>(())
//! ```
//!
//! In a multi-threaded server keep the ring behind an `RwLock` or an atomically swapped `Arc`;
//! a `KeyRing` is immutable once built, so readers never wait on each other.
//!
//! ## Tokens without a `kid`
//!
//! A single key ([`HmacKey`](crate::HmacKey) or [`VerifyingKey`](crate::VerifyingKey)) verifies
//! tokens with or without a `kid` (if both the key and the token have one, they must match). A
//! [`KeyRing`](crate::jwk::KeyRing) accepts a token without `kid` only when exactly one of its
//! keys is bound to the token's `alg`; with two, it answers
//! [`NoKey::Ambiguous`](crate::NoKey::Ambiguous) rather than trying both.
//!
//! ## Access and refresh tokens
//!
//! Give each kind its own type, lifetime and rules (RFC 8725 §3.11, §3.12), so that neither can
//! stand in for the other; keep refresh tokens single-use with a deny list of spent `jti`s.
//!
//! ```
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, jws, ClaimError, Error, HmacKey};
//!
//! let key = HmacKey::generate(&jwa::HS256)?;
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let base = RegisteredClaims::new().with_issuer("https://auth.example").with_subject("ada");
//!
//! let access = jwt::encode_with_header(
//!     &base.clone().with_audience("api").with_lifetime(now, 900),
//!     &jws::Header::new().with_typ("at+jwt"),
//!     &key,
//! )?;
//! let refresh = jwt::encode_with_header(
//!     &base.with_audience("https://auth.example/token").with_lifetime(now, 86_400).with_jwt_id("r-1"),
//!     &jws::Header::new().with_typ("refresh+jwt"),
//!     &key,
//! )?;
//!
//! let api = Validation::new(now).with_typ("at+jwt").with_issuer("https://auth.example").with_audience("api");
//! let token_endpoint = Validation::new(now)
//!     .with_typ("refresh+jwt")
//!     .with_issuer("https://auth.example")
//!     .with_audience("https://auth.example/token")
//!     .with_revocation(|jti| jti == "r-0"); // look the jti up in your shared deny list
//!
//! assert!(jwt::decode::<RegisteredClaims, _>(&access, &key, &api).is_ok());
//! assert!(jwt::decode::<RegisteredClaims, _>(&refresh, &key, &token_endpoint).is_ok());
//! // Neither works in the other's place.
//! assert!(matches!(
//!     jwt::decode::<RegisteredClaims, _>(&refresh, &key, &api),
//!     Err(Error::Claim(ClaimError::InvalidTyp))
//! ));
//! assert!(matches!(
//!     jwt::decode::<RegisteredClaims, _>(&access, &key, &token_endpoint),
//!     Err(Error::Claim(ClaimError::InvalidTyp))
//! ));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Scopes, roles and logout
//!
//! [`Validation::with_scope`](crate::jwt::Validation::with_scope) requires a scope in the space-delimited
//! `scope` claim (RFC 9068); [`Validation::with_role`](crate::jwt::Validation::with_role) requires a role
//! in an array claim ([`Validation::with_roles_claim`](crate::jwt::Validation::with_roles_claim) names it;
//! `roles` by default). The error names what is missing:
//! [`ClaimError::MissingScope`](crate::ClaimError::MissingScope). For logout, put the token's
//! `jti` on a deny list until its `exp` and check it with
//! [`Validation::with_revocation`](crate::jwt::Validation::with_revocation), which runs only for tokens
//! that passed every other check.
