//! The JWS compact serialization (RFC 7515 §7.1), with detached content (RFC 7515 Appendix F)
//! and unencoded payloads (RFC 7797).

use alloc::string::String;
use alloc::vec::Vec;

use super::Header;
use super::header;
use super::{Part, signing_input};
use crate::b64;
use crate::error::{Error, Malformed, UnencodedProblem};
use crate::jwa::{self, Algorithm};
use crate::key::sealed::RawSignature;
use crate::key::{KeySource, Signer};
use crate::limits::Limits;

/// A compact JWS whose header has been parsed and checked, but whose signature has not.
///
/// Nothing here is trustworthy until [`verify`](Self::verify) succeeds; the header is exposed
/// for choosing a key or logging, not for decisions.
///
/// ```
/// use jose_ring::{jwa, jws, HmacKey};
/// let key = HmacKey::new(&jwa::HS256, &[7; 32])?.with_kid("k1");
/// let token = jws::sign(b"hello", &jws::Header::new(), &key)?;
///
/// let unverified = jws::Unverified::parse(&token)?;
/// assert_eq!(unverified.header().kid(), Some("k1"));
/// let verified = unverified.verify(&key)?;
/// assert_eq!(verified.payload(), b"hello");
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
pub struct Unverified<'a> {
    /// `header.payload`: the signing input when the payload is attached.
    signing_input: &'a str,
    header_segment: &'a str,
    payload_segment: &'a str,
    signature_segment: &'a str,
    parsed: header::Parsed,
}

/// The longest decoded protected header parsed without a heap allocation.
const HEADER_ON_STACK: usize = 512;

/// A JWS whose signature verified with a key bound to its algorithm.
///
/// Only verification builds one.
#[derive(Debug)]
pub struct Verified {
    alg: &'static Algorithm,
    header: Header,
    payload: Vec<u8>,
}

impl Verified {
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

    /// The payload bytes (decoded, or as they were when unencoded or detached).
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The header and payload, by value.
    #[must_use]
    pub fn into_parts(self) -> (Header, Vec<u8>) {
        (self.header, self.payload)
    }
}

impl<'a> Unverified<'a> {
    /// Splits `token` and parses its protected header, with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`parse_with_limits`](Self::parse_with_limits).
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with_limits(token, &Limits::DEFAULT)
    }

    /// Splits `token` and parses its protected header, in this order: the length limit,
    /// exactly three segments, only base64url bytes (the payload may hold other text when
    /// `b64` is false), the header's base64url, its JSON (an object, no duplicate member
    /// names), the types of its registered members, and the `crit` and `b64` rules.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`], [`Error::Malformed`] naming the first rule broken.
    pub fn parse_with_limits(token: &'a str, limits: &Limits) -> Result<Self, Error> {
        if token.len() > limits.token_len() {
            return Err(Error::TooLarge {
                what: "token",
                limit: limits.token_len(),
            });
        }
        let (signing_input, signature_segment) =
            token.rsplit_once('.').ok_or(Malformed::Segments)?;
        let (header_segment, payload_segment) =
            signing_input.split_once('.').ok_or(Malformed::Segments)?;
        // One pass over the payload, usually most of the token, answers both questions asked
        // of it; the answer about its alphabet waits until the header is known.
        let payload_scan = b64::scan(payload_segment.as_bytes());
        if payload_scan.dot {
            return Err(Malformed::Segments.into());
        }
        for segment in [header_segment, signature_segment] {
            if !b64::is_alphabet(segment.as_bytes()) {
                return Err(Malformed::Character.into());
            }
        }
        // A typical header fits on the stack; a larger one goes to the heap.
        let mut buffer = [0u8; HEADER_ON_STACK];
        let parsed = match b64::decode_to_slice(header_segment.as_bytes(), "header", &mut buffer)? {
            Some(json) => header::parse(json)?,
            None => header::parse(&b64::decode(header_segment.as_bytes(), "header")?)?,
        };
        if !parsed.header.is_unencoded() && !payload_scan.alphabet {
            return Err(Malformed::Character.into());
        }
        Ok(Self {
            signing_input,
            header_segment,
            payload_segment,
            signature_segment,
            parsed,
        })
    }

    /// The `alg` the header names. Untrusted: verification compares it with the key's.
    #[must_use]
    pub fn alg(&self) -> &str {
        &self.parsed.alg
    }

    /// The protected header. Untrusted until verified.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.parsed.header
    }

    /// The three segments as the token has them: `(header, payload, signature)`, each still
    /// base64url (the payload as it is when unencoded, empty when detached). Untrusted: only
    /// the header has been parsed, and nothing has been verified.
    ///
    /// ```
    /// use jose_ring::jws;
    /// let unverified = jws::Unverified::parse("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")?;
    /// assert_eq!(unverified.segments(), ("eyJhbGciOiJIUzI1NiJ9", "e30", "c2ln"));
    /// assert_eq!(unverified.signing_input(), "eyJhbGciOiJIUzI1NiJ9.e30");
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    #[must_use]
    pub fn segments(&self) -> (&'a str, &'a str, &'a str) {
        (
            self.header_segment,
            self.payload_segment,
            self.signature_segment,
        )
    }

    /// `header.payload`, the bytes the signature covers when the payload is attached
    /// (RFC 7515 §5.2). Untrusted until verified.
    #[must_use]
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// Verifies the signature with the key `keys` chooses for the header's `alg` and `kid`,
    /// then decodes the payload.
    ///
    /// `alg: none` (in any spelling) and algorithms `ring` lacks are rejected before a key is
    /// looked at; a key whose algorithm is not the token's `alg` is never used.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`], [`Error::NoKey`], [`Error::AlgorithmMismatch`],
    /// [`Malformed::Base64`] for the signature or payload, [`Error::InvalidSignature`].
    pub fn verify<K: KeySource + ?Sized>(self, keys: &K) -> Result<Verified, Error> {
        let alg = self.check_signature(keys, self.signing_input.as_bytes())?;
        let payload = if self.parsed.header.is_unencoded() {
            self.payload_segment.as_bytes().to_vec()
        } else {
            b64::decode(self.payload_segment.as_bytes(), "payload")?
        };
        Ok(Verified {
            alg,
            header: self.parsed.header,
            payload,
        })
    }

    /// Verifies the signature as [`verify`](Self::verify) does and returns the payload segment
    /// as the token has it, for callers that decode and parse the payload themselves (the JWT
    /// layer, which refuses unencoded payloads first) into a buffer of their choosing.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify), without the payload's [`Malformed::Base64`].
    pub(crate) fn verify_signature<K: KeySource + ?Sized>(
        self,
        keys: &K,
    ) -> Result<(&'static Algorithm, Header, &'a str), Error> {
        let alg = self.check_signature(keys, self.signing_input.as_bytes())?;
        Ok((alg, self.parsed.header, self.payload_segment))
    }

    /// Verifies a JWS with detached content (RFC 7515 Appendix F): the token's payload segment
    /// is empty and `payload` is the content that was signed, as bytes (it is encoded here
    /// unless the header says `b64: false`).
    ///
    /// # Errors
    ///
    /// [`Malformed::NotDetached`] if the token carries a payload, and those of
    /// [`verify`](Self::verify).
    pub fn verify_detached<K: KeySource + ?Sized>(
        self,
        payload: &[u8],
        keys: &K,
    ) -> Result<Verified, Error> {
        if !self.payload_segment.is_empty() {
            return Err(Malformed::NotDetached.into());
        }
        let header = Part::AsIs(self.header_segment.as_bytes());
        let payload_part = Part::payload(payload, self.parsed.header.is_unencoded());
        let mut input = Vec::with_capacity(
            header
                .len()
                .saturating_add(1)
                .saturating_add(payload_part.len()),
        );
        signing_input(&mut input, header, payload_part);
        let alg = self.check_signature(keys, &input)?;
        Ok(Verified {
            alg,
            header: self.parsed.header,
            payload: payload.to_vec(),
        })
    }

    fn check_signature<K: KeySource + ?Sized>(
        &self,
        keys: &K,
        signing_input: &[u8],
    ) -> Result<&'static Algorithm, Error> {
        let key = super::check_signature(
            keys,
            self.alg(),
            self.parsed.header.kid(),
            signing_input,
            self.signature_segment,
        )?;
        Ok(key.algorithm())
    }
}

/// Verifies a compact JWS with the default [`Limits`]: `Unverified::parse(token)?.verify(keys)`.
///
/// # Errors
///
/// Those of [`Unverified::parse_with_limits`] and [`Unverified::verify`].
pub fn verify<K: KeySource + ?Sized>(token: &str, keys: &K) -> Result<Verified, Error> {
    Unverified::parse(token)?.verify(keys)
}

/// Verifies a compact JWS with detached content (`header..signature`).
///
/// # Errors
///
/// Those of [`Unverified::parse_with_limits`] and [`Unverified::verify_detached`].
pub fn verify_detached<K: KeySource + ?Sized>(
    token: &str,
    payload: &[u8],
    keys: &K,
) -> Result<Verified, Error> {
    Unverified::parse(token)?.verify_detached(payload, keys)
}

/// Signs `payload` into a compact JWS. The key supplies `alg`, and `kid` unless `header` sets
/// one.
///
/// ```
/// use jose_ring::{jwa, jws, SigningKey};
/// let key = SigningKey::generate(&jwa::ES256)?;
/// let token = jws::sign(br#"{"sub":"ada"}"#, &jws::Header::new().with_typ("JWT"), &key)?;
/// let verified = jws::verify(&token, &key.verifying_key())?;
/// assert_eq!(verified.payload(), br#"{"sub":"ada"}"#);
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`UnencodedProblem::PayloadCharacters`] for an unencoded payload that is not UTF-8 text
/// without `.`; [`Error::SigningFailed`] if the signer fails.
pub fn sign<K: Signer + ?Sized>(payload: &[u8], header: &Header, key: &K) -> Result<String, Error> {
    let json = header.to_json(key.algorithm().name(), key.kid())?;
    let payload = attached(payload, header.is_unencoded())?;
    Signed::new(Part::Encode(&json), payload, key)?.into_token()
}

/// Signs `payload` into a compact JWS with detached content (`header..signature`, RFC 7515
/// Appendix F): the payload travels separately and is given again to
/// [`verify_detached`]. Detached, an unencoded payload may be any bytes.
///
/// # Errors
///
/// [`Error::SigningFailed`] if the signer fails.
pub fn sign_detached<K: Signer + ?Sized>(
    payload: &[u8],
    header: &Header,
    key: &K,
) -> Result<String, Error> {
    let json = header.to_json(key.algorithm().name(), key.kid())?;
    let payload = Part::payload(payload, header.is_unencoded());
    Signed::new(Part::Encode(&json), payload, key)?.into_detached()
}

/// Signs `payload` under a protected header given as exact JSON bytes, for reproducing
/// published examples byte for byte or matching another implementation's header layout.
///
/// The header is checked as a verifier would check it: a strict JSON object whose `alg` is
/// the key's algorithm, with valid `crit` and `b64`.
///
/// # Errors
///
/// Those of [`Unverified::parse`] for the header, [`Error::AlgorithmMismatch`] if its `alg`
/// is not the key's, and those of [`sign`].
pub fn sign_with_header_json<K: Signer + ?Sized>(
    header_json: &[u8],
    payload: &[u8],
    key: &K,
) -> Result<String, Error> {
    let payload = attached(payload, checked_header(header_json, key)?)?;
    Signed::new(Part::Encode(header_json), payload, key)?.into_token()
}

/// [`sign_with_header_json`] with detached content (`header..signature`), as
/// [`sign_detached`].
///
/// # Errors
///
/// As [`sign_with_header_json`]; a detached unencoded payload may be any bytes.
pub fn sign_detached_with_header_json<K: Signer + ?Sized>(
    header_json: &[u8],
    payload: &[u8],
    key: &K,
) -> Result<String, Error> {
    let payload = Part::payload(payload, checked_header(header_json, key)?);
    Signed::new(Part::Encode(header_json), payload, key)?.into_detached()
}

/// Signs `payload` as [`jwt::encode`](crate::jwt::encode) does, under the header segment the
/// key keeps for it.
pub(crate) fn sign_jwt<K: Signer + ?Sized>(payload: &[u8], key: &K) -> Result<String, Error> {
    let segment = crate::key::sealed::Sign::jwt_header(key)?;
    Signed::new(Part::AsIs(segment.as_bytes()), Part::Encode(payload), key)?.into_token()
}

/// Signs `payload` under `header_json`, a protected header the crate wrote itself (a DPoP
/// proof's): not parsed again, as [`sign_with_header_json`] would.
pub(crate) fn sign_with_own_header<K: Signer + ?Sized>(
    header_json: &[u8],
    payload: &[u8],
    key: &K,
) -> Result<String, Error> {
    Signed::new(Part::Encode(header_json), Part::Encode(payload), key)?.into_token()
}

/// Checks a protected header given as JSON for signing with `key`: whether it asks for an
/// unencoded payload.
fn checked_header<K: Signer + ?Sized>(header_json: &[u8], key: &K) -> Result<bool, Error> {
    let parsed = header::parse(header_json)?;
    if parsed.alg != key.algorithm().name() {
        return Err(jwa::mismatch(&parsed.alg, key.algorithm()));
    }
    Ok(parsed.header.is_unencoded())
}

/// The payload part of an attached compact JWS: an unencoded one must be text without `.`
/// (RFC 7797 §5.2), or it would not come back as the same three segments.
fn attached(payload: &[u8], unencoded: bool) -> Result<Part<'_>, Error> {
    if unencoded {
        core::str::from_utf8(payload)
            .ok()
            .filter(|text| !text.contains('.'))
            .ok_or(Malformed::Unencoded(UnencodedProblem::PayloadCharacters))?;
    }
    Ok(Part::payload(payload, unencoded))
}

/// A compact JWS being made: its signing input, with room for the rest of the token, and the
/// signature over it.
struct Signed {
    token: Vec<u8>,
    /// Where the payload starts (after the header's `.`).
    payload_start: usize,
    signature: RawSignature,
}

impl Signed {
    /// Assembles the signing input of `header` and `payload` in one allocation of the final
    /// token's size, and signs it with `key`.
    fn new<K: Signer + ?Sized>(
        header: Part<'_>,
        payload: Part<'_>,
        key: &K,
    ) -> Result<Self, Error> {
        let header_len = header.len();
        let signature_len = b64::encoded_len(crate::key::sealed::Sign::signature_len(key));
        let mut token = Vec::with_capacity(
            header_len
                .saturating_add(payload.len())
                .saturating_add(signature_len)
                .saturating_add(2),
        );
        signing_input(&mut token, header, payload);
        let signature = crate::key::sealed::Sign::sign(key, &token)?;
        Ok(Self {
            token,
            payload_start: header_len.saturating_add(1),
            signature,
        })
    }

    /// `header.payload.signature`.
    fn into_token(self) -> Result<String, Error> {
        self.finish()
    }

    /// `header..signature`: the payload leaves the token.
    fn into_detached(mut self) -> Result<String, Error> {
        self.token.truncate(self.payload_start);
        self.finish()
    }

    fn finish(mut self) -> Result<String, Error> {
        self.token.push(b'.');
        b64::encode_to_vec(self.signature.as_ref(), &mut self.token);
        // Base64url symbols, dots and a payload checked to be UTF-8: the error is never
        // returned.
        String::from_utf8(self.token).map_err(|_| Error::SigningFailed)
    }
}
