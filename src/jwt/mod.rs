//! JSON Web Tokens (RFC 7519) with the checks of RFC 8725: sign claims, then verify a token,
//! check its claims and deserialize them into your type.
//!
//! ```
//! use jose_ring::{jwa, jwt, HmacKey};
//! use jose_ring::jwt::{NumericDate, RegisteredClaims, Validation};
//!
//! let key = HmacKey::new(&jwa::HS256, b"a secret of at least thirty-two bytes")?;
//! let now = NumericDate::from_seconds(1_700_000_000);
//!
//! // Issue: 15 minutes of life, for the API.
//! let claims = RegisteredClaims::new()
//!     .with_issuer("https://auth.example")
//!     .with_subject("ada")
//!     .with_audience("api")
//!     .with_lifetime(now, 900);
//! let token = jwt::encode(&claims, &key)?;
//!
//! // Check: signature, expiry, issuer, audience; the claims come back typed.
//! let rules = Validation::new(now.saturating_add(60)).with_issuer("https://auth.example").with_audience("api");
//! let verified: jwt::Verified<RegisteredClaims> = jwt::decode(&token, &key, &rules)?;
//! assert_eq!(verified.claims().sub.as_deref(), Some("ada"));
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! Verification runs in this order, each step only if the one before passed: the JWS checks
//! of [`jws::Unverified::parse`] and [`jws::Unverified::verify`] (structure, header, key
//! choice, `alg`, signature), the header `typ`, one pass over the payload that deserializes
//! your type and records the registered claims, the JSON types of those claims, the times,
//! issuer, audience, subject, required claims, scopes and roles, and last the revocation
//! check.

mod claims;
mod validation;

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;
use serde::de::{Deserialize, DeserializeOwned};

use crate::b64;
use crate::error::{Error, JsonProblem, Malformed};
use crate::jwa::Algorithm;
use crate::jws::{self, Header};
use crate::key::{KeySource, Signer};

use crate::error::ClaimError;
#[cfg(feature = "std")]
pub use crate::time::SystemClock;
pub use crate::time::{Clock, NumericDate};
pub use claims::{Audience, RegisteredClaims};
pub use validation::Validation;

/// A JWT whose signature verified and whose claims passed a [`Validation`].
///
/// Only [`decode`] and [`decode_borrowed`] build one.
#[derive(Debug)]
pub struct Verified<T> {
    alg: &'static Algorithm,
    header: Header,
    claims: T,
    times: validation::Times,
}

impl<T> Verified<T> {
    /// The algorithm that verified the signature.
    #[must_use]
    pub fn algorithm(&self) -> &'static Algorithm {
        self.alg
    }

    /// The protected header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The claims, as your type.
    #[must_use]
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The claims, by value.
    #[must_use]
    pub fn into_claims(self) -> T {
        self.claims
    }

    /// The header and the claims, by value.
    #[must_use]
    pub fn into_parts(self) -> (Header, T) {
        (self.header, self.claims)
    }

    /// `exp`, if the token has one (a fraction rounded down).
    #[must_use]
    pub fn expires_at(&self) -> Option<NumericDate> {
        self.times.exp
    }

    /// `nbf`, if the token has one (a fraction rounded up).
    #[must_use]
    pub fn not_before(&self) -> Option<NumericDate> {
        self.times.nbf
    }

    /// `iat`, if the token has one (a fraction rounded up).
    #[must_use]
    pub fn issued_at(&self) -> Option<NumericDate> {
        self.times.iat
    }
}

/// Signs `claims` into a compact JWT with the header `{"alg":..,"typ":"JWT"}` and the key's
/// `kid`, if it has one.
///
/// The claims must serialize to a JSON object without repeated member names (as can happen
/// when a field and a flattened [`RegisteredClaims`] share a name): such a token would be
/// rejected by every strict verifier, so it is not made.
///
/// ```
/// use jose_ring::{jwa, jwt, HmacKey};
/// let key = HmacKey::new(&jwa::HS256, &[7; 32])?.with_kid("k1");
/// let token = jwt::encode(&serde_json::json!({"sub": "ada", "exp": 1_900_000_000}), &key)?;
/// assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0."));
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`Malformed::Json`] (part `"claims"`) if the claims are not a JSON object or repeat a
/// member name, [`Misuse::Unserializable`](crate::Misuse::Unserializable) if they do not serialize, and those of
/// [`jws::sign`].
pub fn encode<T: Serialize + ?Sized, K: Signer + ?Sized>(
    claims: &T,
    key: &K,
) -> Result<String, Error> {
    let json = crate::json::to_vec(claims, "claims")?;
    jws::sign_jwt(&json, key)
}

/// Signs `claims` under `header`, for an explicit type such as `at+jwt` (RFC 9068) or
/// `refresh+jwt` (RFC 8725 §3.11): `Header::new().with_typ("at+jwt")`.
///
/// # Errors
///
/// As [`encode`].
pub fn encode_with_header<T: Serialize + ?Sized, K: Signer + ?Sized>(
    claims: &T,
    header: &Header,
    key: &K,
) -> Result<String, Error> {
    let json = crate::json::to_vec(claims, "claims")?;
    jws::sign(&json, header, key)
}

/// Verifies `token` with the key `keys` chooses, checks it against `rules`, and deserializes
/// its claims into `T`.
///
/// The claims are read in one pass: your type and the registered claims the rules need come
/// out of the same parse, whether your type has fields for them or not. A member name repeated
/// anywhere in the claims is rejected. A payload of up to 2048 bytes is decoded on the stack,
/// so that the only heap allocations are those of `T` itself.
///
/// # Errors
///
/// Those of [`jws::Unverified::parse_with_limits`] (under [`Validation::limits`]) and
/// [`jws::Unverified::verify`];
/// [`Malformed::InvalidMember`] (`"b64"`) for an unencoded payload, which a JWT never has;
/// [`ClaimError::InvalidTyp`] for the header `typ`; [`Malformed::Json`] (part `"claims"`) for
/// claims that are not a strict JSON object or do not fit `T`; [`Error::Claim`] for every
/// rule of the [`Validation`] not met, a registered claim of the wrong JSON type taking
/// precedence over a mismatch with `T`.
pub fn decode<T: DeserializeOwned, K: KeySource + ?Sized>(
    token: &str,
    keys: &K,
    rules: &Validation,
) -> Result<Verified<T>, Error> {
    let (alg, header, segment) = verify_signature(token, keys, rules)?;
    // A typical payload is decoded on the stack; a larger one goes straight to the heap, so
    // that it is decoded once.
    let mut stack = [0u8; PAYLOAD_ON_STACK];
    let heap;
    let on_stack = if segment.len() <= b64::encoded_len(PAYLOAD_ON_STACK) {
        b64::decode_to_slice(segment.as_bytes(), "payload", &mut stack)?
    } else {
        None
    };
    let payload = match on_stack {
        Some(payload) => payload,
        None => {
            heap = b64::decode(segment.as_bytes(), "payload")?;
            &heap
        }
    };
    read_claims(payload, alg, header, rules)
}

/// The longest decoded payload [`decode`] keeps on the stack.
const PAYLOAD_ON_STACK: usize = 2048;

/// [`decode`] into a buffer of the caller's: the payload is decoded into `buffer` (cleared
/// first), so a server can reuse one buffer per thread, and `T` may borrow strings from it
/// (`&'b str`, `Cow<'b, str>` with `#[serde(borrow)]`) instead of allocating them.
///
/// ```
/// use jose_ring::{jwa, jwt, HmacKey};
/// #[derive(serde::Deserialize)]
/// struct Claims<'a> {
///     sub: &'a str,
/// }
/// let key = HmacKey::new(&jwa::HS256, &[7; 32])?;
/// let token = jwt::encode(&serde_json::json!({"sub": "ada", "exp": 1_900_000_000}), &key)?;
/// let rules = jwt::Validation::new(jwt::NumericDate::from_seconds(1_800_000_000));
/// let mut buffer = Vec::new();
/// let verified: jwt::Verified<Claims<'_>> = jwt::decode_borrowed(&token, &key, &rules, &mut buffer)?;
/// assert_eq!(verified.claims().sub, "ada");
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// As [`decode`].
pub fn decode_borrowed<'b, T: Deserialize<'b>, K: KeySource + ?Sized>(
    token: &str,
    keys: &K,
    rules: &Validation,
    buffer: &'b mut Vec<u8>,
) -> Result<Verified<T>, Error> {
    let (alg, header, segment) = verify_signature(token, keys, rules)?;
    buffer.clear();
    b64::decode_into(segment.as_bytes(), "payload", buffer)?;
    read_claims(buffer, alg, header, rules)
}

/// Reads the claims of a JWT already verified again, into another type: the payload JSON as
/// [`decode_borrowed`] left it in its buffer, through the same strict reader (an object, no
/// member name repeated, nesting bounded). No signature is checked and no rule applied here:
/// keep the buffer of a [`decode_borrowed`] that succeeded, so that a server's extractors read
/// the claims without parsing the token again.
///
/// ```
/// use jose_ring::{jwa, jwt, HmacKey};
/// let key = HmacKey::new(&jwa::HS256, &[7; 32])?;
/// let token = jwt::encode(&serde_json::json!({"sub": "ada", "exp": 1_900_000_000}), &key)?;
/// let rules = jwt::Validation::new(jwt::NumericDate::from_seconds(1_800_000_000));
/// let mut payload = Vec::new();
/// let _: jwt::Verified<serde::de::IgnoredAny> = jwt::decode_borrowed(&token, &key, &rules, &mut payload)?;
/// #[derive(serde::Deserialize)]
/// struct Caller { sub: String }
/// let caller: Caller = jwt::parse_claims(&payload)?;
/// assert_eq!(caller.sub, "ada");
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`Malformed::Json`] (part `"claims"`) for claims that are not a strict JSON object or do
/// not fit `T`.
pub fn parse_claims<'p, T: Deserialize<'p>>(payload: &'p [u8]) -> Result<T, Error> {
    crate::json::from_slice_in(payload, "claims")
}

/// Parses `token` under the limits of `rules`, refuses an unencoded payload, and verifies the
/// signature: the algorithm, the header and the payload segment, not yet decoded.
fn verify_signature<'t, K: KeySource + ?Sized>(
    token: &'t str,
    keys: &K,
    rules: &Validation,
) -> Result<(&'static Algorithm, Header, &'t str), Error> {
    let unverified = jws::Unverified::parse_with_limits(token, rules.limits())?;
    if unverified.header().is_unencoded() {
        return Err(Malformed::InvalidMember("b64").into());
    }
    unverified.verify_signature(keys)
}

/// Checks `typ`, reads the claims of a verified token from its decoded `payload` into `T`,
/// and checks them against `rules`.
fn read_claims<'p, T: Deserialize<'p>>(
    payload: &'p [u8],
    alg: &'static Algorithm,
    header: Header,
    rules: &Validation,
) -> Result<Verified<T>, Error> {
    rules.check_typ(header.typ())?;
    let seen = validation::Observer::new(rules);
    let claims = crate::json::from_slice_tapped::<T>(payload, &seen)
        .map_err(|problem| claims_error(&seen, problem))?;
    let times = rules.check(&seen)?;
    Ok(Verified {
        alg,
        header,
        claims,
        times,
    })
}

/// Checks `claims`, an object already read strictly, against `rules` exactly as [`decode`]
/// checks a token's claims, without writing and reading them again: the same observer is
/// shown the members. For claims vouched for by other means than a JWS signature: an
/// SD-JWT's processed payload (RFC 9901 §7.1 step 6), an RFC 7662 token introspection
/// response (whose members `exp`, `nbf`, `iat`, `iss`, `aud`, `sub`, `scope`, `cnf` are the
/// JWT claims of the same names, RFC 7662 §2.2). The header `typ` is not checked here.
/// Returns `exp`, `nbf` and `iat`, in that order, as [`Verified`] has them.
///
/// ```
/// use jose_ring::jwt::{self, NumericDate, Validation};
/// let answer: serde_json::Map<String, serde_json::Value> = jwt::parse_claims(
///     br#"{"active":true,"iss":"https://as.example","aud":"api","exp":1900000000,"scope":"read"}"#,
/// )?;
/// let rules = Validation::new(NumericDate::from_seconds(1_800_000_000))
///     .with_issuer("https://as.example")
///     .with_audience("api")
///     .with_scope("read");
/// let [exp, _, _] = jwt::check_claims(&answer, &rules)?;
/// assert_eq!(exp, Some(NumericDate::from_seconds(1_900_000_000)));
/// let late = rules.with_time(NumericDate::from_seconds(1_950_000_000));
/// assert!(matches!(jwt::check_claims(&answer, &late), Err(jose_ring::Error::Claim(jose_ring::ClaimError::Expired { .. }))));
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// Those of [`decode`]'s claims checks ([`ClaimError`]).
pub fn check_claims(
    claims: &serde_json::Map<String, serde_json::Value>,
    rules: &Validation,
) -> Result<[Option<NumericDate>; 3], Error> {
    let seen = validation::Observer::new(rules);
    crate::json::replay(claims, &seen);
    let times = rules.check(&seen)?;
    Ok([times.exp, times.nbf, times.iat])
}

/// The error for claims that did not parse: a registered claim of the wrong type if one was
/// seen before the parse stopped, the JSON problem otherwise.
fn claims_error(seen: &validation::Observer<'_>, problem: JsonProblem) -> Error {
    match (seen.wrong_type(), &problem) {
        // A repeated name is reported as such even if an earlier value had the wrong type.
        (
            Some(name),
            JsonProblem::MissingField(_)
            | JsonProblem::InvalidType { .. }
            | JsonProblem::InvalidValue,
        ) => ClaimError::InvalidType(name).into(),
        _ => Malformed::Json {
            part: "claims",
            problem,
        }
        .into(),
    }
}
