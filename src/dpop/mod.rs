//! DPoP (RFC 9449): access tokens bound to a client's key, so that a stolen token is useless
//! without the key.
//!
//! On every request the client sends a *proof*: a JWS over the request's method (`htm`), URI
//! (`htu`) and time (`iat`), and the hash of the access token (`ath`), signed with its private
//! key and carrying the public key in the header (`jwk`). The authorization server binds the
//! token it issues to that key (`cnf.jkt`, the key's RFC 7638 thumbprint); the resource server
//! checks the proof and that the token is bound to the proof's key.
//!
//! - Client: [`ProofBuilder`], and [`jkt`] for the `dpop_jkt` of an authorization request.
//! - Token endpoint: [`verify`] the proof, then put [`Confirmation`] in the token's claims
//!   as `cnf`.
//! - Resource server: [`verify`] the proof with the token
//!   ([`ProofValidation::with_access_token`]), then [`jwt::decode`](crate::jwt::decode) the
//!   token with [`Validation::with_dpop`](crate::jwt::Validation::with_dpop).
//! - Answers: [`Challenge`] for `WWW-Authenticate: DPoP` and `DPoP-Nonce`.
//!
//! ```
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{dpop, jwa, SigningKey};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Claims {
//!     #[serde(flatten)]
//!     registered: RegisteredClaims,
//!     cnf: dpop::Confirmation,
//! }
//!
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let client = SigningKey::generate(&jwa::ES256)?;
//! let issuer = SigningKey::generate(&jwa::EdDSA)?;
//!
//! // Token endpoint: the proof names the key the token is bound to.
//! let proof = dpop::ProofBuilder::new(&client, "POST", "https://as.example/token").with_iat(now).build()?;
//! let checked = dpop::verify(&proof, &dpop::ProofValidation::new("POST", "https://as.example/token", now))?;
//! let claims = Claims {
//!     registered: RegisteredClaims::new().with_subject("ada").with_lifetime(now, 300),
//!     cnf: dpop::Confirmation::from_proof(&checked),
//! };
//! let token = jwt::encode(&claims, &issuer)?;
//!
//! // Resource server: a proof for this request and this token, by the token's key.
//! let proof = dpop::ProofBuilder::new(&client, "GET", "https://rs.example/data")
//!     .with_iat(now)
//!     .with_access_token(&token)
//!     .build()?;
//! let rules = dpop::ProofValidation::new("GET", "https://rs.example/data", now).with_access_token(&token);
//! let checked = dpop::verify(&proof, &rules)?;
//! let verified: jwt::Verified<Claims> =
//!     jwt::decode(&token, &issuer.verifying_key(), &Validation::new(now).with_dpop(&checked))?;
//! assert_eq!(verified.claims().cnf.jkt(), dpop::jkt(&client));
//!
//! // Without the proof, the bound token is refused.
//! assert!(jwt::decode::<Claims, _>(&token, &issuer.verifying_key(), &Validation::new(now)).is_err());
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! One job per file: `proof.rs` builds, `verify.rs` checks, `claims.rs` reads the claims in
//! one pass, `htu.rs` normalises URIs, `challenge.rs` writes answers.

mod challenge;
mod claims;
mod htu;
mod proof;
mod verify;

use alloc::string::String;
use ring::digest;
use serde::{Deserialize, Serialize};

use crate::b64;
use crate::jwk::Jwk;
use crate::key::SigningKey;

pub use challenge::{Challenge, ChallengeError};
pub use htu::normalize_htu;
pub use proof::ProofBuilder;
pub use verify::{
    DEFAULT_MAX_AGE, MAX_PROOF_LEN, ProofValidation, VerifiedProof, single_proof, verify,
};

/// The `ath` of a proof for `access_token` (RFC 9449 §4.2): base64url(SHA-256(token)).
///
/// ```
/// // RFC 9449 §7.1
/// assert_eq!(
///     jose_ring::dpop::ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
///     "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
/// );
/// ```
#[must_use]
pub fn ath(access_token: &str) -> String {
    b64::encode(digest::digest(&digest::SHA256, access_token.as_bytes()).as_ref())
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of the public half of `key`: the `jkt` its
/// proofs prove, for the `dpop_jkt` of an authorization request (RFC 9449 §10).
#[must_use]
pub fn jkt(key: &SigningKey) -> String {
    Jwk::from_verifying_key(&key.verifying_key()).thumbprint()
}

/// The `cnf` claim (RFC 7800) of an access token bound to a DPoP key (RFC 9449 §6.1):
/// `{"jkt": thumbprint}`. Put it in the claims the token endpoint signs, as `cnf`.
///
/// Reading it back ignores other confirmation members (`x5t#S256`, ...).
///
/// ```
/// let cnf = jose_ring::dpop::Confirmation::from_jkt("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
/// assert_eq!(
///     serde_json::to_string(&cnf).unwrap(),
///     r#"{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    jkt: String,
}

impl Confirmation {
    /// The confirmation of the key of a verified proof.
    #[must_use]
    pub fn from_proof(proof: &VerifiedProof) -> Self {
        Self::from_jkt(proof.jkt())
    }

    /// The confirmation of a key by its thumbprint (RFC 7638, SHA-256, base64url).
    #[must_use]
    pub fn from_jkt(jkt: impl Into<String>) -> Self {
        Self { jkt: jkt.into() }
    }

    /// The thumbprint.
    #[must_use]
    pub fn jkt(&self) -> &str {
        &self.jkt
    }
}
