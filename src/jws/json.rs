//! The JWS JSON serializations (RFC 7515 §7.2): the general syntax (`signatures`) and the
//! flattened syntax (one signature), with several signatures, a protected and an unprotected
//! header per signature, detached content (RFC 7515 Appendix F) and unencoded payloads
//! (RFC 7797), and conversions to and from the compact serialization.
//!
//! Rules beyond those of a compact token, each checked when a document is parsed:
//!
//! - the protected and unprotected header of a signature have no member name in common
//!   (RFC 7515 §7.2.1);
//! - `crit` and `b64` are honoured only in the protected header, and every signature has the
//!   same `b64` (RFC 7797 §3);
//! - `alg` is honoured only in the protected header unless the caller opts in with
//!   [`UnverifiedJson::accept_unprotected_alg`]; `kid` chooses a key only from the protected
//!   header, so an unprotected `kid` can never steer key selection;
//! - at most [`Limits::signatures`] signatures (16 by default), and the document is no longer
//!   than [`Limits::token_len`].

mod raw;

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use raw::{RawDoc, RawEntry};

use super::compact::{Unverified, sign, sign_detached};
use super::header::{self, AsUnprotected};
use super::{Header, Part, signing_input};
use crate::b64;
use crate::error::{Error, Malformed, Misuse, UnencodedProblem};
use crate::json;
use crate::jwa::Algorithm;
use crate::key::{KeySource, Signer};
use crate::limits::Limits;
use crate::serialization::Serialization;

/// Which signatures of a JWS JSON serialization must verify for the JWS to be accepted
/// (RFC 7515 §7.2: the application decides).
///
/// There is no default: the caller names the policy at every call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Policy {
    /// At least one signature verifies with a key of the key source. Every signature is tried;
    /// [`VerifiedJson::signatures`] lists those that verified and [`VerifiedJson::rejected`]
    /// says why the others did not.
    Any,
    /// Every signature verifies with a key of the key source; the first one that does not
    /// fails the whole JWS.
    All,
}

/// One signature to make: the key, its protected header and an optional unprotected header.
///
/// The key supplies `alg` (always protected) and its `kid` goes into the protected header,
/// unless the protected header sets its own `kid` or the unprotected header has one (as in
/// RFC 7515 A.6 and RFC 7520 §4.6). Verification chooses keys by the protected `kid` only.
///
/// ```
/// use jose_ring::{jwa, jws, HmacKey, SigningKey};
/// let hmac = HmacKey::new(&jwa::HS256, &[7; 32])?.with_kid("mac");
/// let ec = SigningKey::generate(&jwa::ES256)?;
/// let signatories = [
///     jws::Signatory::new(&hmac),
///     jws::Signatory::new(&ec)
///         .with_protected(jws::Header::new().with_typ("example"))
///         .with_unprotected(jws::Header::new().with_kid("ec")),
/// ];
/// let json = jws::sign_as(b"payload", &signatories, jws::Serialization::General)?;
/// assert!(json.starts_with(r#"{"payload":"cGF5bG9hZA","signatures":[{"protected":"#));
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Clone)]
pub struct Signatory<'k> {
    key: &'k dyn Signer,
    protected: Header,
    unprotected: Option<Header>,
}

impl fmt::Debug for Signatory<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signatory")
            .field("alg", &self.key.algorithm().name())
            .field("kid", &self.key.kid())
            .field("protected", &self.protected)
            .field("unprotected", &self.unprotected)
            .finish()
    }
}

impl<'k> Signatory<'k> {
    /// A signature by `key` with an empty protected header (the key supplies `alg` and `kid`)
    /// and no unprotected header.
    #[must_use]
    pub fn new(key: &'k dyn Signer) -> Self {
        Self {
            key,
            protected: Header::new(),
            unprotected: None,
        }
    }

    /// Sets the protected header. [`Header::with_unencoded_payload`] here asks for an
    /// unencoded payload; every signature of one JWS must then ask for it.
    #[must_use]
    pub fn with_protected(mut self, header: Header) -> Self {
        self.protected = header;
        self
    }

    /// Sets the unprotected header: members that are not signed, such as a `kid` hint for
    /// other implementations. Its member names must not be in the protected header, and it
    /// cannot ask for an unencoded payload.
    #[must_use]
    pub fn with_unprotected(mut self, header: Header) -> Self {
        self.unprotected = Some(header);
        self
    }

    /// The protected header's JSON, after checking that the unprotected header fits beside it.
    fn protected_json(&self) -> Result<Vec<u8>, Error> {
        let unprotected_kid = self.unprotected.as_ref().is_some_and(|u| u.kid().is_some());
        let key_kid = if unprotected_kid {
            None
        } else {
            self.key.kid()
        };
        if let Some(unprotected) = &self.unprotected {
            if unprotected.is_unencoded() {
                return Err(Malformed::Unencoded(UnencodedProblem::Malformed).into());
            }
            if unprotected.names().any(|name| self.protected.has(name)) {
                return Err(Malformed::HeaderOverlap.into());
            }
            crate::limits::check_kid(unprotected.kid())?;
        }
        self.protected.to_json(self.key.algorithm().name(), key_kid)
    }
}

/// Signs `payload` once per signatory and writes the JWS in `form`.
///
/// With [`Serialization::Compact`] this is [`jws::sign`](super::sign) (one signatory, no unprotected
/// header); with [`Serialization::Flattened`], one signatory; with
/// [`Serialization::General`], any number. Members are written in the order RFC 7515 uses:
/// `payload`, then `protected`, `header`, `signature` for each signature.
///
/// ```
/// use jose_ring::{jwa, jws, HmacKey};
/// let key = HmacKey::new(&jwa::HS256, &[7; 32])?;
/// let flat = jws::sign_as(b"hi", &[jws::Signatory::new(&key)], jws::Serialization::Flattened)?;
/// let verified = jws::verify_json(flat.as_bytes(), &key, jws::Policy::All)?;
/// assert_eq!(verified.payload(), b"hi");
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`Misuse::NoSignatory`] for no signatory;
/// [`Malformed::Unrepresentable`] when `form` cannot hold the signatures;
/// [`UnencodedProblem::Inconsistent`] when the signatories disagree on an unencoded payload;
/// [`UnencodedProblem::NotText`] for an unencoded payload that is not UTF-8 (JSON forms) and
/// [`UnencodedProblem::PayloadCharacters`] for one that holds `.` (compact form);
/// [`Malformed::HeaderOverlap`] when an unprotected header repeats a protected member;
/// [`UnencodedProblem::Malformed`] for an unprotected header that asks for an unencoded
/// payload; [`Error::SigningFailed`] if a signer fails.
pub fn sign_as(
    payload: &[u8],
    signatories: &[Signatory<'_>],
    form: Serialization,
) -> Result<String, Error> {
    let unencoded = agreed_unencoded(signatories)?;
    if let Some(only) = compact_signatory(signatories, form)? {
        return sign(payload, &only.protected, only.key);
    }
    let encoded = (!unencoded).then(|| b64::encode(payload));
    let member = match &encoded {
        Some(encoded) => encoded.as_str(),
        None => core::str::from_utf8(payload)
            .map_err(|_| Malformed::Unencoded(UnencodedProblem::NotText))?,
    };
    sign_json(member.as_bytes(), Some(member), signatories, form)
}

/// [`sign_as`] with detached content (RFC 7515 Appendix F): the JWS carries no payload (no
/// `payload` member; an empty payload segment in compact form), which travels separately and
/// is given again to [`UnverifiedJson::verify_detached`].
///
/// # Errors
///
/// As [`sign_as`]; a detached unencoded payload may be any bytes.
pub fn sign_detached_as(
    payload: &[u8],
    signatories: &[Signatory<'_>],
    form: Serialization,
) -> Result<String, Error> {
    let unencoded = agreed_unencoded(signatories)?;
    if let Some(only) = compact_signatory(signatories, form)? {
        return sign_detached(payload, &only.protected, only.key);
    }
    let encoded = (!unencoded).then(|| b64::encode(payload));
    let payload_part = encoded.as_deref().map_or(payload, str::as_bytes);
    sign_json(payload_part, None, signatories, form)
}

/// Parses a JWS JSON serialization with the default [`Limits`] and verifies it under
/// `policy`: `UnverifiedJson::parse(input)?.verify(keys, policy)`.
///
/// # Errors
///
/// Those of [`UnverifiedJson::parse_with_limits`] and [`UnverifiedJson::verify`].
pub fn verify_json<K: KeySource + ?Sized>(
    input: &[u8],
    keys: &K,
    policy: Policy,
) -> Result<VerifiedJson, Error> {
    UnverifiedJson::parse(input)?.verify(keys, policy)
}

/// A JWS in the JSON model (one or more signatures, each with a protected and an unprotected
/// header), parsed and checked but not verified.
///
/// Nothing here is trustworthy until [`verify`](Self::verify) succeeds; headers are exposed
/// for choosing keys or logging, not for decisions.
///
/// ```
/// use jose_ring::{jwa, jws, HmacKey};
/// let key = HmacKey::new(&jwa::HS256, &[7; 32])?.with_kid("k1");
/// let json = jws::sign_as(b"hello", &[jws::Signatory::new(&key)], jws::Serialization::General)?;
///
/// let unverified = jws::UnverifiedJson::parse(json.as_bytes())?;
/// assert_eq!(unverified.serialization(), jws::Serialization::General);
/// assert_eq!(unverified.signatures()[0].header().kid(), Some("k1"));
/// // One signature and no unprotected header: the same JWS in compact form.
/// let compact = unverified.serialize(jws::Serialization::Compact)?;
/// assert_eq!(jws::verify(&compact, &key)?.payload(), b"hello");
///
/// let verified = unverified.verify(&key, jws::Policy::All)?;
/// assert_eq!(verified.payload(), b"hello");
/// assert_eq!(verified.signatures()[0].index(), 0);
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
pub struct UnverifiedJson<'a> {
    form: Serialization,
    /// `None` when detached.
    payload: Option<Cow<'a, str>>,
    /// The `b64: false` of every signature (they agree).
    unencoded: bool,
    signatures: Vec<UnverifiedSignature<'a>>,
    accept_unprotected_alg: bool,
}

/// One signature of an [`UnverifiedJson`]: untrusted until verified.
#[derive(Debug)]
pub struct UnverifiedSignature<'a> {
    /// The `protected` member as it appeared (base64url), if present.
    protected_b64: Option<Cow<'a, str>>,
    /// The protected `alg`.
    alg: Option<Cow<'static, str>>,
    /// The protected header (empty when absent).
    header: Header,
    unprotected: Option<header::Unprotected>,
    signature_b64: Cow<'a, str>,
}

impl UnverifiedSignature<'_> {
    /// The `alg` of the protected header, if it has one.
    #[must_use]
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The protected header (empty when the signature has none).
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The unprotected header, if the signature has one. Not integrity protected: anyone can
    /// change it without breaking the signature.
    #[must_use]
    pub fn unprotected(&self) -> Option<&Header> {
        self.unprotected.as_ref().map(|u| &u.header)
    }

    /// An `alg` in the unprotected header (RFC 7520 §4.7). Only used by verification after
    /// [`UnverifiedJson::accept_unprotected_alg`].
    #[must_use]
    pub fn unprotected_alg(&self) -> Option<&str> {
        self.unprotected.as_ref().and_then(|u| u.alg.as_deref())
    }

    /// The `protected` member as the document has it (base64url), if present: with
    /// [`signature_segment`](Self::signature_segment) and the payload, the compact form an
    /// SD-JWT's `sd_hash` covers (RFC 9901 §8.1).
    pub(crate) fn protected_segment(&self) -> Option<&str> {
        self.protected_b64.as_deref()
    }

    /// The `signature` member as the document has it (base64url).
    pub(crate) fn signature_segment(&self) -> &str {
        &self.signature_b64
    }
}

impl<'a> UnverifiedJson<'a> {
    /// Parses a JWS JSON serialization (general or flattened) with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`parse_with_limits`](Self::parse_with_limits).
    pub fn parse(input: &'a [u8]) -> Result<Self, Error> {
        Self::parse_with_limits(input, &Limits::DEFAULT)
    }

    /// Parses a JWS JSON serialization, general or flattened (which one is
    /// [`serialization`](Self::serialization)), checking in this order: the length limit
    /// ([`Limits::token_len`]), a JSON object (a compact token is rejected here), strict JSON
    /// (no duplicate names at any depth), the JSON types of the members, the syntax (general or
    /// flattened, not both), the number of signatures ([`Limits::signatures`]), then for each
    /// signature its protected header (base64url, strict JSON, `crit` and `b64`) and its
    /// unprotected header (disjoint names, no `crit` or `b64`), an `alg` in one of them, and
    /// last that all signatures agree on `b64`. Members this crate does not know are ignored
    /// (RFC 7515 §7.2.1).
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] for the length or the number of signatures;
    /// [`Malformed::Serialization`] for input that is not a JSON object or has neither or both
    /// syntaxes; [`Malformed::Json`] (part `JWS JSON`) for JSON that is not strict;
    /// [`Malformed::InvalidMember`] for a member of the wrong JSON type, or an empty
    /// `signatures`; [`Malformed::MissingMember`] for a signature without `signature` or `alg`;
    /// [`Malformed::Base64`], [`Malformed::Json`], [`Malformed::Crit`] and
    /// [`Malformed::Unencoded`] for a protected header; [`Malformed::HeaderOverlap`],
    /// [`CritProblem::Unprotected`](crate::CritProblem::Unprotected) and
    /// [`UnencodedProblem::Malformed`] for an unprotected header;
    /// [`UnencodedProblem::Inconsistent`] when signatures disagree on `b64`.
    pub fn parse_with_limits(input: &'a [u8], limits: &Limits) -> Result<Self, Error> {
        if input.len() > limits.token_len() {
            return Err(Error::TooLarge {
                what: "JWS JSON serialization",
                limit: limits.token_len(),
            });
        }
        if !is_object(input) {
            return Err(Malformed::Serialization.into());
        }
        let raw: RawDoc<'a> = json::from_slice_in(input, "JWS JSON")?;
        let flat = raw.flat;
        if let Some(name) = flat.invalid {
            return Err(Malformed::InvalidMember(name).into());
        }
        let top_level = flat.protected.is_some() || flat.header.is_some();
        let (form, entries) = match raw.signatures {
            Some(_) if top_level || flat.signature.is_some() => {
                return Err(Malformed::Serialization.into());
            }
            Some(list) => {
                if list.count > limits.signatures() {
                    return Err(Error::TooLarge {
                        what: "number of signatures",
                        limit: limits.signatures(),
                    });
                }
                if list.count == 0 || list.bad_element {
                    return Err(Malformed::InvalidMember("signatures").into());
                }
                (Serialization::General, list.entries)
            }
            None if flat.signature.is_some() || top_level => {
                (Serialization::Flattened, alloc::vec![flat])
            }
            None => return Err(Malformed::Serialization.into()),
        };
        let signatures = entries
            .into_iter()
            .map(UnverifiedSignature::from_raw)
            .collect::<Result<Vec<_>, Error>>()?;
        let unencoded = unencoded(&signatures)?;
        Ok(Self {
            form,
            payload: raw.payload,
            unencoded,
            signatures,
            accept_unprotected_alg: false,
        })
    }

    /// Reads a compact JWS into the JSON model, for converting it with
    /// [`serialize`](Self::serialize) or verifying it with a [`Policy`]. The token is checked
    /// as [`Unverified::parse`] checks it. An empty payload segment is read as detached
    /// content (RFC 7515 Appendix F): [`serialize`](Self::serialize) writes it without a
    /// `payload` member, and [`verify`](Self::verify) still reads it as an empty payload.
    ///
    /// ```
    /// use jose_ring::{jwa, jws, HmacKey};
    /// let key = HmacKey::new(&jwa::HS256, &[7; 32])?;
    /// let token = jws::sign(b"hi", &jws::Header::new(), &key)?;
    /// let json = jws::UnverifiedJson::from_compact(&token)?.serialize(jws::Serialization::Flattened)?;
    /// assert_eq!(jws::verify_json(json.as_bytes(), &key, jws::Policy::All)?.payload(), b"hi");
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`Unverified::parse`].
    pub fn from_compact(token: &'a str) -> Result<Self, Error> {
        let parsed = Unverified::parse(token)?;
        let (rest, signature) = token.rsplit_once('.').ok_or(Malformed::Segments)?;
        let (protected, payload) = rest.split_once('.').ok_or(Malformed::Segments)?;
        let alg = Cow::Owned(String::from(parsed.alg()));
        let unencoded = parsed.header().is_unencoded();
        let signature = UnverifiedSignature {
            protected_b64: Some(Cow::Borrowed(protected)),
            alg: Some(alg),
            header: parsed.header().clone(),
            unprotected: None,
            signature_b64: Cow::Borrowed(signature),
        };
        Ok(Self {
            form: Serialization::Compact,
            payload: (!payload.is_empty()).then_some(Cow::Borrowed(payload)),
            unencoded,
            signatures: alloc::vec![signature],
            accept_unprotected_alg: false,
        })
    }

    /// Parses any of the three serializations, telling them apart by the first byte that is
    /// not whitespace: `{` starts a JSON serialization, anything else is read as a compact
    /// token. [`serialization`](Self::serialization) then says which one it was.
    ///
    /// ```
    /// use jose_ring::jws::{Serialization, UnverifiedJson};
    /// let flat = br#"{"payload":"aGk","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#;
    /// assert_eq!(UnverifiedJson::parse_any(flat)?.serialization(), Serialization::Flattened);
    /// let compact = b"eyJhbGciOiJIUzI1NiJ9.aGk.c2ln";
    /// assert_eq!(UnverifiedJson::parse_any(compact)?.serialization(), Serialization::Compact);
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`parse`](Self::parse) or [`from_compact`](Self::from_compact);
    /// [`Malformed::Character`] for compact input that is not UTF-8.
    pub fn parse_any(input: &'a [u8]) -> Result<Self, Error> {
        if is_object(input) {
            return Self::parse(input);
        }
        let token = core::str::from_utf8(input).map_err(|_| Malformed::Character)?;
        Self::from_compact(token)
    }

    /// Lets verification use an `alg` found in the unprotected header of a signature whose
    /// protected header has none (RFC 7520 §4.7 "protecting content only").
    ///
    /// By default such a signature is rejected with
    /// [`Malformed::Unprotected`]`("alg")`. Opting in does not let the token choose the
    /// verification code: its `alg` is still only compared with the algorithm the key is bound
    /// to. It does mean that the algorithm name and everything but the payload can be changed
    /// by anyone without breaking the signature.
    #[must_use]
    pub fn accept_unprotected_alg(mut self) -> Self {
        self.accept_unprotected_alg = true;
        self
    }

    /// Which serialization the input used.
    #[must_use]
    pub fn serialization(&self) -> Serialization {
        self.form
    }

    /// The signatures, in document order. Untrusted until verified.
    #[must_use]
    pub fn signatures(&self) -> &[UnverifiedSignature<'a>] {
        &self.signatures
    }

    /// The `payload` member as the document has it (base64url unless unencoded), if present.
    pub(crate) fn payload_segment(&self) -> Option<&str> {
        self.payload.as_deref()
    }

    /// Sets member `name` of the unprotected header of signature `index` to `value` (an
    /// already checked JSON value), or removes it when `value` is `None`, giving the signature
    /// an unprotected header if it has none: for an SD-JWT presentation, which rewrites
    /// `disclosures` and `kb_jwt` of the first signature (RFC 9901 §8.1, §8.3).
    ///
    /// # Errors
    ///
    /// [`Malformed::HeaderOverlap`] if the protected header has the name; nothing is changed.
    pub(crate) fn set_unprotected_member(
        &mut self,
        index: usize,
        name: &str,
        value: Option<Value>,
    ) -> Result<(), Error> {
        let Some(signature) = self.signatures.get_mut(index) else {
            return Ok(());
        };
        if value.is_some() && signature.header.has(name) {
            return Err(Malformed::HeaderOverlap.into());
        }
        let unprotected = signature
            .unprotected
            .get_or_insert_with(|| header::Unprotected {
                alg: None,
                header: Header::new(),
            });
        unprotected.header.set_member_value(name, value);
        Ok(())
    }

    /// Whether the content is detached (no `payload` member).
    #[must_use]
    pub fn is_detached(&self) -> bool {
        self.payload.is_none()
    }

    /// Whether the payload is unencoded (`b64: false` in every protected header, RFC 7797).
    #[must_use]
    pub fn is_unencoded(&self) -> bool {
        self.unencoded
    }

    /// Writes the same JWS, signatures unchanged, in `form`: the conversion between the
    /// compact, flattened and general serializations. Nothing is verified.
    ///
    /// # Errors
    ///
    /// [`Malformed::Unrepresentable`] when `form` cannot hold the JWS (compact: one signature
    /// and no unprotected header; flattened: one signature);
    /// [`UnencodedProblem::PayloadCharacters`] for an unencoded payload with `.` in compact
    /// form; [`Malformed::Base64`] for a payload or signature that cannot go into a compact
    /// token.
    pub fn serialize(&self, form: Serialization) -> Result<String, Error> {
        let entries: Vec<Entry<'_>> = self
            .signatures
            .iter()
            .map(|s| Entry {
                protected: s.protected_b64.as_deref(),
                unprotected: s.unprotected.as_ref().map(|u| AsUnprotected {
                    alg: u.alg.as_deref(),
                    header: &u.header,
                }),
                signature: &s.signature_b64,
            })
            .collect();
        let payload = self.payload.as_deref();
        if form != Serialization::Compact {
            return write_json(form, payload, &entries);
        }
        let [only] = entries.as_slice() else {
            return Err(Malformed::Unrepresentable(form).into());
        };
        let (Some(protected), None) = (only.protected, &only.unprotected) else {
            return Err(Malformed::Unrepresentable(form).into());
        };
        let payload = payload.unwrap_or_default();
        if self.unencoded {
            if payload.contains('.') {
                return Err(Malformed::Unencoded(UnencodedProblem::PayloadCharacters).into());
            }
        } else if !b64::is_alphabet(payload.as_bytes()) {
            return Err(Malformed::Base64("payload").into());
        }
        if !b64::is_alphabet(only.signature.as_bytes()) {
            return Err(Malformed::Base64("signature").into());
        }
        let mut token = String::with_capacity(
            protected
                .len()
                .saturating_add(payload.len())
                .saturating_add(only.signature.len())
                .saturating_add(2),
        );
        for (i, part) in [protected, payload, only.signature].into_iter().enumerate() {
            if i > 0 {
                token.push('.');
            }
            token.push_str(part);
        }
        Ok(token)
    }

    /// Verifies the signatures with keys from `keys` under `policy`, then decodes the payload.
    ///
    /// For each signature: its `alg` (from the protected header; from the unprotected one only
    /// after [`accept_unprotected_alg`](Self::accept_unprotected_alg)), `none` and algorithms
    /// `ring` lacks rejected, the key chosen by that `alg` and the protected `kid`, the key's
    /// algorithm compared with `alg`, the signature's base64url, then the signature itself.
    ///
    /// A compact JWS with an empty payload segment is verified over an empty payload, as
    /// [`jws::verify`](super::verify) does.
    ///
    /// # Errors
    ///
    /// [`Malformed::MissingMember`] (`payload`) for a JSON serialization with detached content
    /// (use [`verify_detached`](Self::verify_detached)); under [`Policy::All`] the error of the
    /// first signature that does not verify, under [`Policy::Any`] the error of the first
    /// signature when none verifies: [`Malformed::Unprotected`], [`Error::Unsupported`],
    /// [`Error::NoKey`], [`Error::AlgorithmMismatch`], [`Malformed::Base64`],
    /// [`Error::InvalidSignature`]; then [`Malformed::Base64`] for the payload.
    pub fn verify<K: KeySource + ?Sized>(
        self,
        keys: &K,
        policy: Policy,
    ) -> Result<VerifiedJson, Error> {
        let segment = match (&self.payload, self.form) {
            (Some(segment), _) => segment,
            // An empty payload segment, as `jws::verify` reads it.
            (None, Serialization::Compact) => "",
            (None, _) => return Err(Malformed::MissingMember("payload").into()),
        };
        let outcomes = self.check(keys, policy, segment.as_bytes())?;
        let payload = if self.unencoded {
            segment.as_bytes().to_vec()
        } else {
            b64::decode(segment.as_bytes(), "payload")?
        };
        Ok(self.into_verified(outcomes, payload))
    }

    /// Verifies a JWS with detached content: the document has no `payload` member and
    /// `payload` is the content that was signed, as bytes (encoded here unless the protected
    /// headers say `b64: false`).
    ///
    /// ```
    /// use jose_ring::{jwa, jws, HmacKey};
    /// let key = HmacKey::new(&jwa::HS256, &[7; 32])?;
    /// let signatories = [jws::Signatory::new(&key)];
    /// let json = jws::sign_detached_as(b"content", &signatories, jws::Serialization::Flattened)?;
    /// let unverified = jws::UnverifiedJson::parse(json.as_bytes())?;
    /// assert!(unverified.is_detached());
    /// assert_eq!(unverified.verify_detached(b"content", &key, jws::Policy::All)?.payload(), b"content");
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Malformed::NotDetached`] if the document carries a payload, and those of
    /// [`verify`](Self::verify).
    pub fn verify_detached<K: KeySource + ?Sized>(
        self,
        payload: &[u8],
        keys: &K,
        policy: Policy,
    ) -> Result<VerifiedJson, Error> {
        if self.payload.is_some() {
            return Err(Malformed::NotDetached.into());
        }
        let outcomes = if self.unencoded {
            self.check(keys, policy, payload)?
        } else {
            self.check(keys, policy, b64::encode(payload).as_bytes())?
        };
        Ok(self.into_verified(outcomes, payload.to_vec()))
    }

    /// Checks every signature as `policy` asks, over `payload_part` (the payload as it is in
    /// the signing input).
    fn check<K: KeySource + ?Sized>(
        &self,
        keys: &K,
        policy: Policy,
        payload_part: &[u8],
    ) -> Result<Vec<Outcome>, Error> {
        let mut input = Vec::new();
        let mut outcomes = Vec::with_capacity(self.signatures.len());
        for signature in &self.signatures {
            let outcome = self.check_one(signature, keys, payload_part, &mut input);
            match (policy, outcome) {
                (Policy::All, Err(error)) => return Err(error),
                (_, outcome) => outcomes.push(outcome),
            }
        }
        if outcomes.iter().any(Result::is_ok) {
            return Ok(outcomes);
        }
        // No signature verified: the first one says why (there is at least one).
        match outcomes.into_iter().find_map(Result::err) {
            Some(error) => Err(error),
            None => Err(Malformed::InvalidMember("signatures").into()),
        }
    }

    fn check_one<K: KeySource + ?Sized>(
        &self,
        signature: &UnverifiedSignature<'_>,
        keys: &K,
        payload_part: &[u8],
        input: &mut Vec<u8>,
    ) -> Outcome {
        let alg = match (signature.alg(), signature.unprotected_alg()) {
            (Some(alg), _) => alg,
            (None, Some(alg)) if self.accept_unprotected_alg => alg,
            (None, Some(_)) => return Err(Malformed::Unprotected("alg").into()),
            (None, None) => return Err(Malformed::MissingMember("alg").into()),
        };
        input.clear();
        let protected = signature.protected_b64.as_deref().unwrap_or_default();
        signing_input(
            input,
            Part::AsIs(protected.as_bytes()),
            Part::AsIs(payload_part),
        );
        let key = super::check_signature(
            keys,
            alg,
            signature.header.kid(),
            input,
            &signature.signature_b64,
        )?;
        Ok((key.algorithm(), key.kid().map(String::from)))
    }

    fn into_verified(self, outcomes: Vec<Outcome>, payload: Vec<u8>) -> VerifiedJson {
        let mut signatures = Vec::new();
        let mut rejected = Vec::new();
        for (index, (signature, outcome)) in self.signatures.into_iter().zip(outcomes).enumerate() {
            match outcome {
                Ok((alg, key_kid)) => signatures.push(VerifiedSignature {
                    index,
                    alg,
                    key_kid,
                    header: signature.header,
                    unprotected: signature.unprotected.map(|u| u.header),
                }),
                Err(error) => rejected.push((index, error)),
            }
        }
        VerifiedJson {
            payload,
            signatures,
            rejected,
        }
    }
}

/// A JWS JSON serialization at least one of whose signatures verified (all of them under
/// [`Policy::All`]). Only verification builds one.
#[derive(Debug)]
pub struct VerifiedJson {
    payload: Vec<u8>,
    signatures: Vec<VerifiedSignature>,
    rejected: Vec<(usize, Error)>,
}

impl VerifiedJson {
    /// The payload bytes (decoded, or as they were when unencoded or detached).
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload, by value.
    #[must_use]
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }

    /// The signatures that verified, in document order (never empty).
    #[must_use]
    pub fn signatures(&self) -> &[VerifiedSignature] {
        &self.signatures
    }

    /// The signatures that did not verify under [`Policy::Any`], by index in the document,
    /// with the reason; empty under [`Policy::All`].
    #[must_use]
    pub fn rejected(&self) -> &[(usize, Error)] {
        &self.rejected
    }
}

/// One signature that verified: which one, with which algorithm and key.
#[derive(Debug)]
pub struct VerifiedSignature {
    index: usize,
    alg: &'static Algorithm,
    key_kid: Option<String>,
    header: Header,
    unprotected: Option<Header>,
}

impl VerifiedSignature {
    /// Its position in the document's `signatures` (0 for a flattened or compact JWS).
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    /// The algorithm that verified it: the algorithm of the key.
    #[must_use]
    pub fn algorithm(&self) -> &'static Algorithm {
        self.alg
    }

    /// The key ID of the key that verified it, if that key has one.
    #[must_use]
    pub fn key_kid(&self) -> Option<&str> {
        self.key_kid.as_deref()
    }

    /// Its protected header, which the signature covers.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Its unprotected header, if it had one. **Not covered by the signature**: anyone could
    /// have changed it; do not base decisions on it.
    #[must_use]
    pub fn unprotected(&self) -> Option<&Header> {
        self.unprotected.as_ref()
    }
}

/// What checking one signature gives: the key's algorithm and `kid`, or why it failed.
type Outcome = Result<(&'static Algorithm, Option<String>), Error>;

impl<'a> UnverifiedSignature<'a> {
    /// Decodes and checks the headers of one signature as read from the document.
    fn from_raw(raw: RawEntry<'a>) -> Result<Self, Error> {
        if let Some(name) = raw.invalid {
            return Err(Malformed::InvalidMember(name).into());
        }
        let signature_b64 = raw.signature.ok_or(Malformed::MissingMember("signature"))?;
        let (alg, header) = match &raw.protected {
            Some(encoded) => {
                let json = b64::decode(encoded.as_bytes(), "protected")?;
                header::parse_protected(&json)?
            }
            None => (None, Header::new()),
        };
        let unprotected = raw
            .header
            .map(|members| header::parse_unprotected(members, alg.is_some(), &header))
            .transpose()?;
        if alg.is_none() && unprotected.as_ref().is_none_or(|u| u.alg.is_none()) {
            return Err(Malformed::MissingMember("alg").into());
        }
        Ok(Self {
            protected_b64: raw.protected,
            alg,
            header,
            unprotected,
            signature_b64,
        })
    }
}

/// The common `b64` of the signatures (RFC 7797 §3).
fn unencoded(signatures: &[UnverifiedSignature<'_>]) -> Result<bool, Error> {
    let mut flags = signatures.iter().map(|s| s.header.is_unencoded());
    let first = flags.next().unwrap_or(false);
    if flags.any(|flag| flag != first) {
        return Err(Malformed::Unencoded(UnencodedProblem::Inconsistent).into());
    }
    Ok(first)
}

/// Whether the signatories ask for an unencoded payload, which they must all do or none
/// (RFC 7797 §3).
fn agreed_unencoded(signatories: &[Signatory<'_>]) -> Result<bool, Error> {
    let first = signatories.first().ok_or(Misuse::NoSignatory)?;
    let unencoded = first.protected.is_unencoded();
    if signatories
        .iter()
        .any(|s| s.protected.is_unencoded() != unencoded)
    {
        return Err(Malformed::Unencoded(UnencodedProblem::Inconsistent).into());
    }
    Ok(unencoded)
}

/// The one signatory of a compact JWS, if `form` is compact; an error if `form` cannot hold
/// the signatories.
fn compact_signatory<'s, 'k>(
    signatories: &'s [Signatory<'k>],
    form: Serialization,
) -> Result<Option<&'s Signatory<'k>>, Error> {
    match (form, signatories) {
        (Serialization::Compact, [only]) if only.unprotected.is_none() => Ok(Some(only)),
        (Serialization::Compact, _) | (Serialization::Flattened, [_, _, ..]) => {
            Err(Malformed::Unrepresentable(form).into())
        }
        _ => Ok(None),
    }
}

/// Signs `payload_part` (the payload as the signing input holds it) once per signatory and
/// writes the flattened or general serialization, with `payload_member` as its `payload`.
fn sign_json(
    payload_part: &[u8],
    payload_member: Option<&str>,
    signatories: &[Signatory<'_>],
    form: Serialization,
) -> Result<String, Error> {
    let mut made = Vec::with_capacity(signatories.len());
    let mut input = Vec::new();
    for signatory in signatories {
        let protected = b64::encode(&signatory.protected_json()?);
        input.clear();
        signing_input(
            &mut input,
            Part::AsIs(protected.as_bytes()),
            Part::AsIs(payload_part),
        );
        let signature = crate::key::sealed::Sign::sign(signatory.key, &input)?;
        made.push((protected, b64::encode(signature.as_ref())));
    }
    let entries: Vec<Entry<'_>> = signatories
        .iter()
        .zip(&made)
        .map(|(signatory, (protected, signature))| Entry {
            protected: Some(protected),
            unprotected: signatory
                .unprotected
                .as_ref()
                .map(|header| AsUnprotected { alg: None, header }),
            signature,
        })
        .collect();
    write_json(form, payload_member, &entries)
}

/// One signature as written.
struct Entry<'a> {
    protected: Option<&'a str>,
    unprotected: Option<AsUnprotected<'a>>,
    signature: &'a str,
}

impl Entry<'_> {
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        if let Some(protected) = self.protected {
            map.serialize_entry("protected", protected)?;
        }
        if let Some(unprotected) = &self.unprotected {
            map.serialize_entry("header", unprotected)?;
        }
        map.serialize_entry("signature", self.signature)
    }
}

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.write(&mut map)?;
        map.end()
    }
}

/// A JWS JSON serialization as written.
struct Document<'a> {
    flattened: bool,
    payload: Option<&'a str>,
    entries: &'a [Entry<'a>],
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(payload) = self.payload {
            map.serialize_entry("payload", payload)?;
        }
        match (self.flattened, self.entries) {
            (true, [only]) => only.write(&mut map)?,
            _ => map.serialize_entry("signatures", self.entries)?,
        }
        map.end()
    }
}

/// Writes the flattened or general JSON serialization.
fn write_json(
    form: Serialization,
    payload: Option<&str>,
    entries: &[Entry<'_>],
) -> Result<String, Error> {
    let flattened = match (form, entries) {
        (Serialization::Flattened, [_]) => true,
        (Serialization::General, [_, ..]) => false,
        _ => return Err(Malformed::Unrepresentable(form).into()),
    };
    let document = Document {
        flattened,
        payload,
        entries,
    };
    json::to_string(&document, "header member")
}

/// Whether `input` holds a JSON object (and so is no compact serialization): its first byte
/// after JSON whitespace is `{`.
fn is_object(input: &[u8]) -> bool {
    json::skip_whitespace(input).first() == Some(&b'{')
}
