//! The manual: what this crate defends against, why its defaults are what they are, and how to
//! do the common jobs. Chapters:
//!
//! - [`threat_model`]: RFC 8725 §3, item by item — what the crate does about each, and the test
//!   that proves it.
//! - [`vulnerabilities`]: the JWT vulnerabilities found in other libraries, and why each cannot
//!   happen here.
//! - [`defaults`]: every default, and the reason for it.
//! - [`howto`]: verifying against a rotating JWKS, tokens without `kid`, access and refresh
//!   tokens, scopes and revocation.
//! - [`migrating`]: side-by-side code for users of `jsonwebtoken` and `jwt-simple`.
//! - [`sd_jwt`]: SD-JWT (RFC 9901) and SD-JWT VC, a how-to for the issuer, the holder and the
//!   verifier.
//!
//! Test names below are functions in the crate's `tests/` directory (`tests/attacks.rs` and so
//! on); run one with `cargo test --test attacks alg_none`.

pub mod defaults;
pub mod howto;
pub mod migrating;
pub mod sd_jwt;
pub mod threat_model;
pub mod vulnerabilities;
