//! JWK Sets (RFC 7517 §5) and the key ring that chooses a key for a token.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::Value;

use super::{Jwk, KeyParams, OkpCurve, Op};
use crate::error::{Error, JsonProblem, KeyRejected, Malformed, NoKey, Unsupported};
use crate::jwa::{Algorithm, Family};
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
    /// What the member could have verified, as far as it was read.
    shape: Shape,
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

/// The `kty`, `crv` and `alg` of a member left out, as far as they could be read: enough to
/// tell which tokens it might have been meant for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Shape {
    kty: Option<String>,
    crv: Option<String>,
    alg: Option<String>,
}

impl Shape {
    /// The shape of a member of `"keys"`, from its string members.
    fn of_member(member: &serde_json::Map<String, Value>) -> Self {
        let text = |name: &str| match member.get(name) {
            Some(Value::String(value)) => Some(value.clone()),
            _ => None,
        };
        Self {
            kty: text("kty"),
            crv: text("crv"),
            alg: text("alg"),
        }
    }

    /// The shape of a JWK that was read but could not be bound.
    fn of_jwk(jwk: &Jwk) -> Self {
        Self {
            kty: Some(String::from(jwk.kty())),
            crv: jwk.crv().map(String::from),
            alg: jwk.alg().map(String::from),
        }
    }

    /// Whether a member of this shape might have verified a token with `alg`: unless what was
    /// read of it rules that out, it might.
    fn could_verify(&self, alg: &str) -> bool {
        if let Some(own) = &self.alg {
            return own == alg;
        }
        let Ok(alg) = Algorithm::from_name(alg) else {
            return true;
        };
        let (Some(kty), crv) = (self.kty.as_deref(), self.crv.as_deref()) else {
            return true;
        };
        match alg.family {
            Family::Hmac { .. } => kty == "oct",
            Family::Rsa { .. } => kty == "RSA",
            Family::Ecdsa { curve, .. } => kty == "EC" && crv.is_none_or(|c| c == curve.name()),
            // `EdDSA` names Ed448 too (RFC 8037): any OKP key might have been meant.
            Family::Ed25519 { polymorphic } => {
                kty == "OKP" && (polymorphic || crv.is_none_or(|c| c == "Ed25519"))
            }
        }
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
                    shape: Shape::default(),
                });
                continue;
            };
            let kid = match member.get("kid") {
                Some(Value::String(kid)) if kid.len() <= MAX_KID_LEN => Some(kid.clone()),
                _ => None,
            };
            let shape = Shape::of_member(&member);
            match super::parse::from_members(member) {
                Ok(jwk) => set.keys.push(jwk),
                Err(error) => set.skipped.push(Skipped {
                    index,
                    kid,
                    error,
                    shape,
                }),
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
        crate::json::to_string(self, "jwk member")
    }

    /// Binds every usable public key once per algorithm of `algs` that it fits, for
    /// verification.
    ///
    /// A key with an `alg` member binds only to that algorithm (if `algs` allows it); without,
    /// to each algorithm of `algs` its `kty` and `crv` fit. Its `kid` goes with it. Left out,
    /// and reported by [`KeyRing::skipped`]: symmetric keys ([`KeyRejected::Symmetric`]: a
    /// ring of public keys never holds a shared secret, so a JWKS that leaks or smuggles one
    /// cannot make a verifier accept an HMAC token), keys whose `use` is not `"sig"` or whose
    /// `key_ops` lacks `"verify"`, keys of a curve `ring` lacks, keys whose `alg` is not a JWS
    /// algorithm this crate implements, and keys that fit an allowed algorithm but fail to bind
    /// (an RSA modulus under 2048 bits or with the ROCA structure, a point off the curve, an
    /// Ed25519 point of small order). Keys that simply fit none of `algs` are left out
    /// silently. A `kid` of any member left out here or by [`JwkSet::from_json`] is
    /// ambiguous: see [`KeyRing`].
    ///
    /// # Examples
    ///
    /// See [`JwkSet`].
    #[must_use]
    pub fn key_ring(&self, algs: &[&'static Algorithm]) -> KeyRing {
        self.ring(algs)
    }

    /// Binds every symmetric key (`kty: oct`) once per HMAC algorithm of `algs` that it fits,
    /// for verification: the ring of a verifier that really uses shared secrets. Public keys
    /// fit no HMAC algorithm and are left out silently; the other rules are those of
    /// [`key_ring`](Self::key_ring) (an HMAC key too short for its algorithm is skipped).
    ///
    /// ```
    /// use jose_ring::{jwa, jwk::{Jwk, JwkSet}, jws, HmacKey};
    /// let key = HmacKey::new(&jwa::HS256, &[7; 32])?.with_kid("mac-1");
    /// let token = jws::sign(b"hello", &jws::Header::new(), &key)?;
    /// let set = JwkSet::from_iter([Jwk::from_hmac_key(&key)]);
    /// let ring = set.hmac_key_ring(&[&jwa::HS256]);
    /// assert_eq!(jws::verify(&token, &ring)?.payload(), b"hello");
    /// // The same set gives a ring of public keys nothing: the secret is skipped, and why.
    /// let public = set.key_ring(&[&jwa::HS256, &jwa::ES256]);
    /// assert!(public.is_empty());
    /// assert_eq!(public.skipped()[0].error(), &jose_ring::KeyRejected::Symmetric.into());
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    #[must_use]
    pub fn hmac_key_ring(&self, algs: &[&'static Algorithm]) -> KeyRing<HmacKey> {
        self.ring(algs)
    }

    /// The ring of `K` keys for `algs`, with this set's skipped `kid`s marked ambiguous.
    fn ring<K: RingKey>(&self, algs: &[&'static Algorithm]) -> KeyRing<K> {
        let mut ring = KeyRing::default();
        for skipped in &self.skipped {
            ring.mark_unusable(skipped);
        }
        for (index, jwk) in self.keys.iter().enumerate() {
            if let Err(error) = ring.add(jwk, algs) {
                let skipped = Skipped {
                    index,
                    kid: jwk.kid.clone(),
                    error,
                    shape: Shape::of_jwk(jwk),
                };
                ring.mark_unusable(&skipped);
                ring.skipped.push(skipped);
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

/// Verification keys of one kind, each bound to one algorithm, chosen for a token by `kid`
/// and `alg`.
///
/// A ring holds either public keys (`KeyRing`, the default: `KeyRing<VerifyingKey>`) or HMAC
/// keys (`KeyRing<HmacKey>`), never both: the type says which, so a shared secret can never
/// stand in for a public key, whatever a JWK Set holds. Built from a [`JwkSet`] with
/// [`JwkSet::key_ring`] or [`JwkSet::hmac_key_ring`], or from bound keys with
/// [`with_verifying_key`](KeyRing::with_verifying_key) and
/// [`with_hmac_key`](KeyRing::with_hmac_key). It is a [`KeySource`], so
/// [`jws::verify`](crate::jws::verify) takes it as it takes a single key.
///
/// Selection rules, for a token's `alg` and `kid`:
///
/// - With a `kid`: if a member of the JWK Set with that `kid` was left out (it could not be
///   read or bound: see [`skipped`](KeyRing::skipped) and [`JwkSet::skipped`]) and might have
///   verified the token's `alg` (as far as its `kty`, `crv` and `alg` were read: an RSA key
///   left out does not block an ES256 token), no key is ever chosen ([`NoKey::Ambiguous`]):
///   the token may have been meant for the key left out, and its twin is not verified in its
///   place. Otherwise only keys with exactly that `kid`
///   are candidates (none: [`NoKey::UnknownKid`]), and of those the one bound to `alg` is
///   chosen (none: [`NoKey::Algorithm`]; more than one: [`NoKey::Ambiguous`]). A
///   `kid` shared by keys of different algorithms works.
/// - Without a `kid`: the key bound to `alg` is chosen only if it is the only one
///   ([`NoKey::Algorithm`], [`NoKey::Ambiguous`]).
///
/// ```compile_fail
/// use jose_ring::{jwa, jwk::KeyRing, HmacKey, SigningKey};
/// let public = SigningKey::generate(&jwa::ES256)?.verifying_key();
/// let secret = HmacKey::generate(&jwa::HS256)?;
/// // A ring of public keys has no room for a shared secret: this does not compile.
/// let ring = KeyRing::new().with_verifying_key(public).with_hmac_key(secret);
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
pub struct KeyRing<K: RingKey = VerifyingKey> {
    keys: Vec<K>,
    /// Indexes into `keys` by `kid`.
    by_kid: KidMap<Vec<usize>>,
    /// The members left out, by `kid`: a token naming one of them is never verified with
    /// an algorithm the member might have served.
    unusable: KidMap<Vec<Shape>>,
    skipped: Vec<Skipped>,
}

impl<K: RingKey> Default for KeyRing<K> {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            by_kid: KidMap::default(),
            unusable: KidMap::default(),
            skipped: Vec::new(),
        }
    }
}

/// A kind of key a [`KeyRing`] holds: [`VerifyingKey`] or [`HmacKey`]. Sealed.
pub trait RingKey: private::Bind + fmt::Debug {}

impl RingKey for VerifyingKey {}
impl RingKey for HmacKey {}

mod private {
    use super::{Error, HmacKey, Jwk, KeyParams, KeyRef, VerifyingKey};
    use crate::error::KeyRejected;
    use crate::jwa::Algorithm;

    /// What a [`KeyRing`](super::KeyRing) needs of its keys.
    pub trait Bind: Sized {
        /// Whether the kind binds to HMAC algorithms (and only to them).
        const SYMMETRIC: bool;
        /// Binds `jwk` to `alg`; the fit and usage are checked by the caller.
        fn bind(jwk: &Jwk, alg: &'static Algorithm) -> Result<Self, Error>;
        /// Whether `jwk` is of this kind: `Ok(false)` to leave it out silently, an error to
        /// leave it out and say why.
        fn admits(jwk: &Jwk) -> Result<bool, Error>;
        /// The key as verification sees it.
        fn key_ref(&self) -> KeyRef<'_>;
        /// The same algorithm, `kid` and key material.
        fn same(&self, other: &Self) -> bool;
    }

    impl Bind for VerifyingKey {
        const SYMMETRIC: bool = false;

        fn bind(jwk: &Jwk, alg: &'static Algorithm) -> Result<Self, Error> {
            jwk.bind_public(alg)
        }

        fn admits(jwk: &Jwk) -> Result<bool, Error> {
            match jwk.key {
                KeyParams::Oct { .. } => Err(KeyRejected::Symmetric.into()),
                _ => Ok(true),
            }
        }

        fn key_ref(&self) -> KeyRef<'_> {
            self.into()
        }

        fn same(&self, other: &Self) -> bool {
            self.algorithm() == other.algorithm()
                && self.kid() == other.kid()
                && self.info() == other.info()
        }
    }

    impl Bind for HmacKey {
        const SYMMETRIC: bool = true;

        fn bind(jwk: &Jwk, alg: &'static Algorithm) -> Result<Self, Error> {
            jwk.bind_hmac(alg)
        }

        fn admits(jwk: &Jwk) -> Result<bool, Error> {
            Ok(matches!(jwk.key, KeyParams::Oct { .. }))
        }

        fn key_ref(&self) -> KeyRef<'_> {
            self.into()
        }

        fn same(&self, other: &Self) -> bool {
            self.algorithm() == other.algorithm()
                && self.kid() == other.kid()
                && self.secret() == other.secret()
        }
    }
}

use private::Bind;

impl KeyRing {
    /// An empty ring of public keys. For HMAC keys: [`KeyRing::new_hmac`] or
    /// [`JwkSet::hmac_key_ring`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a public key (with its `kid`, if it has one).
    #[must_use]
    pub fn with_verifying_key(mut self, key: VerifyingKey) -> Self {
        self.push(key);
        self
    }
}

impl KeyRing<HmacKey> {
    /// An empty ring of HMAC keys.
    #[must_use]
    pub fn new_hmac() -> Self {
        Self::default()
    }

    /// Adds an HMAC key (with its `kid`, if it has one).
    ///
    /// ```
    /// use jose_ring::{jwa, jwk::KeyRing, jws, HmacKey};
    /// let a = HmacKey::new(&jwa::HS256, &[1; 32])?.with_kid("a");
    /// let b = HmacKey::new(&jwa::HS256, &[2; 32])?.with_kid("b");
    /// let token = jws::sign(b"hi", &jws::Header::new(), &b)?;
    /// let ring = KeyRing::new_hmac().with_hmac_key(a).with_hmac_key(b);
    /// assert_eq!(jws::verify(&token, &ring)?.payload(), b"hi");
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    #[must_use]
    pub fn with_hmac_key(mut self, key: HmacKey) -> Self {
        self.push(key);
        self
    }
}

impl<K: RingKey> KeyRing<K> {
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
        self.keys.iter().map(Bind::key_ref)
    }

    /// The keys of the set that were left out, and why.
    #[must_use]
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Adds a key, unless the ring already holds the same key material bound to the same
    /// algorithm under the same `kid` (a JWK Set that lists a key twice, once public and once
    /// private, is not ambiguous).
    fn push(&mut self, key: K) {
        let index = self.keys.len();
        let this = key.key_ref();
        let kid = this.kid();
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
            if let Some(indexes) = self.by_kid.entry(kid) {
                indexes.push(index);
            }
        }
        self.keys.push(key);
    }

    /// Records that a member with this `kid` and shape was left out.
    fn mark_unusable(&mut self, skipped: &Skipped) {
        if let Some(kid) = skipped.kid() {
            if let Some(shapes) = self.unusable.entry(kid) {
                shapes.push(skipped.shape.clone());
            }
        }
    }

    /// Binds `jwk` to each algorithm of `algs` it fits. An error says why a key that could
    /// have been used was not.
    fn add(&mut self, jwk: &Jwk, algs: &[&'static Algorithm]) -> Result<(), Error> {
        if !K::admits(jwk)? {
            return Ok(());
        }
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
            if alg.is_symmetric() != K::SYMMETRIC || jwk.check_fit(alg).is_err() {
                continue;
            }
            match K::bind(jwk, alg) {
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

    fn only_one<'a, I: Iterator<Item = &'a K>>(mut fits: I) -> Result<KeyRef<'a>, Error>
    where
        K: 'a,
    {
        let key = fits.next().ok_or(NoKey::Algorithm)?;
        if fits.next().is_some() {
            return Err(NoKey::Ambiguous.into());
        }
        Ok(key.key_ref())
    }
}

impl<K: RingKey> KeySource for KeyRing<K> {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        let fits_alg = |key: &&K| key.key_ref().algorithm().name() == alg;
        match kid {
            Some(kid) => {
                let left_out = self.unusable.get(kid);
                if left_out.is_some_and(|shapes| shapes.iter().any(|s| s.could_verify(alg))) {
                    return Err(NoKey::Ambiguous.into());
                }
                let indexes = self.by_kid.get(kid).ok_or(NoKey::UnknownKid)?;
                Self::only_one(
                    indexes
                        .iter()
                        .filter_map(|&i| self.keys.get(i))
                        .filter(fits_alg),
                )
            }
            None => Self::only_one(self.keys.iter().filter(fits_alg)),
        }
    }
}

use index::KidMap;

/// The `kid` index of a [`KeyRing`]: a hash table, so that choosing a key costs the same in a
/// ring of 1,000 keys as in a ring of one (a `BTreeMap` costs about ten string comparisons
/// at 1,000).
///
/// Open addressing with linear probing, at most half full; FNV-1a, unkeyed: the table holds
/// only the `kid`s of the key set (at most [`Limits::jwks_keys`]), never a token's, so a
/// token's `kid` can make a lookup no longer than the longest probe sequence the set itself
/// built.
mod index {
    use alloc::string::String;
    use alloc::vec::Vec;

    /// A map from `kid` to `V`.
    #[derive(Debug)]
    pub(super) struct KidMap<V> {
        entries: Vec<(String, V)>,
        /// The hash of the entry's `kid` and the entry index + 1 (0 for an empty slot), so
        /// that a probe compares strings only on a full hash match; the length is 0 or a
        /// power of two.
        slots: Vec<(usize, usize)>,
    }

    impl<V> Default for KidMap<V> {
        fn default() -> Self {
            Self {
                entries: Vec::new(),
                slots: Vec::new(),
            }
        }
    }

    /// FNV-1a, 64 bits.
    fn hash(kid: &str) -> usize {
        let h = kid.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        // Fold the high bits in: the mask keeps only the low ones.
        #[allow(
            clippy::cast_possible_truncation,
            reason = "a hash: truncating to the pointer width is intended"
        )]
        let folded = (h ^ (h >> 32)) as usize;
        folded
    }

    impl<V: Default> KidMap<V> {
        /// The index in `entries` of `kid`.
        fn find(&self, kid: &str) -> Option<usize> {
            let mask = self.slots.len().checked_sub(1)?;
            let hash = hash(kid);
            let mut at = hash & mask;
            for _ in 0..self.slots.len() {
                let &(tag, entry) = self.slots.get(at)?;
                let entry = entry.checked_sub(1)?;
                if tag == hash && self.entries.get(entry).is_some_and(|(k, _)| k == kid) {
                    return Some(entry);
                }
                at = at.wrapping_add(1) & mask;
            }
            None
        }

        /// The value for `kid`.
        pub(super) fn get(&self, kid: &str) -> Option<&V> {
            self.entries.get(self.find(kid)?).map(|(_, v)| v)
        }

        /// The value for `kid`, inserted as `V::default()` if absent (`None` only if the
        /// table could not grow, which a ring of at most [`usize::MAX`] / 4 keys never hits).
        pub(super) fn entry(&mut self, kid: &str) -> Option<&mut V> {
            let index = match self.find(kid) {
                Some(index) => index,
                None => self.insert(String::from(kid)),
            };
            self.entries.get_mut(index).map(|(_, v)| v)
        }

        /// Adds `kid` (absent), growing the table to stay at most half full; its index.
        fn insert(&mut self, kid: String) -> usize {
            let needed = self.entries.len().saturating_add(1).saturating_mul(2);
            if needed > self.slots.len() {
                let size = needed.checked_next_power_of_two().unwrap_or(needed).max(8);
                self.slots = alloc::vec![(0, 0); size];
                for (index, (k, _)) in self.entries.iter().enumerate() {
                    place(&mut self.slots, k, index);
                }
            }
            let index = self.entries.len();
            place(&mut self.slots, &kid, index);
            self.entries.push((kid, V::default()));
            index
        }
    }

    /// Puts entry `index` for `kid` in the first empty slot from its hash.
    fn place(slots: &mut [(usize, usize)], kid: &str, index: usize) {
        let Some(mask) = slots.len().checked_sub(1) else {
            return;
        };
        let hash = hash(kid);
        let mut at = hash & mask;
        for _ in 0..slots.len() {
            if let Some(slot) = slots.get_mut(at) {
                if slot.1 == 0 {
                    *slot = (hash, index.saturating_add(1));
                    return;
                }
            }
            at = at.wrapping_add(1) & mask;
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn finds_every_kid_and_only_those() {
            let mut map: KidMap<Vec<usize>> = KidMap::default();
            assert_eq!(map.get("a"), None);
            for i in 0..1000 {
                map.entry(&alloc::format!("kid-{i}")).unwrap().push(i);
            }
            map.entry("kid-7").unwrap().push(7_000);
            for i in 0..1000 {
                let want: &[usize] = if i == 7 { &[7, 7_000] } else { &[i] };
                assert_eq!(
                    map.get(&alloc::format!("kid-{i}")).map(Vec::as_slice),
                    Some(want)
                );
            }
            assert_eq!(map.get("kid-1000"), None);
            assert_eq!(map.get(""), None);
            assert_eq!(map.slots.len(), 2048);
            map.entry("").unwrap().push(1);
            assert_eq!(map.get("").map(Vec::len), Some(1));
        }
    }
}
