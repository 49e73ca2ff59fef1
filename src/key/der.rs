//! Strict DER reading and writing for the key structures this crate imports and exports.
//!
//! Keys arrive as untrusted files, so the reader accepts exactly one encoding of each value:
//! single-byte tags, definite lengths in their shortest form, minimal INTEGERs, BIT STRINGs with
//! no unused bits, and no bytes after any structure. The structures are fixed, so parsing never
//! recurses on input; nothing here panics or indexes.
//!
//! What is read and written (ASN.1 from RFC 5280, RFC 5958, RFC 8017, RFC 5915, RFC 8410):
//!
//! - `SubjectPublicKeyInfo` for RSA (`rsaEncryption` with NULL parameters), EC (`id-ecPublicKey`
//!   with a named curve) and Ed25519 (no parameters);
//! - PKCS#1 `RSAPublicKey` and `RSAPrivateKey` (two primes, version 0);
//! - SEC1 `ECPrivateKey` (version 1);
//! - PKCS#8 `PrivateKeyInfo` (v1) and `OneAsymmetricKey` (v2), and the outline of an
//!   `EncryptedPrivateKeyInfo`, only to say it is encrypted.
//!
//! What `ring` 0.17 accepts, which the writers here follow:
//!
//! - `RsaKeyPair::from_pkcs8` and `EcdsaKeyPair::from_pkcs8` take PKCS#8 **v1 only**;
//! - `EcdsaKeyPair::from_pkcs8` needs the `[1] publicKey` inside the `ECPrivateKey` (RFC 5915
//!   makes it optional; ring cannot compute it) and a private key of exactly the curve's scalar
//!   length; `[0] parameters` inside may be absent and must name the curve if present;
//! - `Ed25519KeyPair::from_pkcs8` takes v2 only (with the `[1]` public key, which it checks);
//!   `from_pkcs8_maybe_unchecked` also takes v1, as `openssl` writes it.

#![allow(
    dead_code,
    reason = "crate-private helpers; not every one is called outside the tests yet"
)]

use alloc::vec::Vec;
use zeroize::Zeroizing;

// The curves ring signs with (P-256, P-384): one type for the whole crate.
pub(crate) use crate::jwa::Curve;

use crate::error::{Error, KeyRejected, Unsupported};
use crate::secret::Secret;

/// Universal tag of an INTEGER.
const INTEGER: u8 = 0x02;
/// Universal tag of a BIT STRING.
const BIT_STRING: u8 = 0x03;
/// Universal tag of an OCTET STRING.
const OCTET_STRING: u8 = 0x04;
/// Universal tag of a NULL.
const NULL: u8 = 0x05;
/// Universal tag of an OBJECT IDENTIFIER.
const OID: u8 = 0x06;
/// Universal tag of a SEQUENCE (constructed).
const SEQUENCE: u8 = 0x30;
/// Context-specific constructed tag `[0]` (explicit `[0]`, or `[0] IMPLICIT SET OF`).
const CONTEXT_0: u8 = 0xa0;
/// Context-specific constructed tag `[1]` (explicit `[1]`).
const CONTEXT_1: u8 = 0xa1;
/// Context-specific primitive tag `[1]` (`[1] IMPLICIT BIT STRING` of PKCS#8 v2).
const CONTEXT_1_PRIMITIVE: u8 = 0x81;

/// Object identifiers, as the bytes of their DER value (without tag and length).
mod oid {
    /// `rsaEncryption`, 1.2.840.113549.1.1.1.
    pub(super) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// `id-ecPublicKey`, 1.2.840.10045.2.1.
    pub(super) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// `prime256v1` (P-256), 1.2.840.10045.3.1.7.
    pub(super) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// `secp384r1` (P-384), 1.3.132.0.34.
    pub(super) const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// `secp521r1` (P-521), 1.3.132.0.35.
    pub(super) const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// `secp256k1`, 1.3.132.0.10.
    pub(super) const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
    /// `id-X25519`, 1.3.101.110.
    pub(super) const X25519: &[u8] = &[0x2b, 0x65, 0x6e];
    /// `id-X448`, 1.3.101.111.
    pub(super) const X448: &[u8] = &[0x2b, 0x65, 0x6f];
    /// `id-Ed25519`, 1.3.101.112.
    pub(super) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// `id-Ed448`, 1.3.101.113.
    pub(super) const ED448: &[u8] = &[0x2b, 0x65, 0x71];
}

/// The DER `AlgorithmIdentifier` of an RSA key: `rsaEncryption` with NULL parameters.
const ALG_RSA: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
/// The DER `AlgorithmIdentifier` of an Ed25519 key: `id-Ed25519`, no parameters.
const ALG_ED25519: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
/// A DER INTEGER 0 (the version of PKCS#8 v1 and of a two-prime `RSAPrivateKey`).
const VERSION_0: &[u8] = &[INTEGER, 0x01, 0x00];
/// A DER INTEGER 1 (the version of PKCS#8 v2 and of an `ECPrivateKey`).
const VERSION_1: &[u8] = &[INTEGER, 0x01, 0x01];
/// The unused-bits byte that starts every BIT STRING written here.
const NO_UNUSED_BITS: &[u8] = &[0x00];

/// The error for input that is not DER or not the structure expected.
const fn der_error() -> Error {
    Error::KeyRejected(KeyRejected::Der)
}

/// The error for a public key of the wrong length or form.
const fn bad_public_key() -> Error {
    Error::KeyRejected(KeyRejected::InvalidComponent("public key"))
}

/// The OBJECT IDENTIFIER value bytes of `curve`'s name.
fn curve_oid(curve: Curve) -> &'static [u8] {
    match curve {
        Curve::P256 => oid::P256,
        Curve::P384 => oid::P384,
    }
}

/// The length in bytes of an uncompressed SEC1 point of `curve`: `0x04 || x || y`.
fn point_len(curve: Curve) -> usize {
    curve.coordinate_len().saturating_mul(2).saturating_add(1)
}

/// A public key read from a `SubjectPublicKeyInfo`, borrowing the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PublicKeyInfo<'a> {
    /// An RSA public key: modulus and exponent, big-endian, positive, without leading zeros.
    Rsa {
        /// The modulus.
        n: &'a [u8],
        /// The public exponent.
        e: &'a [u8],
    },
    /// An EC public key: an uncompressed SEC1 point of the curve's length.
    Ec {
        /// The curve.
        curve: Curve,
        /// `0x04 || x || y`.
        point: &'a [u8],
    },
    /// An Ed25519 public key: exactly 32 bytes.
    Ed25519(&'a [u8]),
}

/// The kind of key a PKCS#8 document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PrivateKeyKind {
    /// A two-prime RSA key.
    Rsa,
    /// An EC key on a supported curve.
    Ec(Curve),
    /// An Ed25519 key.
    Ed25519,
}

/// The components of a two-prime RSA private key, big-endian, positive, without leading zeros
/// when read (the writer accepts leading zeros).
#[derive(Clone, Copy)]
pub(crate) struct RsaPrivateComponents<'a> {
    /// The modulus.
    pub(crate) n: &'a [u8],
    /// The public exponent.
    pub(crate) e: &'a [u8],
    /// The private exponent.
    pub(crate) d: &'a [u8],
    /// The first prime factor.
    pub(crate) p: &'a [u8],
    /// The second prime factor.
    pub(crate) q: &'a [u8],
    /// `d mod (p - 1)`.
    pub(crate) dp: &'a [u8],
    /// `d mod (q - 1)`.
    pub(crate) dq: &'a [u8],
    /// `q^-1 mod p`.
    pub(crate) qi: &'a [u8],
}

impl core::fmt::Debug for RsaPrivateComponents<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaPrivateComponents(redacted)")
    }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// A cursor over DER elements that only moves forward.
struct Reader<'a> {
    /// The bytes not read yet.
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `input`.
    fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    /// Whether every byte has been read.
    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads one element and returns its tag and value.
    ///
    /// Rejects multi-byte tags, indefinite lengths, lengths not in their shortest form, lengths
    /// of more than four bytes and lengths past the end of the input.
    fn any(&mut self) -> Result<(u8, &'a [u8]), Error> {
        let (&tag, rest) = self.rest.split_first().ok_or_else(der_error)?;
        if tag & 0x1f == 0x1f {
            return Err(der_error());
        }
        let (&first, mut rest) = rest.split_first().ok_or_else(der_error)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return Err(der_error());
            }
            let (bytes, after) = rest.split_at_checked(count).ok_or_else(der_error)?;
            rest = after;
            if bytes.first() == Some(&0) {
                return Err(der_error());
            }
            let mut len = 0usize;
            for &b in bytes {
                len = len
                    .checked_mul(256)
                    .and_then(|l| l.checked_add(usize::from(b)))
                    .ok_or_else(der_error)?;
            }
            if len < 0x80 {
                return Err(der_error());
            }
            len
        };
        let (value, rest) = rest.split_at_checked(len).ok_or_else(der_error)?;
        self.rest = rest;
        Ok((tag, value))
    }

    /// Reads one element that must have `tag` and returns its value.
    fn expect(&mut self, tag: u8) -> Result<&'a [u8], Error> {
        match self.any()? {
            (t, value) if t == tag => Ok(value),
            _ => Err(der_error()),
        }
    }

    /// Reads one element with `tag` if the next element has that tag.
    fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, Error> {
        if self.rest.first() == Some(&tag) {
            self.expect(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails unless every byte has been read.
    fn finish(&self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(der_error())
        }
    }
}

/// Reads `input` as exactly one element with `tag` and returns its value.
fn single(input: &[u8], tag: u8) -> Result<&[u8], Error> {
    let mut reader = Reader::new(input);
    let value = reader.expect(tag)?;
    reader.finish()?;
    Ok(value)
}

/// Reads `input` as exactly one element with `tag` whose value `read` consumes completely.
fn nested<'a, T>(
    input: &'a [u8],
    tag: u8,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut inner = Reader::new(single(input, tag)?);
    let out = read(&mut inner)?;
    inner.finish()?;
    Ok(out)
}

/// The magnitude of a positive INTEGER value: rejects non-minimal encodings, negative numbers
/// and zero, and strips the leading 0x00 that keeps the sign bit clear.
///
/// The result is never empty and never starts with 0x00.
fn positive_integer(value: &[u8]) -> Result<&[u8], Error> {
    match value.split_first() {
        Some((&0, rest)) => match rest.first() {
            Some(&next) if next & 0x80 != 0 => Ok(rest),
            // `00` alone is zero; `00` before a byte < 0x80 is not minimal.
            _ => Err(der_error()),
        },
        Some((&first, _)) if first & 0x80 == 0 => Ok(value),
        // Negative, or empty.
        _ => Err(der_error()),
    }
}

/// A small non-negative INTEGER value (a version number), 0..=127.
fn small_integer(value: &[u8]) -> Result<u8, Error> {
    match value {
        [v] if *v < 0x80 => Ok(*v),
        _ => Err(der_error()),
    }
}

/// The contents of a BIT STRING value whose unused-bits count is 0.
fn bit_string(value: &[u8]) -> Result<&[u8], Error> {
    match value.split_first() {
        Some((&0, bits)) => Ok(bits),
        _ => Err(der_error()),
    }
}

/// The key algorithms read from an `AlgorithmIdentifier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Algorithm {
    /// `rsaEncryption`.
    Rsa,
    /// `id-ecPublicKey` on a supported named curve.
    Ec(Curve),
    /// `id-Ed25519`.
    Ed25519,
}

/// Reads the EC domain parameters of an `id-ecPublicKey` key (RFC 5480 `ECParameters`), given
/// as the tag and value of the element: only named curves are read.
fn named_curve(tag: u8, value: &[u8]) -> Result<Curve, Error> {
    let unsupported = |name| Err(Error::Unsupported(Unsupported::Curve(name)));
    match tag {
        OID => match value {
            oid::P256 => Ok(Curve::P256),
            oid::P384 => Ok(Curve::P384),
            oid::P521 => unsupported("P-521"),
            oid::SECP256K1 => unsupported("secp256k1"),
            [] => Err(der_error()),
            _ => unsupported("unknown"),
        },
        // `specifiedCurve`: explicit parameters are not accepted, whatever the curve.
        SEQUENCE => unsupported("explicit parameters"),
        _ => Err(der_error()),
    }
}

/// Reads the value of an `AlgorithmIdentifier` SEQUENCE.
///
/// RSA needs NULL parameters, EC a named curve, Ed25519 no parameters (RFC 8410 §3).
fn algorithm(value: &[u8]) -> Result<Algorithm, Error> {
    let mut reader = Reader::new(value);
    let algorithm = match reader.expect(OID)? {
        oid::RSA_ENCRYPTION => {
            if !reader.expect(NULL)?.is_empty() {
                return Err(der_error());
            }
            Algorithm::Rsa
        }
        oid::EC_PUBLIC_KEY => {
            let (tag, params) = reader.any()?;
            Algorithm::Ec(named_curve(tag, params)?)
        }
        oid::ED25519 => Algorithm::Ed25519,
        oid::ED448 => return Err(Unsupported::Curve("Ed448").into()),
        oid::X25519 => return Err(Unsupported::Curve("X25519").into()),
        oid::X448 => return Err(Unsupported::Curve("X448").into()),
        [] => return Err(der_error()),
        // RSASSA-PSS (1.2.840.113549.1.1.10) keys land here too: ring signs PSS with
        // `rsaEncryption` keys only.
        _ => return Err(Unsupported::KeyType.into()),
    };
    reader.finish()?;
    Ok(algorithm)
}

/// Checks that `point` is an uncompressed SEC1 point of `curve`'s length.
fn ec_point(curve: Curve, point: &[u8]) -> Result<&[u8], Error> {
    if point.len() == point_len(curve) && point.first() == Some(&0x04) {
        Ok(point)
    } else {
        Err(bad_public_key())
    }
}

/// Checks that `d` is a private scalar of `curve`'s length (RFC 5915 §3; ring needs it exact).
fn ec_scalar(curve: Curve, d: &[u8]) -> Result<&[u8], Error> {
    if d.len() == curve.coordinate_len() {
        Ok(d)
    } else {
        Err(KeyRejected::InvalidComponent("d").into())
    }
}

/// Checks that `public` is an Ed25519 public key of 32 bytes.
fn ed25519_public(public: &[u8]) -> Result<&[u8], Error> {
    if public.len() == 32 {
        Ok(public)
    } else {
        Err(bad_public_key())
    }
}

/// Reads a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7).
///
/// # Errors
///
/// [`KeyRejected::Der`] for malformed DER or structure; [`Unsupported::Curve`] for P-521,
/// secp256k1, Ed448, X25519, X448, explicit EC parameters (`"explicit parameters"`) and other
/// named curves (`"unknown"`); [`Unsupported::KeyType`] for any
/// other algorithm, RSASSA-PSS (`id-RSASSA-PSS`) included; [`KeyRejected::InvalidComponent`]
/// for an EC point that is compressed or of the wrong length, or an Ed25519 key that is not
/// 32 bytes.
pub(crate) fn parse_spki(der: &[u8]) -> Result<PublicKeyInfo<'_>, Error> {
    nested(der, SEQUENCE, |reader| {
        let algorithm = algorithm(reader.expect(SEQUENCE)?)?;
        let key = bit_string(reader.expect(BIT_STRING)?)?;
        Ok(match algorithm {
            Algorithm::Rsa => {
                let (n, e) = parse_rsa_public_pkcs1(key)?;
                PublicKeyInfo::Rsa { n, e }
            }
            Algorithm::Ec(curve) => PublicKeyInfo::Ec {
                curve,
                point: ec_point(curve, key)?,
            },
            Algorithm::Ed25519 => PublicKeyInfo::Ed25519(ed25519_public(key)?),
        })
    })
}

/// Reads a PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1) and returns `(n, e)`, positive and without
/// leading zeros.
///
/// # Errors
///
/// [`KeyRejected::Der`] for malformed DER, or an `n` or `e` that is zero or negative.
pub(crate) fn parse_rsa_public_pkcs1(der: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    nested(der, SEQUENCE, |reader| {
        let n = positive_integer(reader.expect(INTEGER)?)?;
        let e = positive_integer(reader.expect(INTEGER)?)?;
        Ok((n, e))
    })
}

/// Reads a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2) with two primes.
///
/// Every component must be positive; they are returned without leading zeros.
fn rsa_private_key(der: &[u8]) -> Result<RsaPrivateComponents<'_>, Error> {
    nested(der, SEQUENCE, |reader| {
        match small_integer(reader.expect(INTEGER)?)? {
            0 => {}
            1 => return Err(Unsupported::RsaKeyShape.into()),
            _ => return Err(der_error()),
        }
        let mut next = || positive_integer(reader.expect(INTEGER)?);
        Ok(RsaPrivateComponents {
            n: next()?,
            e: next()?,
            d: next()?,
            p: next()?,
            q: next()?,
            dp: next()?,
            dq: next()?,
            qi: next()?,
        })
    })
}

/// The fields of an `ECPrivateKey` (RFC 5915 §3).
struct EcPrivateKey<'a> {
    /// The private scalar, as stored (its length is checked by the caller).
    d: &'a [u8],
    /// The curve named by `[0] parameters`, if present.
    curve: Option<Curve>,
    /// The public point in `[1] publicKey`, if present (not checked yet).
    point: Option<&'a [u8]>,
}

/// Reads an `ECPrivateKey` (RFC 5915 §3, version 1).
fn ec_private_key(der: &[u8]) -> Result<EcPrivateKey<'_>, Error> {
    nested(der, SEQUENCE, |reader| {
        if small_integer(reader.expect(INTEGER)?)? != 1 {
            return Err(der_error());
        }
        let d = reader.expect(OCTET_STRING)?;
        let curve = match reader.optional(CONTEXT_0)? {
            Some(params) => {
                let mut params = Reader::new(params);
                let (tag, value) = params.any()?;
                params.finish()?;
                Some(named_curve(tag, value)?)
            }
            None => None,
        };
        let point = match reader.optional(CONTEXT_1)? {
            Some(public) => Some(bit_string(single(public, BIT_STRING)?)?),
            None => None,
        };
        Ok(EcPrivateKey { d, curve, point })
    })
}

/// The fields of a PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5958 §2).
struct PrivateKeyInfo<'a> {
    /// The key algorithm.
    algorithm: Algorithm,
    /// The value of the `privateKey` OCTET STRING.
    private_key: &'a [u8],
    /// The contents of the v2 `[1] publicKey` BIT STRING, if present.
    public_key: Option<&'a [u8]>,
}

/// Reads a PKCS#8 document, v1 or v2; an `EncryptedPrivateKeyInfo` is reported as encrypted.
fn private_key_info(der: &[u8]) -> Result<PrivateKeyInfo<'_>, Error> {
    nested(der, SEQUENCE, |reader| {
        let version = match reader.any()? {
            (INTEGER, version) => small_integer(version)?,
            // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }
            (SEQUENCE, _) => {
                reader.expect(OCTET_STRING)?;
                reader.finish()?;
                return Err(KeyRejected::Encrypted.into());
            }
            _ => return Err(der_error()),
        };
        if version > 1 {
            return Err(der_error());
        }
        let algorithm = algorithm(reader.expect(SEQUENCE)?)?;
        let private_key = reader.expect(OCTET_STRING)?;
        if let Some(attributes) = reader.optional(CONTEXT_0)? {
            // [0] IMPLICIT SET OF Attribute; each Attribute is a SEQUENCE, not looked into.
            let mut attributes = Reader::new(attributes);
            while !attributes.is_empty() {
                attributes.expect(SEQUENCE)?;
            }
        }
        let public_key = match reader.optional(CONTEXT_1_PRIMITIVE)? {
            Some(public) if version == 1 => Some(bit_string(public)?),
            Some(_) => return Err(der_error()),
            None => None,
        };
        Ok(PrivateKeyInfo {
            algorithm,
            private_key,
            public_key,
        })
    })
}

/// Reads and checks the `ECPrivateKey` inside a PKCS#8 document whose algorithm names `curve`.
fn pkcs8_ec_inner<'a>(curve: Curve, info: &PrivateKeyInfo<'a>) -> Result<EcPrivateKey<'a>, Error> {
    let key = ec_private_key(info.private_key)?;
    if key.curve.is_some_and(|inner| inner != curve) {
        return Err(der_error());
    }
    ec_scalar(curve, key.d)?;
    if let Some(point) = key.point {
        ec_point(curve, point)?;
    }
    if let Some(point) = info.public_key {
        ec_point(curve, point)?;
    }
    Ok(key)
}

/// Reads the seed inside a PKCS#8 Ed25519 document (`CurvePrivateKey`, RFC 8410 §7).
fn pkcs8_ed25519_inner<'a>(info: &PrivateKeyInfo<'a>) -> Result<&'a [u8; 32], Error> {
    if let Some(public) = info.public_key {
        ed25519_public(public)?;
    }
    <&[u8; 32]>::try_from(single(info.private_key, OCTET_STRING)?)
        .map_err(|_| KeyRejected::InvalidComponent("d").into())
}

/// Identifies the key in a PKCS#8 document (v1 `PrivateKeyInfo` or v2 `OneAsymmetricKey`),
/// checking the whole structure, the private key inside included, without building the key.
///
/// Note that ring takes RSA and EC keys in PKCS#8 v1 only, and EC keys only with their public
/// key inside the `ECPrivateKey`: [`ec_private_parts`] and [`pkcs8_ec`] rebuild such a key.
///
/// # Errors
///
/// [`KeyRejected::Encrypted`] for an `EncryptedPrivateKeyInfo`; [`KeyRejected::Der`] for
/// malformed DER or structure; [`Unsupported::RsaKeyShape`] for a multi-prime RSA key;
/// [`Unsupported::Curve`] and [`Unsupported::KeyType`] as for [`parse_spki`];
/// [`KeyRejected::InvalidComponent`] for a private or public key of the wrong length.
pub(crate) fn pkcs8_kind(der: &[u8]) -> Result<PrivateKeyKind, Error> {
    let info = private_key_info(der)?;
    match info.algorithm {
        Algorithm::Rsa => {
            rsa_private_key(info.private_key)?;
            Ok(PrivateKeyKind::Rsa)
        }
        Algorithm::Ec(curve) => {
            pkcs8_ec_inner(curve, &info)?;
            Ok(PrivateKeyKind::Ec(curve))
        }
        Algorithm::Ed25519 => {
            pkcs8_ed25519_inner(&info)?;
            Ok(PrivateKeyKind::Ed25519)
        }
    }
}

/// Wraps a SEC1 `ECPrivateKey` (RFC 5915, PEM label `EC PRIVATE KEY`) in a PKCS#8 v1 document
/// that ring's `EcdsaKeyPair::from_pkcs8` reads, and says its curve.
///
/// The curve is taken from `[0] parameters`; the document is written as [`pkcs8_ec`] writes it
/// (the curve in the `AlgorithmIdentifier` only, as `openssl pkcs8 -topk8` does), with the
/// public key kept inside.
///
/// # Errors
///
/// [`KeyRejected::Der`] for malformed DER or when `[0] parameters` is absent;
/// [`Unsupported::Curve`] for curves other than P-256 and P-384;
/// [`KeyRejected::InvalidComponent`] `("d")` for a scalar of the wrong length, and
/// `("public key")` when `[1] publicKey` is absent (ring needs it and cannot compute it) or is
/// not an uncompressed point of the curve.
pub(crate) fn sec1_to_pkcs8(der: &[u8]) -> Result<(Curve, Secret), Error> {
    let key = ec_private_key(der)?;
    let curve = key.curve.ok_or_else(der_error)?;
    let d = ec_scalar(curve, key.d)?;
    let point = ec_point(curve, key.point.ok_or_else(bad_public_key)?)?;
    Ok((curve, pkcs8_ec(curve, d, point)))
}

/// Wraps a PKCS#1 `RSAPrivateKey` (PEM label `RSA PRIVATE KEY`) in a PKCS#8 v1 document
/// (`rsaEncryption`, NULL parameters) that ring's `RsaKeyPair::from_pkcs8` reads.
///
/// # Errors
///
/// [`Unsupported::RsaKeyShape`] for a multi-prime key (version 1); [`KeyRejected::Der`] for
/// malformed DER or a component that is zero or negative.
pub(crate) fn rsa_pkcs1_to_pkcs8(der: &[u8]) -> Result<Secret, Error> {
    Ok(pkcs8_rsa(&rsa_private_key(der)?))
}

/// The components of the RSA key in a PKCS#8 document.
///
/// # Errors
///
/// As [`pkcs8_kind`]; [`KeyRejected::Der`] if the document does not hold an RSA key.
pub(crate) fn rsa_private_components(pkcs8: &[u8]) -> Result<RsaPrivateComponents<'_>, Error> {
    let info = private_key_info(pkcs8)?;
    match info.algorithm {
        Algorithm::Rsa => rsa_private_key(info.private_key),
        _ => Err(der_error()),
    }
}

/// The public half `(n, e)` of the RSA key in a PKCS#8 document.
///
/// # Errors
///
/// As [`rsa_private_components`].
pub(crate) fn rsa_private_public_parts(pkcs8: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    rsa_private_components(pkcs8).map(|c| (c.n, c.e))
}

/// The parts of an EC private key read from a PKCS#8 document.
#[derive(Clone, Copy)]
pub(crate) struct EcPrivateParts<'a> {
    /// The curve.
    pub(crate) curve: Curve,
    /// The private scalar, exactly the curve's scalar length.
    pub(crate) d: &'a [u8],
    /// The public point, uncompressed and of the curve's length: from the `ECPrivateKey`, or
    /// else from the PKCS#8 v2 `publicKey`, if either has it.
    pub(crate) point: Option<&'a [u8]>,
}

impl core::fmt::Debug for EcPrivateParts<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcPrivateParts")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

/// The curve, private scalar and public point of the EC key in a PKCS#8 document.
///
/// # Errors
///
/// As [`pkcs8_kind`]; [`KeyRejected::Der`] if the document does not hold an EC key.
pub(crate) fn ec_private_parts(pkcs8: &[u8]) -> Result<EcPrivateParts<'_>, Error> {
    let info = private_key_info(pkcs8)?;
    match info.algorithm {
        Algorithm::Ec(curve) => {
            let key = pkcs8_ec_inner(curve, &info)?;
            Ok(EcPrivateParts {
                curve,
                d: key.d,
                point: key.point.or(info.public_key),
            })
        }
        _ => Err(der_error()),
    }
}

/// The 32-byte seed of the Ed25519 key in a PKCS#8 document (v1 or v2).
///
/// # Errors
///
/// As [`pkcs8_kind`]; [`KeyRejected::Der`] if the document does not hold an Ed25519 key.
pub(crate) fn ed25519_private_seed(pkcs8: &[u8]) -> Result<&[u8; 32], Error> {
    let info = private_key_info(pkcs8)?;
    match info.algorithm {
        Algorithm::Ed25519 => pkcs8_ed25519_inner(&info),
        _ => Err(der_error()),
    }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------
//
// Every buffer is allocated at its exact final size, so no reallocation leaves a copy of key
// material behind, and is zeroized when dropped.

/// `bytes` without its leading zero bytes.
fn trim_leading_zeros(mut bytes: &[u8]) -> &[u8] {
    while let Some((&0, rest)) = bytes.split_first() {
        bytes = rest;
    }
    bytes
}

/// The length of the DER encoding of a length.
fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        len.to_be_bytes()
            .iter()
            .skip_while(|&&b| b == 0)
            .count()
            .saturating_add(1)
    }
}

/// Appends the DER encoding of `len`.
fn push_length(out: &mut Vec<u8>, len: usize) {
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let bytes = len.to_be_bytes();
            let significant = trim_leading_zeros(&bytes);
            // At most `size_of::<usize>()` bytes, so the count always fits.
            out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0x7f));
            out.extend_from_slice(significant);
        }
    }
}

/// One element with `tag` whose value is the concatenation of `parts`.
fn tlv(tag: u8, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let len = parts
        .iter()
        .fold(0usize, |sum, part| sum.saturating_add(part.len()));
    let total = length_len(len).saturating_add(1).saturating_add(len);
    let mut out = Zeroizing::new(Vec::with_capacity(total));
    out.push(tag);
    push_length(&mut out, len);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// A DER INTEGER of the non-negative big-endian `magnitude`, which may have leading zeros.
fn integer(magnitude: &[u8]) -> Zeroizing<Vec<u8>> {
    let magnitude = trim_leading_zeros(magnitude);
    match magnitude.first() {
        None => tlv(INTEGER, &[&[0]]),
        Some(&top) if top & 0x80 != 0 => tlv(INTEGER, &[&[0], magnitude]),
        Some(_) => tlv(INTEGER, &[magnitude]),
    }
}

/// Moves the bytes out of a zeroizing buffer into a [`Secret`], without copying them.
fn into_secret(mut bytes: Zeroizing<Vec<u8>>) -> Secret {
    Secret::new(core::mem::take(&mut *bytes))
}

/// The `AlgorithmIdentifier` of an EC key on `curve`.
fn ec_algorithm(curve: Curve) -> Zeroizing<Vec<u8>> {
    tlv(
        SEQUENCE,
        &[
            &tlv(OID, &[oid::EC_PUBLIC_KEY]),
            &tlv(OID, &[curve_oid(curve)]),
        ],
    )
}

/// Writes a DER `SubjectPublicKeyInfo`: the inverse of [`parse_spki`].
///
/// RSA keys get `rsaEncryption` with NULL parameters and minimal INTEGERs; EC keys
/// `id-ecPublicKey` with the named curve; Ed25519 keys `id-Ed25519` without parameters. The
/// key bytes are written as given, not checked.
pub(crate) fn spki(key: &PublicKeyInfo<'_>) -> Vec<u8> {
    let (algorithm, public) = match *key {
        PublicKeyInfo::Rsa { n, e } => (
            Zeroizing::new(ALG_RSA.to_vec()),
            tlv(SEQUENCE, &[&integer(n), &integer(e)]),
        ),
        PublicKeyInfo::Ec { curve, point } => (ec_algorithm(curve), Zeroizing::new(point.to_vec())),
        PublicKeyInfo::Ed25519(public) => (
            Zeroizing::new(ALG_ED25519.to_vec()),
            Zeroizing::new(public.to_vec()),
        ),
    };
    let mut out = tlv(
        SEQUENCE,
        &[&algorithm, &tlv(BIT_STRING, &[NO_UNUSED_BITS, &public])],
    );
    core::mem::take(&mut *out)
}

/// Writes a PKCS#8 v1 document holding an EC key, as ring and `openssl` write it: the curve in
/// the `AlgorithmIdentifier`, and an `ECPrivateKey` with `d` and the `[1] publicKey` `point`
/// (no `[0] parameters`).
///
/// Nothing is checked here: ring checks `d` and that `point` is its public key.
pub(crate) fn pkcs8_ec(curve: Curve, d: &[u8], point: &[u8]) -> Secret {
    let ec_private_key = tlv(
        SEQUENCE,
        &[
            VERSION_1,
            &tlv(OCTET_STRING, &[d]),
            &tlv(CONTEXT_1, &[&tlv(BIT_STRING, &[NO_UNUSED_BITS, point])]),
        ],
    );
    into_secret(tlv(
        SEQUENCE,
        &[
            VERSION_0,
            &ec_algorithm(curve),
            &tlv(OCTET_STRING, &[&ec_private_key]),
        ],
    ))
}

/// Writes a PKCS#8 v2 `OneAsymmetricKey` holding an Ed25519 key with its `[1] publicKey`, the
/// form ring's `Ed25519KeyPair::from_pkcs8` requires (and ring's own `generate_pkcs8` writes).
pub(crate) fn pkcs8_ed25519(seed: &[u8; 32], public: &[u8; 32]) -> Secret {
    into_secret(tlv(
        SEQUENCE,
        &[
            VERSION_1,
            ALG_ED25519,
            &tlv(OCTET_STRING, &[&tlv(OCTET_STRING, &[seed])]),
            &tlv(CONTEXT_1_PRIMITIVE, &[NO_UNUSED_BITS, public]),
        ],
    ))
}

/// Writes a PKCS#8 v1 document holding a two-prime RSA key: `rsaEncryption` with NULL
/// parameters, and a PKCS#1 `RSAPrivateKey` version 0 with minimal INTEGERs.
///
/// Nothing is checked here: ring checks the components.
pub(crate) fn pkcs8_rsa(c: &RsaPrivateComponents<'_>) -> Secret {
    let rsa_private_key = tlv(
        SEQUENCE,
        &[
            VERSION_0,
            &integer(c.n),
            &integer(c.e),
            &integer(c.d),
            &integer(c.p),
            &integer(c.q),
            &integer(c.dp),
            &integer(c.dq),
            &integer(c.qi),
        ],
    );
    into_secret(tlv(
        SEQUENCE,
        &[VERSION_0, ALG_RSA, &tlv(OCTET_STRING, &[&rsa_private_key])],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::pem;
    use alloc::vec;
    use ring::rand::SystemRandom;
    use ring::signature::{
        ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
        Ed25519KeyPair, KeyPair, RsaKeyPair,
    };

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../../test-vectors/keys/", $name)).as_slice()
        };
    }

    /// The DER inside a PEM fixture.
    fn der(pem_text: &[u8]) -> Vec<u8> {
        pem::parse(pem_text).unwrap().der.expose().to_vec()
    }

    fn der_err() -> Error {
        Error::KeyRejected(KeyRejected::Der)
    }

    const SPKI_FIXTURES: &[&[u8]] = &[
        fixture!("rsa2048.spki.pem"),
        fixture!("rsa2044.spki.pem"),
        fixture!("rsa4096.spki.pem"),
        fixture!("p256.spki.pem"),
        fixture!("p384.spki.pem"),
        fixture!("ed25519.spki.pem"),
    ];

    const PKCS8_FIXTURES: &[(&[u8], PrivateKeyKind)] = &[
        (fixture!("rsa2048.pkcs8.pem"), PrivateKeyKind::Rsa),
        (fixture!("rsa2044.pkcs8.pem"), PrivateKeyKind::Rsa),
        (fixture!("rsa4096.pkcs8.pem"), PrivateKeyKind::Rsa),
        (fixture!("p256.pkcs8.pem"), PrivateKeyKind::Ec(Curve::P256)),
        (fixture!("p384.pkcs8.pem"), PrivateKeyKind::Ec(Curve::P384)),
        (fixture!("ed25519.pkcs8.pem"), PrivateKeyKind::Ed25519),
    ];

    fn ring_ec(curve: Curve, pkcs8: &[u8]) -> EcdsaKeyPair {
        let alg = match curve {
            Curve::P256 => &ECDSA_P256_SHA256_FIXED_SIGNING,
            Curve::P384 => &ECDSA_P384_SHA384_FIXED_SIGNING,
        };
        EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new()).unwrap()
    }

    #[test]
    fn spki_fixtures_parse_to_their_kind() {
        let rsa_sizes = [2048usize, 2044, 4096];
        for (fixture, bits) in SPKI_FIXTURES.iter().zip(rsa_sizes) {
            let der = der(fixture);
            let PublicKeyInfo::Rsa { n, e } = parse_spki(&der).unwrap() else {
                panic!("not RSA");
            };
            assert_ne!(n[0], 0);
            assert_eq!(n.len() * 8 - n[0].leading_zeros() as usize, bits);
            assert_eq!(e, [1, 0, 1]);
        }
        assert!(matches!(
            parse_spki(&der(fixture!("p256.spki.pem"))).unwrap(),
            PublicKeyInfo::Ec { curve: Curve::P256, point } if point.len() == 65
        ));
        assert!(matches!(
            parse_spki(&der(fixture!("p384.spki.pem"))).unwrap(),
            PublicKeyInfo::Ec { curve: Curve::P384, point } if point.len() == 97
        ));
        assert!(matches!(
            parse_spki(&der(fixture!("ed25519.spki.pem"))).unwrap(),
            PublicKeyInfo::Ed25519(k) if k.len() == 32
        ));
    }

    #[test]
    fn der_fixtures_match_their_pem() {
        assert_eq!(
            fixture!("rsa2048.spki.der"),
            der(fixture!("rsa2048.spki.pem"))
        );
        assert_eq!(
            fixture!("rsa2048.pkcs8.der"),
            der(fixture!("rsa2048.pkcs8.pem"))
        );
        assert_eq!(fixture!("p256.spki.der"), der(fixture!("p256.spki.pem")));
        assert_eq!(fixture!("p256.pkcs8.der"), der(fixture!("p256.pkcs8.pem")));
    }

    #[test]
    fn unsupported_public_keys() {
        let cases: &[(&[u8], Unsupported)] = &[
            (fixture!("p521.spki.pem"), Unsupported::Curve("P-521")),
            (
                fixture!("secp256k1.spki.pem"),
                Unsupported::Curve("secp256k1"),
            ),
            (fixture!("ed448.spki.pem"), Unsupported::Curve("Ed448")),
            (fixture!("x25519.spki.pem"), Unsupported::Curve("X25519")),
            (fixture!("x448.spki.pem"), Unsupported::Curve("X448")),
            (fixture!("rsapss.spki.pem"), Unsupported::KeyType),
            (
                fixture!("p256.spki-explicit.pem"),
                Unsupported::Curve("explicit parameters"),
            ),
        ];
        for (fixture, why) in cases {
            assert_eq!(
                parse_spki(&der(fixture)),
                Err(Error::Unsupported(*why)),
                "{why:?}"
            );
        }
    }

    #[test]
    fn unsupported_private_keys() {
        let cases: &[(&[u8], Error)] = &[
            (
                fixture!("p521.pkcs8.pem"),
                Unsupported::Curve("P-521").into(),
            ),
            (
                fixture!("secp256k1.pkcs8.pem"),
                Unsupported::Curve("secp256k1").into(),
            ),
            (fixture!("rsapss.pkcs8.pem"), Unsupported::KeyType.into()),
            (
                fixture!("rsa3prime.pkcs8.pem"),
                Unsupported::RsaKeyShape.into(),
            ),
        ];
        for (fixture, why) in cases {
            assert_eq!(pkcs8_kind(&der(fixture)).as_ref(), Err(why));
        }
        assert_eq!(
            rsa_pkcs1_to_pkcs8(&der(fixture!("rsa3prime.pkcs1.pem"))).err(),
            Some(Unsupported::RsaKeyShape.into())
        );
        assert_eq!(
            sec1_to_pkcs8(&der(fixture!("p256.sec1-explicit.pem"))).err(),
            Some(Unsupported::Curve("explicit parameters").into())
        );
    }

    #[test]
    fn spki_reencodes_byte_for_byte() {
        for fixture in SPKI_FIXTURES {
            let der = der(fixture);
            assert_eq!(spki(&parse_spki(&der).unwrap()), der);
        }
    }

    #[test]
    fn spki_writes_minimal_integers() {
        let written = spki(&PublicKeyInfo::Rsa {
            n: &[0, 0, 0x80, 1],
            e: &[0, 3],
        });
        assert_eq!(
            parse_spki(&written).unwrap(),
            PublicKeyInfo::Rsa {
                n: &[0x80, 1],
                e: &[3]
            }
        );
        assert!(written.ends_with(&[0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x03]));
    }

    #[test]
    fn rsa_public_pkcs1_matches_spki() {
        let pkcs1 = der(fixture!("rsa2048.pkcs1-public.pem"));
        let spki_der = der(fixture!("rsa2048.spki.pem"));
        let PublicKeyInfo::Rsa { n, e } = parse_spki(&spki_der).unwrap() else {
            panic!("not RSA");
        };
        assert_eq!(parse_rsa_public_pkcs1(&pkcs1).unwrap(), (n, e));
    }

    #[test]
    fn pkcs8_fixtures_parse_to_their_kind() {
        for (fixture, kind) in PKCS8_FIXTURES {
            assert_eq!(pkcs8_kind(&der(fixture)).unwrap(), *kind);
        }
        assert_eq!(
            pkcs8_kind(fixture!("rsa2048.pkcs8.der")).unwrap(),
            PrivateKeyKind::Rsa
        );
    }

    #[test]
    fn encrypted_pkcs8_is_reported() {
        assert_eq!(
            pkcs8_kind(fixture!("p256.encrypted-pkcs8.der")),
            Err(KeyRejected::Encrypted.into())
        );
    }

    #[test]
    fn ring_reads_rsa_fixtures_and_agrees_on_the_public_key() {
        for (private, public) in [
            (fixture!("rsa2048.pkcs8.pem"), fixture!("rsa2048.spki.pem")),
            (fixture!("rsa4096.pkcs8.pem"), fixture!("rsa4096.spki.pem")),
        ] {
            let pkcs8 = der(private);
            let spki_der = der(public);
            let PublicKeyInfo::Rsa { n, e } = parse_spki(&spki_der).unwrap() else {
                panic!("not RSA");
            };
            let pair = RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
            assert_eq!(
                parse_rsa_public_pkcs1(pair.public_key().as_ref()).unwrap(),
                (n, e)
            );
            assert_eq!(rsa_private_public_parts(&pkcs8).unwrap(), (n, e));
            // Rebuilt from its components, the document is the same, byte for byte.
            let rebuilt = pkcs8_rsa(&rsa_private_components(&pkcs8).unwrap());
            assert_eq!(rebuilt.expose(), pkcs8);
            RsaKeyPair::from_pkcs8(rebuilt.expose()).unwrap();
        }
    }

    #[test]
    fn rsa_pkcs1_converts_to_the_openssl_pkcs8() {
        let converted = rsa_pkcs1_to_pkcs8(&der(fixture!("rsa2048.pkcs1.pem"))).unwrap();
        assert_eq!(converted.expose(), fixture!("rsa2048.pkcs8.der"));
        RsaKeyPair::from_pkcs8(converted.expose()).unwrap();
    }

    #[test]
    fn sec1_converts_to_the_openssl_pkcs8() {
        for (sec1, pkcs8, spki_pem, curve) in [
            (
                fixture!("p256.sec1.pem"),
                fixture!("p256.pkcs8.pem"),
                fixture!("p256.spki.pem"),
                Curve::P256,
            ),
            (
                fixture!("p256.sec1-params.pem"),
                fixture!("p256.pkcs8.pem"),
                fixture!("p256.spki.pem"),
                Curve::P256,
            ),
            (
                fixture!("p384.sec1.pem"),
                fixture!("p384.pkcs8.pem"),
                fixture!("p384.spki.pem"),
                Curve::P384,
            ),
            (
                fixture!("p384.sec1-params.pem"),
                fixture!("p384.pkcs8.pem"),
                fixture!("p384.spki.pem"),
                Curve::P384,
            ),
        ] {
            let (got_curve, converted) = sec1_to_pkcs8(&der(sec1)).unwrap();
            assert_eq!(got_curve, curve);
            assert_eq!(converted.expose(), der(pkcs8));
            let pair = ring_ec(curve, converted.expose());
            let spki_der = der(spki_pem);
            let PublicKeyInfo::Ec { point, .. } = parse_spki(&spki_der).unwrap() else {
                panic!("not EC");
            };
            assert_eq!(pair.public_key().as_ref(), point);
        }
    }

    #[test]
    fn sec1_needs_its_parameters_and_public_key() {
        assert_eq!(
            sec1_to_pkcs8(&der(fixture!("p256.sec1-nopub.pem"))).err(),
            Some(KeyRejected::InvalidComponent("public key").into())
        );
        // openssl's PKCS#8 holds an ECPrivateKey without [0] parameters.
        let pkcs8 = der(fixture!("p256.pkcs8.pem"));
        let info = private_key_info(&pkcs8).unwrap();
        assert_eq!(sec1_to_pkcs8(info.private_key).err(), Some(der_err()));
    }

    #[test]
    fn ring_needs_the_ec_public_key() {
        // A PKCS#8 document whose ECPrivateKey lacks [1] publicKey: ring refuses it.
        let openssl = der(fixture!("p256.pkcs8.pem"));
        let EcPrivateParts { curve, d, point } = ec_private_parts(&openssl).unwrap();
        assert!(point.is_some());
        let inner = tlv(SEQUENCE, &[VERSION_1, &tlv(OCTET_STRING, &[d])]);
        let pkcs8 = tlv(
            SEQUENCE,
            &[
                VERSION_0,
                &ec_algorithm(curve),
                &tlv(OCTET_STRING, &[&inner]),
            ],
        );
        assert_eq!(pkcs8_kind(&pkcs8).unwrap(), PrivateKeyKind::Ec(curve));
        assert_eq!(ec_private_parts(&pkcs8).unwrap().point, None);
        assert!(
            EcdsaKeyPair::from_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &pkcs8,
                &SystemRandom::new()
            )
            .is_err()
        );
    }

    #[test]
    fn pkcs8_ec_round_trips_through_ring() {
        for (fixture, spki_pem) in [
            (fixture!("p256.pkcs8.pem"), fixture!("p256.spki.pem")),
            (fixture!("p384.pkcs8.pem"), fixture!("p384.spki.pem")),
        ] {
            let pkcs8 = der(fixture);
            let EcPrivateParts { curve, d, point } = ec_private_parts(&pkcs8).unwrap();
            assert_eq!(d.len(), curve.coordinate_len());
            let spki_der = der(spki_pem);
            assert_eq!(
                parse_spki(&spki_der).unwrap(),
                PublicKeyInfo::Ec {
                    curve,
                    point: point.unwrap()
                }
            );
            let rebuilt = pkcs8_ec(curve, d, point.unwrap());
            assert_eq!(rebuilt.expose(), pkcs8);
            let pair = ring_ec(curve, rebuilt.expose());
            assert_eq!(pair.public_key().as_ref(), point.unwrap());
        }
    }

    #[test]
    fn ed25519_v1_and_v2() {
        let pkcs8 = der(fixture!("ed25519.pkcs8.pem"));
        let spki_der = der(fixture!("ed25519.spki.pem"));
        let PublicKeyInfo::Ed25519(public) = parse_spki(&spki_der).unwrap() else {
            panic!("not Ed25519");
        };
        // openssl writes v1, which only `from_pkcs8_maybe_unchecked` takes.
        assert!(Ed25519KeyPair::from_pkcs8(&pkcs8).is_err());
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).unwrap();
        assert_eq!(pair.public_key().as_ref(), public);

        let seed = ed25519_private_seed(&pkcs8).unwrap();
        let v2 = pkcs8_ed25519(seed, public.try_into().unwrap());
        let pair = Ed25519KeyPair::from_pkcs8(v2.expose()).unwrap();
        assert_eq!(pair.public_key().as_ref(), public);
        assert_eq!(pkcs8_kind(v2.expose()).unwrap(), PrivateKeyKind::Ed25519);
        assert_eq!(ed25519_private_seed(v2.expose()).unwrap(), seed);

        // ring's own v2 documents read back.
        let generated = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        assert_eq!(
            pkcs8_kind(generated.as_ref()).unwrap(),
            PrivateKeyKind::Ed25519
        );
    }

    #[test]
    fn helpers_reject_other_key_types() {
        let rsa = der(fixture!("rsa2048.pkcs8.pem"));
        let ec = der(fixture!("p256.pkcs8.pem"));
        assert_eq!(ec_private_parts(&rsa).err().unwrap(), der_err());
        assert_eq!(ed25519_private_seed(&ec).err(), Some(der_err()));
        assert_eq!(rsa_private_components(&ec).err(), Some(der_err()));
    }

    /// A document, and whether the parser meant for it reads it.
    type Document = (Vec<u8>, fn(&[u8]) -> bool);

    /// Every document, with the parser that must read it.
    fn documents() -> Vec<Document> {
        let spki_ok: fn(&[u8]) -> bool = |d| parse_spki(d).is_ok();
        let pkcs8_ok: fn(&[u8]) -> bool = |d| pkcs8_kind(d).is_ok();
        let mut docs: Vec<Document> = Vec::new();
        for fixture in SPKI_FIXTURES {
            docs.push((der(fixture), spki_ok));
        }
        for (fixture, _) in PKCS8_FIXTURES {
            docs.push((der(fixture), pkcs8_ok));
        }
        docs.push((der(fixture!("rsa2048.pkcs1.pem")), |d| {
            rsa_pkcs1_to_pkcs8(d).is_ok()
        }));
        docs.push((der(fixture!("rsa2048.pkcs1-public.pem")), |d| {
            parse_rsa_public_pkcs1(d).is_ok()
        }));
        docs.push((der(fixture!("p256.sec1.pem")), |d| sec1_to_pkcs8(d).is_ok()));
        docs.push((der(fixture!("p384.sec1.pem")), |d| sec1_to_pkcs8(d).is_ok()));
        docs
    }

    #[test]
    fn every_truncation_and_every_extension_fails() {
        for (doc, parses) in documents() {
            assert!(parses(&doc));
            for len in 0..doc.len() {
                assert!(!parses(&doc[..len]), "prefix of {len} bytes parsed");
            }
            for extra in [&[0u8][..], &[0, 0], &[5, 0]] {
                let mut longer = doc.clone();
                longer.extend_from_slice(extra);
                assert!(!parses(&longer), "trailing bytes accepted");
            }
        }
        // The encrypted document too.
        let encrypted = fixture!("p256.encrypted-pkcs8.der");
        for len in 0..encrypted.len() {
            assert_eq!(pkcs8_kind(&encrypted[..len]), Err(der_err()));
        }
    }

    #[test]
    fn every_single_byte_change_is_safe() {
        // No panic whatever byte changes; most changes are rejected.
        for (doc, parses) in documents() {
            for i in 0..doc.len() {
                for bit in [0x01u8, 0x80] {
                    let mut changed = doc.clone();
                    changed[i] ^= bit;
                    let _ = parses(&changed);
                }
            }
        }
    }

    #[test]
    fn lengths_must_be_minimal_and_definite() {
        let good = fixture!("p256.spki.der");
        assert_eq!(good[..2], [0x30, 0x59]);
        // Long form for a length under 128.
        let mut long_form = vec![0x30, 0x81, 0x59];
        long_form.extend_from_slice(&good[2..]);
        assert_eq!(parse_spki(&long_form), Err(der_err()));
        // Leading zero in a long-form length.
        let mut padded = vec![0x30, 0x82, 0x00, 0x59];
        padded.extend_from_slice(&good[2..]);
        assert_eq!(parse_spki(&padded), Err(der_err()));
        // Indefinite length.
        let mut indefinite = vec![0x30, 0x80];
        indefinite.extend_from_slice(&good[2..]);
        indefinite.extend_from_slice(&[0, 0]);
        assert_eq!(parse_spki(&indefinite), Err(der_err()));
        // The RSA fixture needs the long form, with two bytes.
        let rsa = fixture!("rsa2048.spki.der");
        assert_eq!(rsa[..2], [0x30, 0x82]);
        let mut five = vec![0x30, 0x85, 0, 0, 0];
        five.extend_from_slice(&rsa[2..]);
        assert_eq!(parse_spki(&five), Err(der_err()));
        // Multi-byte tags.
        assert_eq!(parse_spki(&[0x1f, 0x81, 0x00, 0x00]), Err(der_err()));
        // A length past the end, and one that overflows.
        assert_eq!(
            parse_spki(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            Err(der_err())
        );
    }

    #[test]
    fn integers_must_be_minimal_and_positive() {
        let rsa_public =
            |n: &[u8], e: &[u8]| tlv(SEQUENCE, &[&tlv(INTEGER, &[n]), &tlv(INTEGER, &[e])]);
        assert_eq!(
            parse_rsa_public_pkcs1(&rsa_public(&[0x00, 0x80], &[0x03])).unwrap(),
            (&[0x80][..], &[0x03][..])
        );
        assert_eq!(
            parse_rsa_public_pkcs1(&rsa_public(&[0x7f], &[0x01, 0x00])).unwrap(),
            (&[0x7f][..], &[0x01, 0x00][..])
        );
        for (n, e) in [
            (&[0x00, 0x7f][..], &[0x03][..]), // non-minimal
            (&[0x00, 0x00, 0x80], &[0x03]),   // non-minimal
            (&[0x80], &[0x03]),               // negative
            (&[0xff, 0x80], &[0x03]),         // negative
            (&[0x00], &[0x03]),               // zero
            (&[], &[0x03]),                   // empty
            (&[0x05], &[0x00, 0x03]),         // non-minimal exponent
        ] {
            assert_eq!(parse_rsa_public_pkcs1(&rsa_public(n, e)), Err(der_err()));
        }
        // A non-minimal version: 30 81 87 | 02 01 00 | rest.
        let pkcs8 = der(fixture!("p256.pkcs8.pem"));
        assert_eq!(pkcs8[..6], [0x30, 0x81, 0x87, 0x02, 0x01, 0x00]);
        let same = tlv(SEQUENCE, &[&[INTEGER, 0x01, 0x00], &pkcs8[6..]]);
        assert_eq!(*same, pkcs8);
        let bad_version = tlv(SEQUENCE, &[&[INTEGER, 0x02, 0x00, 0x00], &pkcs8[6..]]);
        assert_eq!(pkcs8_kind(&bad_version), Err(der_err()));
        let version_2 = tlv(SEQUENCE, &[&[INTEGER, 0x01, 0x02], &pkcs8[6..]]);
        assert_eq!(pkcs8_kind(&version_2), Err(der_err()));
    }

    #[test]
    fn bit_strings_must_have_no_unused_bits() {
        let mut spki_der = fixture!("p256.spki.der").to_vec();
        // SEQUENCE { SEQUENCE (21 bytes), BIT STRING 66 bytes: 03 42 00 04 ... }
        assert_eq!(spki_der[23..26], [0x03, 0x42, 0x00]);
        spki_der[25] = 0x01;
        assert_eq!(parse_spki(&spki_der), Err(der_err()));
    }

    #[test]
    fn points_must_be_uncompressed_and_of_the_curve() {
        let good = der(fixture!("p256.spki.pem"));
        let PublicKeyInfo::Ec { point, .. } = parse_spki(&good).unwrap() else {
            panic!("not EC");
        };
        let mut compressed = vec![0x02 | (point[64] & 1)];
        compressed.extend_from_slice(&point[1..33]);
        for bad in [&compressed[..], &point[..64]] {
            let written = spki(&PublicKeyInfo::Ec {
                curve: Curve::P256,
                point: bad,
            });
            assert_eq!(parse_spki(&written), Err(bad_public_key()));
        }
        let written = spki(&PublicKeyInfo::Ec {
            curve: Curve::P384,
            point,
        });
        assert_eq!(parse_spki(&written), Err(bad_public_key()));
        let written = spki(&PublicKeyInfo::Ed25519(&[7; 31]));
        assert_eq!(parse_spki(&written), Err(bad_public_key()));
    }

    #[test]
    fn algorithm_parameters_are_strict() {
        // rsaEncryption without its NULL.
        let rsa = der(fixture!("rsa2048.spki.pem"));
        let PublicKeyInfo::Rsa { n, e } = parse_spki(&rsa).unwrap() else {
            panic!("not RSA");
        };
        let key = tlv(SEQUENCE, &[&integer(n), &integer(e)]);
        let no_null = tlv(
            SEQUENCE,
            &[
                &tlv(SEQUENCE, &[&tlv(OID, &[oid::RSA_ENCRYPTION])]),
                &tlv(BIT_STRING, &[NO_UNUSED_BITS, &key]),
            ],
        );
        assert_eq!(parse_spki(&no_null), Err(der_err()));
        // Ed25519 with parameters.
        let with_params = tlv(
            SEQUENCE,
            &[
                &tlv(SEQUENCE, &[&tlv(OID, &[oid::ED25519]), &[NULL, 0]]),
                &tlv(BIT_STRING, &[NO_UNUSED_BITS, &[0; 32]]),
            ],
        );
        assert_eq!(parse_spki(&with_params), Err(der_err()));
        // An unknown algorithm.
        let unknown = tlv(
            SEQUENCE,
            &[
                &tlv(SEQUENCE, &[&tlv(OID, &[&[0x2a, 0x03]])]),
                &tlv(BIT_STRING, &[NO_UNUSED_BITS]),
            ],
        );
        assert_eq!(parse_spki(&unknown), Err(Unsupported::KeyType.into()));
    }

    #[test]
    fn pkcs8_v1_must_not_carry_a_public_key() {
        let pkcs8 = der(fixture!("ed25519.pkcs8.pem"));
        let spki_der = der(fixture!("ed25519.spki.pem"));
        let PublicKeyInfo::Ed25519(public) = parse_spki(&spki_der).unwrap() else {
            panic!("not Ed25519");
        };
        let mut v1_with_public = pkcs8[2..].to_vec();
        v1_with_public.extend_from_slice(&tlv(CONTEXT_1_PRIMITIVE, &[NO_UNUSED_BITS, public]));
        let v1_with_public = tlv(SEQUENCE, &[&v1_with_public]);
        assert_eq!(pkcs8_kind(&v1_with_public), Err(der_err()));
    }

    #[test]
    fn secrets_are_sized_exactly() {
        // The writers allocate each buffer at its final size.
        for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536] {
            let value = vec![1u8; len];
            let out = tlv(OCTET_STRING, &[&value]);
            assert_eq!(out.len(), out.capacity());
            assert_eq!(single(&out, OCTET_STRING).unwrap(), value);
        }
    }
}
