//! Reading `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7) and the `AlgorithmIdentifier` it shares
//! with PKCS#8.

use super::pkcs1::parse_rsa_public_pkcs1;
use super::reader::{Reader, Tag, bit_string, nested};
use super::sec1::{ec_point, named_curve};
use super::{PublicKeyInfo, bad_public_key, der_error, oid};
use crate::error::{Error, Unsupported};
use crate::jwa::Curve;

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
///
/// [`KeyRejected::Der`]: crate::error::KeyRejected::Der
/// [`KeyRejected::InvalidComponent`]: crate::error::KeyRejected::InvalidComponent
pub(crate) fn parse_spki(der: &[u8]) -> Result<PublicKeyInfo<'_>, Error> {
    nested(der, Tag::Sequence, |reader| {
        let algorithm = algorithm(reader.expect(Tag::Sequence)?)?;
        let key = bit_string(reader.expect(Tag::BitString)?)?;
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

/// The key algorithms read from an `AlgorithmIdentifier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Algorithm {
    /// `rsaEncryption`.
    Rsa,
    /// `id-ecPublicKey` on a supported named curve.
    Ec(Curve),
    /// `id-Ed25519`.
    Ed25519,
}

/// Reads the value of an `AlgorithmIdentifier` SEQUENCE.
///
/// RSA needs NULL parameters, EC a named curve, Ed25519 no parameters (RFC 8410 §3).
pub(super) fn algorithm(value: &[u8]) -> Result<Algorithm, Error> {
    let mut reader = Reader::new(value);
    let algorithm = match reader.expect(Tag::Oid)? {
        oid::RSA_ENCRYPTION => {
            if !reader.expect(Tag::Null)?.is_empty() {
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

/// Checks that `public` is an Ed25519 public key of 32 bytes.
pub(super) fn ed25519_public(public: &[u8]) -> Result<&[u8], Error> {
    if public.len() == 32 {
        Ok(public)
    } else {
        Err(bad_public_key())
    }
}
