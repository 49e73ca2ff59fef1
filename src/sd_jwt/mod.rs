//! Selective Disclosure for JWTs (SD-JWT, RFC 9901) with key binding, and SD-JWT VC
//! (draft-ietf-oauth-sd-jwt-vc, `dc+sd-jwt`): an issuer signs a JWT whose claims the holder
//! later discloses one by one, proving possession of its key with a Key Binding JWT.
//!
//! Three roles, three entry points:
//!
//! - the **issuer** makes an SD-JWT with an [`Issuer`]: claims named by JSON Pointer become
//!   disclosures (salted with 128 bits from the system's random number generator), the
//!   others stay visible; nested and recursive disclosures, decoys, the holder's key as
//!   `cnf.jwk`, compact or JSON serialization (§8);
//! - the **holder** parses it ([`Unverified`]), chooses what to disclose by JSON Pointer
//!   ([`Unverified::present`]) and sends the [`Presentation`], with a Key Binding JWT when
//!   the verifier asks for one ([`Presentation::with_key_binding`], [`KeyBinding`]);
//! - the **verifier** checks a presentation with [`verify`] under a [`Validation`]: the
//!   issuer's signature (any [`KeySource`](crate::KeySource), as [`jws::verify`](crate::jws::verify)), every rule of RFC 9901 §7.1
//!   (each its own [`SdJwt`](crate::SdJwt) reason), the claims rules of a
//!   [`jwt::Validation`](crate::jwt::Validation) on the processed payload, and the KB-JWT
//!   (§4.3, §7.3) when, and only when, the verifier requires key binding.
//!
//! ```
//! use jose_ring::{jwa, jwk::Jwk, jws::Header, jwt, sd_jwt, SigningKey};
//!
//! let issuer_key = SigningKey::generate(&jwa::ES256)?;
//! let holder_key = SigningKey::generate(&jwa::ES256)?;
//! let claims = serde_json::json!({
//!     "iss": "https://issuer.example", "iat": 1_700_000_000, "exp": 1_900_000_000,
//!     "given_name": "John", "family_name": "Doe",
//!     "address": {"street_address": "123 Main St", "country": "US"},
//! });
//!
//! // Issuer: given_name, family_name and the street are selectively disclosable.
//! let issued = sd_jwt::Issuer::new(claims.as_object().cloned().unwrap_or_default())
//!     .with_disclosable("/given_name")
//!     .with_disclosable("/family_name")
//!     .with_disclosable("/address/street_address")
//!     .with_holder_key(&Jwk::from_signing_key(&holder_key)?)?
//!     .with_header(Header::new().with_typ("example+sd-jwt"))
//!     .sign(&issuer_key)?;
//!
//! // Holder: discloses family_name only, bound to this verifier and its nonce.
//! let now = jwt::NumericDate::from_seconds(1_750_000_000);
//! let binding = sd_jwt::KeyBinding::new("https://verifier.example", "n-0S6_WzA2Mj", now);
//! let presentation = sd_jwt::Unverified::parse(&issued)?
//!     .present(&["/family_name"])?
//!     .with_key_binding(&binding, &holder_key)?;
//!
//! // Verifier: requires key binding, for itself and its nonce.
//! let rules = sd_jwt::Validation::new(
//!     jwt::Validation::new(now).with_issuer("https://issuer.example").with_typ("example+sd-jwt"),
//! )
//! .with_key_binding("https://verifier.example", "n-0S6_WzA2Mj");
//! let verified = sd_jwt::verify(&presentation, &issuer_key.verifying_key(), &rules)?;
//! assert_eq!(verified.claims()["family_name"], "Doe");
//! assert!(verified.claims().get("given_name").is_none());
//! assert_eq!(verified.claims()["address"], serde_json::json!({"country": "US"}));
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! The processed payload is a `serde_json::Map`: its disclosures are in place, and `_sd`,
//! `_sd_alg` and the array elements that were not disclosed are gone. Sizes are bounded by
//! [`Limits`] before anything is decoded. SD-JWT VC is [`Validation::with_vc`] and
//! [`Issuer::with_vct`] ([`vc`]); an SD-JWT VC issuer's keys come from its JWT VC Issuer
//! Metadata ([`vc::metadata_uri`], [`vc::IssuerMetadata`]) and the crate's key-set cache. The manual has a how-to for each role and the threat model
//! ([`manual::howto`](crate::manual::howto), [`manual::threat_model`](crate::manual::threat_model)).

mod disclosure;
mod form;
mod issue;
mod issuer_metadata;
mod key_binding;
mod limits;
mod pointer;
mod present;
mod process;
mod unverified;
pub mod vc;
mod verify;

pub use issue::Issuer;
pub use key_binding::KeyBinding;
pub use limits::Limits;
pub use present::Presentation;
pub use unverified::Unverified;
pub use verify::{DEFAULT_KB_MAX_AGE, Validation, Verified, verify};
