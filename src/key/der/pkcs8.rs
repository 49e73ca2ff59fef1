//! Reading PKCS#8 (`PrivateKeyInfo` v1 and `OneAsymmetricKey` v2, RFC 5958 §2) and the key
//! inside it, and wrapping PKCS#1 and SEC1 private keys into PKCS#8 for ring.

use super::pkcs1::rsa_private_key;
use super::reader::{Reader, Tag, bit_string, nested, single, small_integer};
use super::sec1::{EcPrivateKey, ec_point, ec_private_key, ec_scalar};
use super::spki::{Algorithm, algorithm, ed25519_public};
use super::writer::{pkcs8_ec, pkcs8_rsa};
use super::{PrivateKeyKind, RsaPrivateComponents, bad_public_key, der_error};
use crate::error::{Error, KeyRejected};
use crate::jwa::Curve;
use crate::secret::Secret;

/// Identifies the key in a PKCS#8 document (v1 `PrivateKeyInfo` or v2 `OneAsymmetricKey`),
/// checking the whole structure, the private key inside included, without building the key.
///
/// Note that ring takes RSA and EC keys in PKCS#8 v1 only, and EC keys only with their public
/// key inside the `ECPrivateKey`: [`pkcs8_ec`] writes such a key.
///
/// # Errors
///
/// [`KeyRejected::Encrypted`] for an `EncryptedPrivateKeyInfo`; [`KeyRejected::Der`] for
/// malformed DER or structure; [`Unsupported::RsaKeyShape`] for a multi-prime RSA key;
/// [`Unsupported::Curve`] and [`Unsupported::KeyType`] as for
/// [`parse_spki`](super::parse_spki); [`KeyRejected::InvalidComponent`] for a private or
/// public key of the wrong length.
///
/// [`Unsupported::RsaKeyShape`]: crate::error::Unsupported::RsaKeyShape
/// [`Unsupported::Curve`]: crate::error::Unsupported::Curve
/// [`Unsupported::KeyType`]: crate::error::Unsupported::KeyType
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
/// that ring's `EcdsaKeyPair::from_pkcs8` reads.
///
/// The curve, returned with the document, is taken from `[0] parameters`; the document is
/// written as [`pkcs8_ec`] writes it
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
///
/// [`Unsupported::Curve`]: crate::error::Unsupported::Curve
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
///
/// [`Unsupported::RsaKeyShape`]: crate::error::Unsupported::RsaKeyShape
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

/// The private scalar of the EC key in a PKCS#8 document, exactly the curve's scalar length.
///
/// # Errors
///
/// As [`pkcs8_kind`]; [`KeyRejected::Der`] if the document does not hold an EC key.
pub(crate) fn ec_private_scalar(pkcs8: &[u8]) -> Result<&[u8], Error> {
    let info = private_key_info(pkcs8)?;
    match info.algorithm {
        Algorithm::Ec(curve) => Ok(pkcs8_ec_inner(curve, &info)?.d),
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

/// The fields of a PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5958 §2).
pub(super) struct PrivateKeyInfo<'a> {
    /// The key algorithm.
    pub(super) algorithm: Algorithm,
    /// The value of the `privateKey` OCTET STRING.
    pub(super) private_key: &'a [u8],
    /// The contents of the v2 `[1] publicKey` BIT STRING, if present.
    pub(super) public_key: Option<&'a [u8]>,
}

/// Reads a PKCS#8 document, v1 or v2; an `EncryptedPrivateKeyInfo` is reported as encrypted.
pub(super) fn private_key_info(der: &[u8]) -> Result<PrivateKeyInfo<'_>, Error> {
    nested(der, Tag::Sequence, |reader| {
        let (tag, value) = reader.any()?;
        let version = if tag == Tag::Integer.byte() {
            small_integer(value)?
        } else if tag == Tag::Sequence.byte() {
            // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }
            reader.expect(Tag::OctetString)?;
            reader.finish()?;
            return Err(KeyRejected::Encrypted.into());
        } else {
            return Err(der_error());
        };
        if version > 1 {
            return Err(der_error());
        }
        let algorithm = algorithm(reader.expect(Tag::Sequence)?)?;
        let private_key = reader.expect(Tag::OctetString)?;
        if let Some(attributes) = reader.optional(Tag::ContextSpecificConstructed0)? {
            // [0] IMPLICIT SET OF Attribute; each Attribute is a SEQUENCE, not looked into.
            let mut attributes = Reader::new(attributes);
            while !attributes.is_empty() {
                attributes.expect(Tag::Sequence)?;
            }
        }
        let public_key = match reader.optional(Tag::ContextSpecificPrimitive1)? {
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
pub(super) fn pkcs8_ec_inner<'a>(
    curve: Curve,
    info: &PrivateKeyInfo<'a>,
) -> Result<EcPrivateKey<'a>, Error> {
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
    <&[u8; 32]>::try_from(single(info.private_key, Tag::OctetString)?)
        .map_err(|_| KeyRejected::InvalidComponent("d").into())
}
