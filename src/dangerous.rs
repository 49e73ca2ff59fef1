//! **Nothing here is verified.** Looks inside tokens and JOSE texts *before* any signature is
//! checked: to route a token (pick an issuer's keys by its unverified `iss`, or a key store by
//! its `kid`) or to show what it holds.
//!
//! Named, as rustls names its `danger` module, so that a reviewer sees every use. What these
//! functions return was written by whoever made the token: an attacker chooses every byte of
//! it. Use it to decide *which keys to verify with*, never to decide anything else; then verify
//! with [`jwt::decode`](crate::jwt::decode) or [`jws::verify`](crate::jws::verify), which read
//! the token again and trust only what the signature covers.
//!
//! The decoding is as strict as verification's: the same length limit, base64url (unpadded,
//! canonical) and JSON rules (an object, no repeated member names, bounded nesting). A token
//! that does not peek would not verify; a token that peeks may still not verify.
//!
//! ```
//! use jose_ring::{dangerous, jwa, jwt, HmacKey};
//! use jose_ring::jwt::{NumericDate, RegisteredClaims, Validation};
//!
//! let key = HmacKey::new(&jwa::HS256, &[7; 32])?.with_kid("k1");
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let claims = RegisteredClaims::new().with_issuer("https://a.example").with_lifetime(now, 60);
//! let token = jwt::encode(&claims, &key)?;
//!
//! // Route by the unverified issuer and kid...
//! let peek = dangerous::peek(&token)?;
//! assert_eq!(peek.iss()?.as_deref(), Some("https://a.example"));
//! assert_eq!(peek.kid(), Some("k1"));
//! // ...then verify with that issuer's keys, and check that it is that issuer.
//! let rules = Validation::new(now).with_issuer("https://a.example");
//! let verified: jwt::Verified<RegisteredClaims> = jwt::decode(&token, &key, &rules)?;
//! assert_eq!(verified.claims().iss.as_deref(), Some("https://a.example"));
//! # Ok::<(), jose_ring::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::Deserialize;

use crate::b64;
use crate::error::Error;
use crate::jws::{Header, Unverified};
use crate::limits::Limits;

/// **Unverified.** Splits a compact JWS or JWT and decodes all three segments, with the
/// default [`Limits`], checking no signature: see [`peek_with_limits`].
///
/// ```
/// use jose_ring::{dangerous, Error, Malformed};
/// // {"alg":"HS256","kid":"k1"} . {"iss":"https://a.example"} . a signature nobody checked
/// let token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2EuZXhhbXBsZSJ9.c2ln";
/// let peek = dangerous::peek(token)?;
/// assert_eq!((peek.alg(), peek.kid()), ("HS256", Some("k1")));
/// assert_eq!(peek.iss()?.as_deref(), Some("https://a.example"));
/// assert_eq!(peek.signature(), b"sig");
///
/// assert_eq!(dangerous::peek("e30.e30").map(|_| ()), Err(Error::Malformed(Malformed::Segments)));
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// As [`peek_with_limits`].
pub fn peek(token: &str) -> Result<Peek<'_>, Error> {
    peek_with_limits(token, &Limits::DEFAULT)
}

/// **Unverified.** Splits a compact JWS or JWT and decodes its segments as verification
/// would, without verifying anything: the checks of [`Unverified::parse_with_limits`] (length,
/// segments, alphabet, the header's base64url, JSON, `crit` and `b64`), then the signature's
/// base64url, then the payload's (kept as it is when `b64` is false; empty when detached).
///
/// # Errors
///
/// Those of [`Unverified::parse_with_limits`]; [`Malformed::Base64`](crate::Malformed::Base64)
/// (`"signature"`, `"payload"`) for a segment that is not canonical unpadded base64url.
pub fn peek_with_limits<'a>(token: &'a str, limits: &Limits) -> Result<Peek<'a>, Error> {
    let unverified = Unverified::parse_with_limits(token, limits)?;
    let (header, payload, signature) = unverified.segments();
    let header_json = b64::decode(header.as_bytes(), "header")?;
    let signature = b64::decode(signature.as_bytes(), "signature")?;
    let payload = if unverified.header().is_unencoded() {
        payload.as_bytes().to_vec()
    } else {
        b64::decode(payload.as_bytes(), "payload")?
    };
    Ok(Peek {
        unverified,
        header_json,
        payload,
        signature,
    })
}

/// **Unverified.** Reads `json` as a strict JOSE JSON text into `T`: an object, no repeated
/// member names at any depth, nesting bounded, nothing after it. For JSON that no signature
/// covers yet (a JWS JSON serialization's unprotected header, a payload to show) or that a
/// caller is about to sign (claims from a file).
///
/// ```
/// use jose_ring::{dangerous, Error, JsonProblem, Malformed};
/// let claims: serde_json::Value = dangerous::from_json(br#"{"sub":"ada"}"#)?;
/// assert_eq!(claims["sub"], "ada");
/// assert_eq!(
///     dangerous::from_json::<serde_json::Value>(br#"{"sub":"ada","sub":"eve"}"#),
///     Err(Error::Malformed(Malformed::Json { part: "json", problem: JsonProblem::DuplicateMember }))
/// );
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`Malformed::Json`](crate::Malformed::Json) (`"json"`) naming the [`JsonProblem`](crate::JsonProblem).
pub fn from_json<'j, T: Deserialize<'j>>(json: &'j [u8]) -> Result<T, Error> {
    crate::json::from_slice_in(json, "json")
}

/// **Unverified.** Decodes a base64url segment of a JOSE text (RFC 7515 §2: unpadded, and
/// canonical, so that one byte string has one encoding), as verification decodes it. For the
/// segments of a JWS JSON serialization; a compact token is read whole by [`peek`].
///
/// ```
/// use jose_ring::{dangerous, Error, Malformed};
/// assert_eq!(dangerous::decode_base64url("c2k")?, b"si");
/// // "c2l" sets a trailing bit that "c2k" leaves zero: not canonical.
/// assert_eq!(dangerous::decode_base64url("c2l"), Err(Error::Malformed(Malformed::Base64("segment"))));
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`Malformed::Base64`](crate::Malformed::Base64) (`"segment"`) for a byte outside the
/// alphabet, padding, an impossible length or non-zero trailing bits.
pub fn decode_base64url(segment: &str) -> Result<Vec<u8>, Error> {
    b64::decode(segment.as_bytes(), "segment")
}

/// **Unverified.** A compact JWS or JWT, split and decoded, whose signature nobody has checked:
/// see [`peek`].
///
/// `Debug` shows `alg`, `kid` and `typ` only.
pub struct Peek<'a> {
    unverified: Unverified<'a>,
    header_json: Vec<u8>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> Peek<'a> {
    /// **Unverified.** The header's `alg`: compare it, never dispatch on it.
    #[must_use]
    pub fn alg(&self) -> &str {
        self.unverified.alg()
    }

    /// **Unverified.** The header's `kid`, if any: a hint for choosing a key store.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.unverified.header().kid()
    }

    /// **Unverified.** The header's `typ`, if any.
    #[must_use]
    pub fn typ(&self) -> Option<&str> {
        self.unverified.header().typ()
    }

    /// **Unverified.** The protected header, parsed.
    #[must_use]
    pub fn header(&self) -> &Header {
        self.unverified.header()
    }

    /// **Unverified.** The protected header's JSON text, decoded, as the token holds it
    /// (member order included).
    #[must_use]
    pub fn header_json(&self) -> &[u8] {
        &self.header_json
    }

    /// **Unverified.** The payload bytes: decoded, or as the token has them when `b64` is
    /// false, or empty when detached.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// **Unverified.** The signature bytes, decoded and checked by nobody.
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// **Unverified.** The payload read as JWT claims of type `T`, with the strict JSON rules
    /// of [`from_json`] but no claim validation at all: not `exp`, not `aud`, nothing.
    ///
    /// # Errors
    ///
    /// [`Malformed::Json`](crate::Malformed::Json) (`"payload"`) naming the
    /// [`JsonProblem`](crate::JsonProblem).
    pub fn claims<'p, T: Deserialize<'p>>(&'p self) -> Result<T, Error> {
        crate::json::from_slice_in(&self.payload, "payload")
    }

    /// **Unverified.** The claims' `iss`, if any: a hint for choosing the issuer whose keys
    /// the token is then verified with (and whose name [`Validation::with_issuer`](crate::jwt::Validation::with_issuer)
    /// then requires).
    ///
    /// # Errors
    ///
    /// As [`claims`](Self::claims): a payload that is not a JSON object, or an `iss` that is
    /// not a string or `null` ([`JsonProblem::InvalidType`](crate::JsonProblem::InvalidType)).
    pub fn iss(&self) -> Result<Option<String>, Error> {
        /// The one claim read.
        #[derive(Deserialize)]
        struct Issuer {
            #[serde(default)]
            iss: Option<String>,
        }
        self.claims::<Issuer>().map(|claims| claims.iss)
    }

    /// **Unverified.** The token as [`jws::Unverified`](Unverified): its
    /// [`segments`](Unverified::segments) as the token has them.
    #[must_use]
    pub fn unverified(&self) -> &Unverified<'a> {
        &self.unverified
    }

    /// **Unverified** until its [`verify`](Unverified::verify) succeeds: the token as
    /// [`jws::Unverified`](Unverified), to verify once keys are chosen, without parsing it
    /// again.
    #[must_use]
    pub fn into_unverified(self) -> Unverified<'a> {
        self.unverified
    }
}

impl fmt::Debug for Peek<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peek")
            .field("alg", &self.alg())
            .field("kid", &self.kid())
            .field("typ", &self.typ())
            .finish_non_exhaustive()
    }
}
