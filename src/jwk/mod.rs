//! JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037): the first-class key format of the crate.
//!
//! A [`Jwk`] is a key read from JSON with every member decoded and checked, but not yet bound
//! to an algorithm. Binding it ([`Jwk::verifying_key`], [`Jwk::signing_key`],
//! [`Jwk::hmac_key`]) checks that its `kty`, `crv`, `alg`, `use` and `key_ops` fit the algorithm
//! and, for private keys, that the private parts match the public ones (with `ring`'s checking
//! constructors). A [`JwkSet`] reads a JWK Set leniently, skipping members it cannot use, and
//! turns into a [`KeyRing`] that chooses the key for a token by `kid` and `alg`.
//!
//! ```
//! use jose_ring::{jwa, jwk::Jwk};
//! let jwk = Jwk::from_json(br#"{"kty":"OKP","crv":"Ed25519",
//!     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
//! assert_eq!(jwk.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"); // RFC 8037 A.3
//! let key = jwk.verifying_key(&jwa::Ed25519)?;
//! assert_eq!(key.algorithm(), &jwa::Ed25519);
//! // It names no `alg`, so it also binds to `EdDSA` (RFC 9864 deprecates that name) if asked.
//! assert_eq!(jwk.verifying_key(&jwa::EdDSA)?.algorithm(), &jwa::EdDSA);
//! assert!(jwk.verifying_key(&jwa::ES256).is_err());
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! # Member rules
//!
//! - Every binary member is strict base64url (unpadded, canonical); `x5c` entries are strict
//!   standard base64, as RFC 7517 §4.7 requires.
//! - Every member has its JSON type: a number where a string belongs is an error, never a
//!   skipped member.
//! - RSA `n` and `e` are minimal (RFC 7518 §2, "Base64urlUInt"): a leading zero byte is
//!   rejected, so a key has exactly one encoding and one thumbprint. The private RSA members
//!   may carry leading zeros (some encoders pad them to a fixed width); `ring` checks them.
//! - RSA CRT parameters (`p`, `q`, `dp`, `dq`, `qi`) are all present or all absent, and need
//!   `d`; `oth` (more than two primes) is [`Unsupported::RsaKeyShape`]. A private key with `d`
//!   alone parses, and reports [`Unsupported::RsaKeyShape`] when used to sign.
//! - EC coordinates and `d` are exactly the curve's length; OKP `x` and `d` exactly the key
//!   length of the curve.
//! - Members of another key type (an `n` in an EC key, a `k` in an RSA key) are rejected.
//! - `key_ops` is an array of unique strings; with `use`, it must agree (`sig`: only `sign` and
//!   `verify`; `enc`: only the encryption operations).
//! - `kid` is at most 256 bytes.
//! - `P-521`, `secp256k1`, `X25519`, `Ed448` and `X448` keys parse (and have thumbprints), and
//!   report [`Unsupported::Curve`] when bound.
//!
//! Private members are decoded straight into [`Secret`] memory, never shown by `Debug` and
//! only written by [`Jwk::to_private_json`].

mod parse;
mod set;
mod thumbprint;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::b64;
use crate::error::{Error, KeyRejected, Malformed, Unsupported};
use crate::json;
use crate::jwa::{self, Algorithm, Curve, Family};
use crate::key::der::{self, PrivateKeyKind, PublicKeyInfo, RsaPrivateComponents};
use crate::key::pem::{self, Label};
use crate::key::{HmacKey, SigningKey, VerifyingKey, strip_zeros, wrong_algorithm};
use crate::limits::{Limits, MAX_KID_LEN};
use crate::secret::Secret;

pub use set::{JwkSet, KeyRing, RingKey, Skipped};
pub use thumbprint::ThumbprintHash;

/// A JSON Web Key: members decoded and checked, not yet bound to an algorithm.
///
/// Read one with [`Jwk::from_json`] (or through `serde`), build one from a key of this crate
/// ([`Jwk::from_verifying_key`], [`Jwk::from_signing_key`], [`Jwk::from_hmac_key`]), bind it
/// with [`verifying_key`](Self::verifying_key), [`signing_key`](Self::signing_key) or
/// [`hmac_key`](Self::hmac_key), and write it back with [`to_json`](Self::to_json) (public
/// members only) or [`to_private_json`](Self::to_private_json).
///
/// A JWK with an `alg` member binds only to that algorithm; without one, to every algorithm
/// its `kty` and `crv` fit (an RSA key fits `RS*` and `PS*`). Members this crate does not know
/// are kept and written back.
///
/// `Debug` shows the key type, curve, `kid`, `alg`, `use`, `key_ops` and whether private
/// members are present, never key material.
#[derive(PartialEq)]
pub struct Jwk {
    key: KeyParams,
    kid: Option<String>,
    alg: Option<String>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    x5u: Option<String>,
    x5c: Option<Vec<Vec<u8>>>,
    x5t: Option<Vec<u8>>,
    x5t_s256: Option<Vec<u8>>,
    other: BTreeMap<String, Value>,
}

/// The key-type-specific members, decoded.
#[derive(PartialEq)]
enum KeyParams {
    Oct {
        k: Secret,
    },
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        private: Option<RsaPrivate>,
    },
    Ec {
        crv: EcCurve,
        x: Vec<u8>,
        y: Vec<u8>,
        d: Option<Secret>,
    },
    Okp {
        crv: OkpCurve,
        x: Vec<u8>,
        d: Option<Secret>,
    },
}

#[derive(PartialEq)]
struct RsaPrivate {
    d: Secret,
    /// `p`, `q`, `dp`, `dq`, `qi`, in that order, or `None` for a key with `d` alone.
    crt: Option<[Secret; 5]>,
}

/// The names of the CRT members, in the order of [`RsaPrivate::crt`].
const CRT_NAMES: [&str; 5] = ["p", "q", "dp", "dq", "qi"];

/// The `crv` values of `kty: EC` (RFC 7518 §6.2.1.1, RFC 8812 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EcCurve {
    P256,
    P384,
    P521,
    Secp256k1,
}

impl EcCurve {
    const ALL: [Self; 4] = [Self::P256, Self::P384, Self::P521, Self::Secp256k1];

    const fn name(self) -> &'static str {
        match self {
            Self::P256 => Curve::P256.name(),
            Self::P384 => Curve::P384.name(),
            Self::P521 => "P-521",
            Self::Secp256k1 => "secp256k1",
        }
    }

    const fn coordinate_len(self) -> usize {
        match self {
            Self::P256 | Self::Secp256k1 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// The curve as `ring` knows it, if it does.
    const fn ring(self) -> Option<Curve> {
        match self {
            Self::P256 => Some(Curve::P256),
            Self::P384 => Some(Curve::P384),
            Self::P521 | Self::Secp256k1 => None,
        }
    }

    const fn from_ring(curve: Curve) -> Self {
        match curve {
            Curve::P256 => Self::P256,
            Curve::P384 => Self::P384,
        }
    }
}

/// The `crv` values of `kty: OKP` (RFC 8037 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OkpCurve {
    Ed25519,
    X25519,
    Ed448,
    X448,
}

impl OkpCurve {
    const ALL: [Self; 4] = [Self::Ed25519, Self::X25519, Self::Ed448, Self::X448];

    const fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "Ed25519",
            Self::X25519 => "X25519",
            Self::Ed448 => "Ed448",
            Self::X448 => "X448",
        }
    }

    /// The length of `x` and of `d` (RFC 8032 §5.1.5, §5.2.5; RFC 7748 §5).
    const fn key_len(self) -> usize {
        match self {
            Self::Ed25519 | Self::X25519 => 32,
            Self::Ed448 => 57,
            Self::X448 => 56,
        }
    }
}

/// What a bound key will be used for, checked against `use` and `key_ops`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Sign,
    Verify,
    /// An [`HmacKey`] signs and verifies: `key_ops`, if present, must allow both.
    SignAndVerify,
}

impl Jwk {
    /// Reads one JWK from JSON (RFC 7517 §4), with the member rules of the
    /// [module documentation](self).
    ///
    /// ```
    /// use jose_ring::{jwk::Jwk, Error, Malformed};
    /// let jwk = Jwk::from_json(br#"{"kty":"oct","k":"c2VjcmV0","kid":"k1"}"#)?;
    /// assert_eq!((jwk.kty(), jwk.kid(), jwk.is_private()), ("oct", Some("k1"), true));
    /// assert_eq!(
    ///     Jwk::from_json(br#"{"kty":"oct","k":"c2VjcmV0","kid":7}"#),
    ///     Err(Error::Malformed(Malformed::InvalidMember("kid")))
    /// );
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_json_with_limits`](Self::from_json_with_limits) with the default [`Limits`]
    /// (1 MiB).
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        Self::from_json_with_limits(json, &Limits::DEFAULT)
    }

    /// Reads one JWK from JSON as [`from_json`](Self::from_json) does, under `limits`: the
    /// input may be at most [`Limits::jwks_len`] bytes, as a JWK Set may.
    ///
    /// ```
    /// use jose_ring::{jwk::Jwk, Error, Limits};
    /// let json = br#"{"kty":"oct","k":"c2VjcmV0"}"#;
    /// let small = Limits::default().with_jwks_len(16);
    /// assert_eq!(
    ///     Jwk::from_json_with_limits(json, &small),
    ///     Err(Error::TooLarge { what: "JWK", limit: 16 })
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] for input over [`Limits::jwks_len`] (before any parsing) or a `kid`
    /// over 256 bytes; [`Malformed::Json`] for JSON that is not a strict object;
    /// [`Malformed::MissingMember`], [`Malformed::InvalidMember`] and [`Malformed::Base64`] for
    /// members that break the rules; [`Unsupported::KeyType`] for an unknown `kty`,
    /// [`Unsupported::UnknownCurve`] for an unknown `crv`, [`Unsupported::RsaKeyShape`] for
    /// `oth`.
    pub fn from_json_with_limits(json: &[u8], limits: &Limits) -> Result<Self, Error> {
        let limit = limits.jwks_len();
        if json.len() > limit {
            return Err(Error::TooLarge { what: "JWK", limit });
        }
        let members: serde_json::Map<String, Value> = json::from_slice_in(json, "jwk")?;
        parse::from_members(members)
    }

    /// Reads one JWK from the members of a JSON object already read strictly (a header's
    /// `jwk`, for DPoP), with the member rules of [`from_json`](Self::from_json).
    pub(crate) fn from_members(members: serde_json::Map<String, Value>) -> Result<Self, Error> {
        parse::from_members(members)
    }

    /// The key type: `"oct"`, `"RSA"`, `"EC"` or `"OKP"`.
    #[must_use]
    pub fn kty(&self) -> &'static str {
        match self.key {
            KeyParams::Oct { .. } => "oct",
            KeyParams::Rsa { .. } => "RSA",
            KeyParams::Ec { .. } => "EC",
            KeyParams::Okp { .. } => "OKP",
        }
    }

    /// The curve (`crv`) of an EC or OKP key.
    #[must_use]
    pub fn crv(&self) -> Option<&'static str> {
        match self.key {
            KeyParams::Ec { crv, .. } => Some(crv.name()),
            KeyParams::Okp { crv, .. } => Some(crv.name()),
            KeyParams::Oct { .. } | KeyParams::Rsa { .. } => None,
        }
    }

    /// The key ID (`kid`).
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithm (`alg`) the key is meant for, as written; binding compares it with the
    /// algorithm asked for.
    #[must_use]
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The public key use (`use`): `"sig"`, `"enc"` or another value.
    #[must_use]
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The key operations (`key_ops`).
    #[must_use]
    pub fn key_ops(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }

    /// The X.509 URL (`x5u`). This crate never fetches it.
    #[must_use]
    pub fn x5u(&self) -> Option<&str> {
        self.x5u.as_deref()
    }

    /// The X.509 certificate chain (`x5c`), each certificate as DER. This crate does not check
    /// certificates against the key.
    #[must_use]
    pub fn x5c(&self) -> Option<&[Vec<u8>]> {
        self.x5c.as_deref()
    }

    /// The SHA-1 certificate thumbprint (`x5t`), 20 bytes.
    #[must_use]
    pub fn x5t(&self) -> Option<&[u8]> {
        self.x5t.as_deref()
    }

    /// The SHA-256 certificate thumbprint (`x5t#S256`), 32 bytes.
    #[must_use]
    pub fn x5t_s256(&self) -> Option<&[u8]> {
        self.x5t_s256.as_deref()
    }

    /// Whether the JWK holds private members (`d`, or `k` for a symmetric key).
    #[must_use]
    pub fn is_private(&self) -> bool {
        match &self.key {
            KeyParams::Oct { .. } => true,
            KeyParams::Rsa { private, .. } => private.is_some(),
            KeyParams::Ec { d, .. } | KeyParams::Okp { d, .. } => d.is_some(),
        }
    }

    /// Reads a member this crate does not interpret, as `T`.
    ///
    /// # Errors
    ///
    /// `Some(Err(`[`Malformed::InvalidMember`]`))` if the member is not a `T`.
    #[must_use]
    pub fn member<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<Result<T, Error>> {
        self.other.get(name).map(|value| {
            T::deserialize(value).map_err(|_| Malformed::InvalidMember("jwk member").into())
        })
    }

    /// The names of the members this crate does not interpret.
    pub fn member_names(&self) -> impl Iterator<Item = &str> {
        self.other.keys().map(String::as_str)
    }

    /// Sets the key ID.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] for a `kid` over 256 bytes.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Result<Self, Error> {
        let kid = kid.into();
        if kid.len() > MAX_KID_LEN {
            return Err(Error::TooLarge {
                what: "kid",
                limit: MAX_KID_LEN,
            });
        }
        self.kid = Some(kid);
        Ok(self)
    }

    /// Sets `alg`, so that the key binds to `alg` only.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::WrongAlgorithm`] if the key's type or curve does not fit `alg`,
    /// [`Unsupported::Curve`] for a curve `ring` lacks.
    pub fn with_alg(mut self, alg: &'static Algorithm) -> Result<Self, Error> {
        self.alg = None;
        self.check_fit(alg)?;
        self.alg = Some(alg.name().into());
        Ok(self)
    }

    /// Whether the key's type and curve fit `alg` and its `alg` member, if any, names `alg`.
    #[must_use]
    pub fn fits(&self, alg: &'static Algorithm) -> bool {
        self.check_fit(alg).is_ok()
    }

    /// Binds the public members to `alg`, for verification.
    ///
    /// A private JWK binds too; only its public members are used.
    ///
    /// ```
    /// use jose_ring::{jwa, jwk::Jwk, Error, KeyRejected};
    /// let jwk = Jwk::from_json(br#"{"kty":"OKP","crv":"Ed25519","use":"enc",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.verifying_key(&jwa::EdDSA).map(|_| ()), Err(Error::KeyRejected(KeyRejected::Usage)));
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Unsupported::Curve`] for a curve `ring` lacks; [`KeyRejected::WrongAlgorithm`] if the
    /// key type, curve or `alg` member does not fit `alg`; [`KeyRejected::Usage`] unless `use`
    /// is absent or `"sig"` and `key_ops` is absent or has `"verify"`; and the checks of the
    /// [`VerifyingKey`] constructors (RSA size, exponent and ROCA structure, EC point on the
    /// curve, Ed25519 point canonical and not of small order).
    pub fn verifying_key(&self, alg: &'static Algorithm) -> Result<VerifyingKey, Error> {
        self.check_fit(alg)?;
        self.check_op(Op::Verify)?;
        self.bind_public(alg)
    }

    /// Binds the private members to `alg`, for signing. `ring` checks that the private and
    /// public members belong together; for RSA, where `ring` checks the CRT exponents `dp` and
    /// `dq` only when signing, one test signature is made and verified here. (`d` itself is
    /// never used by `ring`, which signs with the CRT parameters, and is not checked.)
    ///
    /// # Errors
    ///
    /// As [`verifying_key`](Self::verifying_key), with `key_ops` needing `"sign"`;
    /// [`Malformed::MissingMember`]`("d")` for a public key; [`Unsupported::RsaKeyShape`] for
    /// an RSA key without CRT parameters; [`KeyRejected::Inconsistent`] when the parts do not
    /// match; [`KeyRejected::RsaModulusSize`] outside 2048..=4096 bits; the weak-key checks of
    /// the public members ([`KeyRejected::RocaModulus`], [`KeyRejected::SmallOrderPoint`],
    /// [`KeyRejected::NonCanonicalPoint`]).
    pub fn signing_key(&self, alg: &'static Algorithm) -> Result<SigningKey, Error> {
        self.check_fit(alg)?;
        self.check_op(Op::Sign)?;
        let missing_d = || Error::from(Malformed::MissingMember("d"));
        let pkcs8 = match &self.key {
            KeyParams::Rsa { n, e, private } => {
                let private = private.as_ref().ok_or_else(missing_d)?;
                let [p, q, dp, dq, qi] = private.crt.as_ref().ok_or(Unsupported::RsaKeyShape)?;
                der::pkcs8_rsa(&RsaPrivateComponents {
                    n,
                    e,
                    d: private.d.expose(),
                    p: p.expose(),
                    q: q.expose(),
                    dp: dp.expose(),
                    dq: dq.expose(),
                    qi: qi.expose(),
                })
            }
            KeyParams::Ec { crv, x, y, d } => {
                let d = d.as_ref().ok_or_else(missing_d)?;
                let curve = crv.ring().ok_or(Unsupported::Curve(crv.name()))?;
                der::pkcs8_ec(curve, d.expose(), &ec_point(x, y))
            }
            KeyParams::Okp { x, d, .. } => {
                let d = d.as_ref().ok_or_else(missing_d)?;
                let seed = <&[u8; 32]>::try_from(d.expose())
                    .map_err(|_| KeyRejected::InvalidComponent("d"))?;
                let public = <&[u8; 32]>::try_from(x.as_slice())
                    .map_err(|_| KeyRejected::InvalidComponent("x"))?;
                // The public member passes the weak-key checks itself, so that a small-order
                // `x` is refused as such rather than as a mismatch with `d`.
                VerifyingKey::from_ed25519_bytes(alg, public)?;
                der::pkcs8_ed25519(seed, public)
            }
            KeyParams::Oct { .. } => return Err(wrong_algorithm(alg)),
        };
        let key = SigningKey::from_pkcs8(alg, pkcs8)?;
        Ok(match &self.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    /// Binds a symmetric key (`kty: oct`) to an HMAC algorithm.
    ///
    /// An [`HmacKey`] both signs and verifies, so `key_ops`, if present, must list both
    /// `"sign"` and `"verify"`. (A [`KeyRing`] binds verify-only keys.)
    ///
    /// # Errors
    ///
    /// [`KeyRejected::WrongAlgorithm`] unless the key is `oct`, `alg` is an HMAC algorithm and
    /// the `alg` member, if any, names it; [`KeyRejected::Usage`] for `use` other than `"sig"`
    /// or `key_ops` without both operations; [`KeyRejected::HmacTooShort`].
    pub fn hmac_key(&self, alg: &'static Algorithm) -> Result<HmacKey, Error> {
        self.check_fit(alg)?;
        self.check_op(Op::SignAndVerify)?;
        self.bind_hmac(alg)
    }

    /// Builds the public JWK of a verifying key, with its `alg` and `kid`.
    #[must_use]
    pub fn from_verifying_key(key: &VerifyingKey) -> Self {
        let params = match key.info() {
            PublicKeyInfo::Rsa { n, e } => KeyParams::Rsa {
                n: strip_zeros(n).to_vec(),
                e: strip_zeros(e).to_vec(),
                private: None,
            },
            PublicKeyInfo::Ec { curve, point } => {
                let coordinates = point.get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                KeyParams::Ec {
                    crv: EcCurve::from_ring(curve),
                    x: x.to_vec(),
                    y: y.to_vec(),
                    d: None,
                }
            }
            PublicKeyInfo::Ed25519(x) => KeyParams::Okp {
                crv: OkpCurve::Ed25519,
                x: x.to_vec(),
                d: None,
            },
        };
        Self::bare(params, key.algorithm(), key.kid())
    }

    /// Builds the private JWK of a signing key, with its `alg` and `kid`. Handle the result as
    /// the secret it is.
    ///
    /// ```
    /// use jose_ring::{jwa, jwk::Jwk, SigningKey};
    /// let key = SigningKey::generate(&jwa::ES256)?.with_kid("k1");
    /// let jwk = Jwk::from_signing_key(&key)?;
    /// assert!(jwk.is_private());
    /// let again = Jwk::from_json(jwk.to_private_json().expose())?;
    /// assert_eq!(again, jwk);
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Der`] if the key's PKCS#8 document cannot be read back (not expected
    /// for a key this crate built).
    pub fn from_signing_key(key: &SigningKey) -> Result<Self, Error> {
        let mut jwk = Self::from_verifying_key(&key.verifying_key());
        let pkcs8 = key.to_pkcs8_der();
        let pkcs8 = pkcs8.expose();
        match &mut jwk.key {
            KeyParams::Rsa { private, .. } => {
                let c = der::rsa_private_components(pkcs8)?;
                *private = Some(RsaPrivate {
                    d: Secret::copy_from(c.d),
                    crt: Some([c.p, c.q, c.dp, c.dq, c.qi].map(Secret::copy_from)),
                });
            }
            KeyParams::Ec { d, .. } => {
                *d = Some(Secret::copy_from(der::ec_private_scalar(pkcs8)?));
            }
            KeyParams::Okp { d, .. } => {
                *d = Some(Secret::copy_from(der::ed25519_private_seed(pkcs8)?));
            }
            KeyParams::Oct { .. } => return Err(KeyRejected::Der.into()),
        }
        Ok(jwk)
    }

    /// Builds the JWK (`kty: oct`) of an HMAC key, with its `alg` and `kid`. Handle the result
    /// as the secret it is.
    #[must_use]
    pub fn from_hmac_key(key: &HmacKey) -> Self {
        let k = Secret::copy_from(key.secret().expose());
        Self::bare(KeyParams::Oct { k }, key.algorithm(), key.kid())
    }

    /// Reads a PEM key into a JWK, finding its type and curve in the document itself:
    /// `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1),
    /// `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1).
    ///
    /// A PEM key names no algorithm, so the JWK has no `alg` (set one with
    /// [`with_alg`](Self::with_alg), or name it when binding) and no `kid`. The key passes the
    /// checks of [`SigningKey::from_pem`] or [`VerifyingKey::from_pem`] (`ring` checks that a
    /// private key's parts agree). Handle a private result as the secret it is.
    ///
    /// ```
    /// use jose_ring::{jwa, jwk::Jwk, SigningKey};
    /// let pem = SigningKey::generate(&jwa::ES384)?.to_pkcs8_pem();
    /// let jwk = Jwk::from_pem(pem.expose())?;
    /// assert_eq!((jwk.kty(), jwk.crv(), jwk.alg(), jwk.is_private()), ("EC", Some("P-384"), None, true));
    /// assert!(jwk.fits(&jwa::ES384));
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`SigningKey::from_pem`] and [`VerifyingKey::from_pem`] (an encrypted key, a
    /// broken document or another label, a key type or curve `ring` lacks, an RSA modulus out
    /// of range: 2048..=4096 bits for a private key, 2048..=8192 for a public one).
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        let doc = pem::parse(pem)?;
        let der = doc.der.expose();
        let mut jwk = match doc.label {
            Label::PrivateKey => {
                let alg = match der::pkcs8_kind(der)? {
                    PrivateKeyKind::Rsa => &jwa::RS256,
                    PrivateKeyKind::Ec(curve) => ecdsa_algorithm(curve),
                    PrivateKeyKind::Ed25519 => &jwa::EdDSA,
                };
                Self::from_signing_key(&SigningKey::from_pkcs8_der(alg, der)?)?
            }
            Label::RsaPrivateKey => {
                Self::from_signing_key(&SigningKey::from_pkcs1_der(&jwa::RS256, der)?)?
            }
            Label::EcPrivateKey => {
                let (curve, pkcs8) = der::sec1_to_pkcs8(der)?;
                Self::from_signing_key(&SigningKey::from_pkcs8(ecdsa_algorithm(curve), pkcs8)?)?
            }
            Label::PublicKey => {
                let alg = match der::parse_spki(der)? {
                    PublicKeyInfo::Rsa { .. } => &jwa::RS256,
                    PublicKeyInfo::Ec { curve, .. } => ecdsa_algorithm(curve),
                    PublicKeyInfo::Ed25519(_) => &jwa::EdDSA,
                };
                Self::from_verifying_key(&VerifyingKey::from_spki_der(alg, der)?)
            }
            Label::RsaPublicKey => {
                Self::from_verifying_key(&VerifyingKey::from_pkcs1_der(&jwa::RS256, der)?)
            }
        };
        jwk.alg = None;
        Ok(jwk)
    }

    fn bare(key: KeyParams, alg: &'static Algorithm, kid: Option<&str>) -> Self {
        Self {
            key,
            kid: kid.map(Into::into),
            alg: Some(alg.name().into()),
            key_use: None,
            key_ops: None,
            x5u: None,
            x5c: None,
            x5t: None,
            x5t_s256: None,
            other: BTreeMap::new(),
        }
    }

    /// The same JWK without its private members.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Symmetric`] for a symmetric key, which has no public form.
    pub fn to_public(&self) -> Result<Self, Error> {
        let key = match &self.key {
            KeyParams::Oct { .. } => return Err(KeyRejected::Symmetric.into()),
            KeyParams::Rsa { n, e, .. } => KeyParams::Rsa {
                n: n.clone(),
                e: e.clone(),
                private: None,
            },
            KeyParams::Ec { crv, x, y, .. } => KeyParams::Ec {
                crv: *crv,
                x: x.clone(),
                y: y.clone(),
                d: None,
            },
            KeyParams::Okp { crv, x, .. } => KeyParams::Okp {
                crv: *crv,
                x: x.clone(),
                d: None,
            },
        };
        Ok(Self {
            key,
            kid: self.kid.clone(),
            alg: self.alg.clone(),
            key_use: self.key_use.clone(),
            key_ops: self.key_ops.clone(),
            x5u: self.x5u.clone(),
            x5c: self.x5c.clone(),
            x5t: self.x5t.clone(),
            x5t_s256: self.x5t_s256.clone(),
            other: self.other.clone(),
        })
    }

    /// Writes the public members as JSON: private members are never written by this method
    /// (nor by `Serialize`).
    ///
    /// ```
    /// use jose_ring::{jwa, jwk::Jwk, SigningKey};
    /// let key = SigningKey::generate(&jwa::Ed25519)?.with_kid("k1");
    /// let json = Jwk::from_signing_key(&key)?.to_json()?;
    /// assert!(json.starts_with(r#"{"kty":"OKP","crv":"Ed25519","x":"#));
    /// assert!(!json.contains(r#""d""#));
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Symmetric`] for a symmetric key, which has no public form.
    pub fn to_json(&self) -> Result<String, Error> {
        if matches!(self.key, KeyParams::Oct { .. }) {
            return Err(KeyRejected::Symmetric.into());
        }
        json::to_string(&PublicMembers(self), "jwk member")
    }

    /// Writes every member, the private ones included, as JSON. Handle the result as the
    /// secret it is: it is zeroized on drop.
    #[must_use]
    pub fn to_private_json(&self) -> Secret {
        let public = json::to_string(&PublicMembers(self), "jwk member").unwrap_or_default();
        let private = self.private_members();
        let extra = private.iter().fold(0usize, |sum, (name, value)| {
            sum.saturating_add(name.len())
                .saturating_add(value.len())
                .saturating_add(6)
        });
        let mut out = Zeroizing::new(Vec::with_capacity(public.len().saturating_add(extra)));
        // `public` is a JSON object with at least `kty`: drop its `}` and append.
        out.extend_from_slice(public.strip_suffix('}').unwrap_or_default().as_bytes());
        for (name, value) in &private {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":\"");
            out.extend_from_slice(value.as_bytes());
            out.push(b'"');
        }
        out.push(b'}');
        Secret::new(core::mem::take(&mut *out))
    }

    /// The private members, base64url-encoded, in their RFC order.
    fn private_members(&self) -> Vec<(&'static str, Zeroizing<String>)> {
        let mut out = Vec::new();
        match &self.key {
            KeyParams::Oct { k } => out.push(("k", b64::encode_secret(k.expose()))),
            KeyParams::Rsa {
                private: Some(private),
                ..
            } => {
                out.push(("d", b64::encode_secret(private.d.expose())));
                if let Some(crt) = &private.crt {
                    for (name, value) in CRT_NAMES.iter().zip(crt) {
                        out.push((name, b64::encode_secret(value.expose())));
                    }
                }
            }
            KeyParams::Ec { d: Some(d), .. } | KeyParams::Okp { d: Some(d), .. } => {
                out.push(("d", b64::encode_secret(d.expose())));
            }
            KeyParams::Rsa { private: None, .. }
            | KeyParams::Ec { d: None, .. }
            | KeyParams::Okp { d: None, .. } => {}
        }
        out
    }

    /// Unsupported curves first, then key type and curve against `alg`, then the `alg` member.
    fn check_fit(&self, alg: &'static Algorithm) -> Result<(), Error> {
        match self.key {
            KeyParams::Ec { crv, .. } if crv.ring().is_none() => {
                return Err(Unsupported::Curve(crv.name()).into());
            }
            KeyParams::Okp { crv, .. } if crv != OkpCurve::Ed25519 => {
                return Err(Unsupported::Curve(crv.name()).into());
            }
            _ => {}
        }
        let fits = match (&self.key, alg.family) {
            (KeyParams::Oct { .. }, Family::Hmac { .. })
            | (KeyParams::Rsa { .. }, Family::Rsa { .. })
            | (KeyParams::Okp { .. }, Family::Ed25519 { .. }) => true,
            (KeyParams::Ec { crv, .. }, Family::Ecdsa { curve, .. }) => crv.ring() == Some(curve),
            _ => false,
        };
        if !fits || self.alg.as_deref().is_some_and(|name| name != alg.name()) {
            return Err(wrong_algorithm(alg));
        }
        Ok(())
    }

    /// `use` must be absent or `sig`; `key_ops`, if present, must allow the operation.
    fn check_op(&self, op: Op) -> Result<(), Error> {
        let use_ok = self.key_use.as_deref().is_none_or(|u| u == "sig");
        let has = |name: &str| {
            self.key_ops
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|o| o == name))
        };
        let ops_ok = match op {
            Op::Sign => has("sign"),
            Op::Verify => has("verify"),
            Op::SignAndVerify => has("sign") && has("verify"),
        };
        if use_ok && ops_ok {
            Ok(())
        } else {
            Err(KeyRejected::Usage.into())
        }
    }

    /// Builds the verifying key; the fit and usage are checked by the caller.
    fn bind_public(&self, alg: &'static Algorithm) -> Result<VerifyingKey, Error> {
        let key = match &self.key {
            KeyParams::Rsa { n, e, .. } => VerifyingKey::from_rsa_components(alg, n, e)?,
            KeyParams::Ec { x, y, .. } => VerifyingKey::from_ec_point(alg, &ec_point(x, y))?,
            KeyParams::Okp { x, .. } => VerifyingKey::from_ed25519_bytes(alg, x)?,
            KeyParams::Oct { .. } => return Err(wrong_algorithm(alg)),
        };
        Ok(match &self.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    /// Builds the HMAC key; the fit and usage are checked by the caller.
    fn bind_hmac(&self, alg: &'static Algorithm) -> Result<HmacKey, Error> {
        let KeyParams::Oct { k } = &self.key else {
            return Err(wrong_algorithm(alg));
        };
        let key = HmacKey::from_secret(alg, Secret::copy_from(k.expose()))?;
        Ok(match &self.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }
}

/// `0x04 || x || y`, the uncompressed SEC1 point.
fn ec_point(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut point = Vec::with_capacity(x.len().saturating_add(y.len()).saturating_add(1));
    point.push(4);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    point
}

/// The ECDSA algorithm of `curve`, to bind a key read from PEM while its JWK is made.
fn ecdsa_algorithm(curve: Curve) -> &'static Algorithm {
    match curve {
        Curve::P256 => &jwa::ES256,
        Curve::P384 => &jwa::ES384,
    }
}

/// Serializes the public members of a JWK (for `oct`, only the common members).
struct PublicMembers<'a>(&'a Jwk);

impl Serialize for PublicMembers<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let jwk = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kty", jwk.kty())?;
        match &jwk.key {
            KeyParams::Oct { .. } => {}
            KeyParams::Rsa { n, e, .. } => {
                map.serialize_entry("n", &b64::encode(n))?;
                map.serialize_entry("e", &b64::encode(e))?;
            }
            KeyParams::Ec { crv, x, y, .. } => {
                map.serialize_entry("crv", crv.name())?;
                map.serialize_entry("x", &b64::encode(x))?;
                map.serialize_entry("y", &b64::encode(y))?;
            }
            KeyParams::Okp { crv, x, .. } => {
                map.serialize_entry("crv", crv.name())?;
                map.serialize_entry("x", &b64::encode(x))?;
            }
        }
        let strings = [
            ("kid", &jwk.kid),
            ("use", &jwk.key_use),
            ("alg", &jwk.alg),
            ("x5u", &jwk.x5u),
        ];
        for (name, value) in strings {
            if let Some(value) = value {
                map.serialize_entry(name, value)?;
            }
        }
        if let Some(ops) = &jwk.key_ops {
            map.serialize_entry("key_ops", ops)?;
        }
        if let Some(chain) = &jwk.x5c {
            let chain: Vec<String> = chain
                .iter()
                .map(|cert| parse::encode_standard(cert))
                .collect();
            map.serialize_entry("x5c", &chain)?;
        }
        if let Some(x5t) = &jwk.x5t {
            map.serialize_entry("x5t", &b64::encode(x5t))?;
        }
        if let Some(x5t) = &jwk.x5t_s256 {
            map.serialize_entry("x5t#S256", &b64::encode(x5t))?;
        }
        for (name, value) in &jwk.other {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl From<&VerifyingKey> for Jwk {
    fn from(key: &VerifyingKey) -> Self {
        Self::from_verifying_key(key)
    }
}

/// Writes the public members only, as [`Jwk::to_json`]; a symmetric key is an error.
impl Serialize for Jwk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if matches!(self.key, KeyParams::Oct { .. }) {
            return Err(serde::ser::Error::custom(KeyRejected::Symmetric));
        }
        PublicMembers(self).serialize(serializer)
    }
}

/// Reads a JWK with the rules of [`Jwk::from_json`] (duplicate member names are only rejected
/// if the deserializer does so, as this crate's own parsing does).
impl<'de> Deserialize<'de> for Jwk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let members = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        parse::from_members(members).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty())
            .field("crv", &self.crv())
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.key_use)
            .field("key_ops", &self.key_ops)
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}
