//! An SD-JWT or SD-JWT+KB as it came, split into its parts and not yet verified: what a holder
//! presents from and a verifier verifies.

use alloc::string::String;

use serde_json::{Map, Value};

use super::form::{self, Jwt, Parts};
use super::limits::Limits;
use crate::b64;
use crate::error::{Error, Malformed};
use crate::json;
use crate::jws::{self, Serialization};

/// An SD-JWT (RFC 9901 §4), or an SD-JWT+KB, in the compact or a JSON serialization (§8),
/// split into its issuer-signed JWT, its disclosures and its KB-JWT. Nothing here is checked
/// beyond the form until [`verify`](Self::verify) (a verifier, or a holder that has the
/// issuer's keys) or [`present`](Self::present) (a holder) runs.
///
/// ```
/// use jose_ring::{jws::Serialization, sd_jwt};
/// let sd_jwt = sd_jwt::Unverified::parse("eyJhbGciOiJFUzI1NiJ9.e30.c2ln~WyJzIiwiYSIsMV0~")?;
/// assert_eq!(sd_jwt.serialization(), Serialization::Compact);
/// assert_eq!(sd_jwt.disclosures().count(), 1);
/// assert_eq!(sd_jwt.key_binding_jwt(), None);
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
pub struct Unverified<'a> {
    pub(super) parts: Parts<'a>,
    pub(super) limits: Limits,
}

impl<'a> Unverified<'a> {
    /// Splits `input` with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`parse_with_limits`](Self::parse_with_limits).
    pub fn parse(input: &'a str) -> Result<Self, Error> {
        Self::parse_with_limits(input, &Limits::DEFAULT)
    }

    /// Splits `input`, a compact SD-JWT (+KB) or a JWS JSON serialization of one (its first
    /// byte other than whitespace is `{`), checking the size limits first. `limits` also
    /// bound the processing that follows.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] beyond [`Limits::total_len`] or [`Limits::disclosures`];
    /// [`SdJwt::Format`](crate::SdJwt::Format) for a compact form that is not
    /// `<JWT>~<D>~...~<KB-JWT or nothing>`; for a JSON form the errors of
    /// [`jws::UnverifiedJson::parse`], [`SdJwt::JsonHeader`](crate::SdJwt::JsonHeader), and
    /// [`Malformed::MissingMember`]`("payload")` or [`Malformed::InvalidMember`]`("b64")` for
    /// a payload that is detached or unencoded.
    pub fn parse_with_limits(input: &'a str, limits: &Limits) -> Result<Self, Error> {
        Ok(Self {
            parts: form::split(input, limits)?,
            limits: *limits,
        })
    }

    /// Which serialization it came in; a presentation made from it comes in the same one.
    #[must_use]
    pub fn serialization(&self) -> Serialization {
        self.parts.serialization()
    }

    /// The disclosures, as they were sent, in their order.
    pub fn disclosures(&self) -> impl Iterator<Item = &str> {
        self.parts.disclosures.iter().map(AsRef::as_ref)
    }

    /// The KB-JWT, if it is an SD-JWT+KB. Whether one is required is the verifier's policy,
    /// never the presentation's (RFC 9901 §7.3 step 1).
    #[must_use]
    pub fn key_binding_jwt(&self) -> Option<&str> {
        self.parts.kb_jwt.as_deref()
    }

    /// The issuer-signed JWT's payload, read strictly but NOT verified: for a holder that
    /// presents without the issuer's keys.
    pub(super) fn unverified_payload(&self) -> Result<Map<String, Value>, Error> {
        let segment = match &self.parts.jwt {
            Jwt::Compact(jwt) => {
                let unverified = jws::Unverified::parse(jwt)?;
                if unverified.header().is_unencoded() {
                    return Err(Malformed::InvalidMember("b64").into());
                }
                unverified.segments().1
            }
            Jwt::Json(document) => document.payload_segment().unwrap_or_default(),
        };
        let bytes = b64::decode(segment.as_bytes(), "payload")?;
        json::from_slice_in(&bytes, "claims")
    }
}
