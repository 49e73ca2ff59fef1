//! JWK Sets (RFC 7517 §5) and the key ring that chooses a key for a token.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::Value;

use super::{Jwk, KeyParams, OkpCurve, Op};
use crate::error::{Error, JsonProblem, KeyRejected, Malformed, NoKey, Unsupported};
use crate::jwa::Algorithm;
use crate::key::{HmacKey, KeyRef, KeySource, VerifyingKey};
use crate::limits::{Limits, MAX_KID_LEN};

/// A JWK Set (RFC 7517 §5), read leniently.
///
/// Each member of `"keys"` that is not a JWK this crate reads (an unknown `kty` or `crv`,
/// a member that breaks the rules, not an object) is skipped and reported by
/// [`skipped`](Self::skipped) rather than failing the whole set, as RFC 7517 §5 asks. JSON that
/// is not a strict object (syntax, duplicate member names, nesting), a missing or non-array
/// `"keys"`, and sizes over the [`Limits`] fail the whole set. Other top-level members are
/// ignored.
///
/// ```
/// use jose_ring::{jwa, jwk::JwkSet, jws, SigningKey};
/// let signer = SigningKey::generate(&jwa::ES256)?.with_kid("2026-01");
/// let token = jws::sign(b"hello", &jws::Header::new(), &signer)?;
///
/// let jwks = format!(r#"{{"keys":[{},{{"kty":"XYZ"}}]}}"#,
///     jose_ring::jwk::Jwk::from_verifying_key(&signer.verifying_key()).to_json()?);
/// let set = JwkSet::from_json(jwks.as_bytes())?;
/// assert_eq!((set.keys().len(), set.skipped().len()), (1, 1));
///
/// let keys = set.key_ring(&[&jwa::RS256, &jwa::ES256]);
/// assert_eq!(jws::verify(&token, &keys)?.payload(), b"hello");
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug, Default, PartialEq)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    skipped: Vec<Skipped>,
}

/// A member of a JWK Set that was left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    index: usize,
    kid: Option<String>,
    error: Error,
}

impl Skipped {
    /// For [`JwkSet::skipped`], the position in the `"keys"` array of the JSON; for
    /// [`KeyRing::skipped`], the position in [`JwkSet::keys`].
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    /// The member's `kid`, if it had a string one of at most 256 bytes.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Why the member was left out.
    #[must_use]
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl JwkSet {
    /// An empty set, to fill with [`push`](Self::push) and publish with
    /// [`to_json`](Self::to_json).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a JWK Set with the default [`Limits`] (1 MiB, 1,000 keys).
    ///
    /// # Errors
    ///
    /// As [`from_json_with_limits`](Self::from_json_with_limits).
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        Self::from_json_with_limits(json, &Limits::DEFAULT)
    }

    /// Reads a JWK Set, skipping the members it cannot read.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] for input over [`Limits::jwks_len`] (before any parsing) or more
    /// keys than [`Limits::jwks_keys`]; [`Malformed::Json`] for JSON that is not a strict
    /// object; [`Malformed::MissingMember`]`("keys")` and
    /// [`Malformed::InvalidMember`]`("keys")` for a missing or non-array `keys`.
    pub fn from_json_with_limits(json: &[u8], limits: &Limits) -> Result<Self, Error> {
        let limit = limits.jwks_len();
        if json.len() > limit {
            return Err(Error::TooLarge {
                what: "JWK Set",
                limit,
            });
        }
        let mut top: serde_json::Map<String, Value> = crate::json::from_slice_in(json, "jwk set")?;
        let members = match top.remove("keys") {
            Some(Value::Array(members)) => members,
            Some(_) => return Err(Malformed::InvalidMember("keys").into()),
            None => return Err(Malformed::MissingMember("keys").into()),
        };
        let limit = limits.jwks_keys();
        if members.len() > limit {
            return Err(Error::TooLarge {
                what: "JWK Set keys",
                limit,
            });
        }
        let mut set = Self::new();
        for (index, member) in members.into_iter().enumerate() {
            let Value::Object(member) = member else {
                let error = Malformed::Json {
                    part: "jwk",
                    problem: JsonProblem::NotObject,
                };
                set.skipped.push(Skipped {
                    index,
                    kid: None,
                    error: error.into(),
                });
                continue;
            };
            let kid = match member.get("kid") {
                Some(Value::String(kid)) if kid.len() <= MAX_KID_LEN => Some(kid.clone()),
                _ => None,
            };
            match super::parse::from_members(member) {
                Ok(jwk) => set.keys.push(jwk),
                Err(error) => set.skipped.push(Skipped { index, kid, error }),
            }
        }
        Ok(set)
    }

    /// Adds a key.
    pub fn push(&mut self, jwk: Jwk) {
        self.keys.push(jwk);
    }

    /// The keys read.
    #[must_use]
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The members of `"keys"` that were skipped, and why.
    #[must_use]
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The keys with this `kid`.
    pub fn find<'a>(&'a self, kid: &'a str) -> impl Iterator<Item = &'a Jwk> + 'a {
        self.keys.iter().filter(move |jwk| jwk.kid() == Some(kid))
    }

    /// Writes the set with the public members of each key, for publishing.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Symmetric`] if the set holds a symmetric key.
    pub fn to_json(&self) -> Result<String, Error> {
        if self
            .keys
            .iter()
            .any(|jwk| matches!(jwk.key, KeyParams::Oct { .. }))
        {
            return Err(KeyRejected::Symmetric.into());
        }
        Ok(crate::json::to_string(self, "jwk member")?)
    }

    /// Binds every usable key once per algorithm of `algs` that it fits, for verification.
    ///
    /// A key with an `alg` member binds only to that algorithm (if `algs` allows it); without,
    /// to each algorithm of `algs` its `kty` and `crv` fit. Its `kid` goes with it. Left out,
    /// and reported by [`KeyRing::skipped`]: keys whose `use` is not `"sig"` or whose
    /// `key_ops` lacks `"verify"`, keys of a curve `ring` lacks, keys whose `alg` is not a JWS
    /// algorithm this crate implements, and keys that fit an allowed algorithm but fail to bind
    /// (an RSA modulus under 2048 bits, a point off the curve, an HMAC key too short). Keys that
    /// simply fit none of `algs` are left out silently.
    ///
    /// # Examples
    ///
    /// See [`JwkSet`].
    #[must_use]
    pub fn key_ring(&self, algs: &[&'static Algorithm]) -> KeyRing {
        let mut ring = KeyRing::new();
        for (index, jwk) in self.keys.iter().enumerate() {
            if let Err(error) = ring.add(jwk, algs) {
                ring.skipped.push(Skipped {
                    index,
                    kid: jwk.kid.clone(),
                    error,
                });
            }
        }
        ring
    }
}

impl FromIterator<Jwk> for JwkSet {
    fn from_iter<I: IntoIterator<Item = Jwk>>(keys: I) -> Self {
        Self {
            keys: keys.into_iter().collect(),
            skipped: Vec::new(),
        }
    }
}

/// Writes `{"keys":[...]}` with the public members of each key; a symmetric key is an error.
impl Serialize for JwkSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut set = serializer.serialize_struct("JwkSet", 1)?;
        set.serialize_field("keys", &self.keys)?;
        set.end()
    }
}

/// Verification keys, each bound to one algorithm, chosen for a token by `kid` and `alg`.
///
/// Built from a [`JwkSet`] with [`JwkSet::key_ring`], or from bound keys with
/// [`with_verifying_key`](Self::with_verifying_key) and [`with_hmac_key`](Self::with_hmac_key).
/// It is a [`KeySource`], so [`jws::verify`](crate::jws::verify) takes it as it takes a single
/// key.
///
/// Selection rules, for a token's `alg` and `kid`:
///
/// - With a `kid`: only keys with exactly that `kid` are candidates (none: [`NoKey::UnknownKid`]).
///   If they mix symmetric and asymmetric keys, none is ever chosen ([`NoKey::Ambiguous`]), so
///   an HMAC key can never stand in for a public key of the same name. Of the candidates, the
///   one bound to `alg` is chosen (none: [`NoKey::NoKeyForAlgorithm`]; more than one:
///   [`NoKey::Ambiguous`]). A `kid` shared by keys of different algorithms works.
/// - Without a `kid`: the key bound to `alg` is chosen only if it is the only one
///   ([`NoKey::NoKeyForAlgorithm`], [`NoKey::Ambiguous`]); keys under a `kid` that mixes
///   symmetric and asymmetric keys are never chosen.
#[derive(Debug, Default)]
pub struct KeyRing {
    keys: Vec<Bound>,
    /// Indexes into `keys` by `kid`.
    by_kid: BTreeMap<String, Vec<usize>>,
    skipped: Vec<Skipped>,
}

#[derive(Debug)]
enum Bound {
    Hmac(HmacKey),
    Public(VerifyingKey),
}

impl Bound {
    fn key_ref(&self) -> KeyRef<'_> {
        match self {
            Self::Hmac(key) => key.into(),
            Self::Public(key) => key.into(),
        }
    }

    fn kid(&self) -> Option<&str> {
        match self {
            Self::Hmac(key) => key.kid(),
            Self::Public(key) => key.kid(),
        }
    }

    fn algorithm(&self) -> &'static Algorithm {
        match self {
            Self::Hmac(key) => key.algorithm(),
            Self::Public(key) => key.algorithm(),
        }
    }

    /// The same algorithm, `kid` and key material.
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Hmac(a), Self::Hmac(b)) => {
                a.algorithm() == b.algorithm() && a.kid() == b.kid() && a.secret() == b.secret()
            }
            (Self::Public(a), Self::Public(b)) => {
                a.algorithm() == b.algorithm() && a.kid() == b.kid() && a.info() == b.info()
            }
            _ => false,
        }
    }
}

impl KeyRing {
    /// An empty key ring.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a public key (with its `kid`, if it has one).
    #[must_use]
    pub fn with_verifying_key(mut self, key: VerifyingKey) -> Self {
        self.push(Bound::Public(key));
        self
    }

    /// Adds an HMAC key (with its `kid`, if it has one).
    #[must_use]
    pub fn with_hmac_key(mut self, key: HmacKey) -> Self {
        self.push(Bound::Hmac(key));
        self
    }

    /// The number of bound keys (a JWK bound to two algorithms counts twice).
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring holds no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The bound keys.
    pub fn keys(&self) -> impl Iterator<Item = KeyRef<'_>> {
        self.keys.iter().map(Bound::key_ref)
    }

    /// The keys of the set that were left out, and why.
    #[must_use]
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Adds a key, unless the ring already holds the same key material bound to the same
    /// algorithm under the same `kid` (a JWK Set that lists a key twice, once public and once
    /// private, is not ambiguous).
    fn push(&mut self, key: Bound) {
        let index = self.keys.len();
        let kid = key.kid();
        let duplicate = match kid.and_then(|kid| self.by_kid.get(kid)) {
            Some(indexes) => indexes
                .iter()
                .filter_map(|&i| self.keys.get(i))
                .any(|k| k.same(&key)),
            None => kid.is_none() && self.keys.iter().any(|k| k.same(&key)),
        };
        if duplicate {
            return;
        }
        if let Some(kid) = kid {
            let kid = String::from(kid);
            self.by_kid.entry(kid).or_default().push(index);
        }
        self.keys.push(key);
    }

    /// Binds `jwk` to each algorithm of `algs` it fits. An error says why a key that could
    /// have been used was not.
    fn add(&mut self, jwk: &Jwk, algs: &[&'static Algorithm]) -> Result<(), Error> {
        match jwk.key {
            KeyParams::Ec { crv, .. } if crv.ring().is_none() => {
                return Err(Unsupported::Curve(crv.name()).into());
            }
            KeyParams::Okp { crv, .. } if crv != OkpCurve::Ed25519 => {
                return Err(Unsupported::Curve(crv.name()).into());
            }
            _ => {}
        }
        jwk.check_op(Op::Verify)?;
        if let Some(name) = jwk.alg() {
            Algorithm::from_name(name)?;
        }
        let mut first_error = None;
        let mut bound = 0usize;
        for &alg in algs {
            if jwk.check_fit(alg).is_err() {
                continue;
            }
            let key = if alg.is_symmetric() {
                jwk.bind_hmac(alg).map(Bound::Hmac)
            } else {
                jwk.bind_public(alg).map(Bound::Public)
            };
            match key {
                Ok(key) => {
                    self.push(key);
                    bound = bound.saturating_add(1);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) if bound == 0 => Err(error),
            _ => Ok(()),
        }
    }

    /// Whether the keys under `kid` mix symmetric and asymmetric keys.
    fn is_mixed(&self, indexes: &[usize]) -> bool {
        let mut kinds = indexes
            .iter()
            .filter_map(|&i| self.keys.get(i))
            .map(|key| matches!(key, Bound::Hmac(_)));
        match kinds.next() {
            Some(first) => kinds.any(|kind| kind != first),
            None => false,
        }
    }

    fn only_one<'a, I: Iterator<Item = &'a Bound>>(mut fits: I) -> Result<KeyRef<'a>, Error> {
        let key = fits.next().ok_or(NoKey::NoKeyForAlgorithm)?;
        if fits.next().is_some() {
            return Err(NoKey::Ambiguous.into());
        }
        Ok(key.key_ref())
    }
}

impl KeySource for KeyRing {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        let fits_alg = |key: &&Bound| key.algorithm().name() == alg;
        match kid {
            Some(kid) => {
                let indexes = self.by_kid.get(kid).ok_or(NoKey::UnknownKid)?;
                if self.is_mixed(indexes) {
                    return Err(NoKey::Ambiguous.into());
                }
                Self::only_one(
                    indexes
                        .iter()
                        .filter_map(|&i| self.keys.get(i))
                        .filter(fits_alg),
                )
            }
            None => Self::only_one(self.keys.iter().filter(fits_alg).filter(|key| {
                key.kid()
                    .and_then(|kid| self.by_kid.get(kid))
                    .is_none_or(|indexes| !self.is_mixed(indexes))
            })),
        }
    }
}
