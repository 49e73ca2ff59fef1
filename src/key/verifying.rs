//! Public keys for RSA, ECDSA and Ed25519 verification.

use alloc::string::String;
use alloc::vec::Vec;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};

use super::der::{self, PublicKeyInfo};
use super::pem::{self, Label};
use super::{bit_len, strip_zeros, weak, wrong_algorithm};
use crate::error::{Error, KeyRejected};
use crate::jwa::{Algorithm, Curve, Family};

/// The smallest RSA modulus accepted, in bits (RFC 7518 §3.3, counted exactly).
pub(crate) const RSA_MIN_BITS: usize = 2048;
/// The largest RSA modulus accepted for verification, in bits.
pub(crate) const RSA_MAX_BITS: usize = 8192;

/// A public key bound to one asymmetric algorithm, for verification.
///
/// Built once from SPKI or PKCS#1 (DER or PEM), from RSA components, from an uncompressed EC
/// point or from a raw Ed25519 key, and checked then: an RSA modulus of 2048..=8192 bits
/// counted exactly, an exponent ring accepts and no ROCA structure; an EC point on its curve; an
/// Ed25519 key canonical and not of small order. Verification then
/// does no parsing beyond what `ring` does per signature.
///
/// ```
/// use jose_ring::{jwa, SigningKey};
/// let signer = SigningKey::generate(&jwa::ES256)?;
/// let public = signer.verifying_key();
/// assert_eq!(public.algorithm(), &jwa::ES256);
/// let pem = public.to_spki_pem();
/// assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
/// let again = jose_ring::VerifyingKey::from_pem(&jwa::ES256, pem.as_bytes())?;
/// assert_eq!(again.to_spki_der(), public.to_spki_der());
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    alg: &'static Algorithm,
    public: Public,
    kid: Option<String>,
}

super::bound_key!(VerifyingKey);

#[derive(Clone)]
enum Public {
    Rsa {
        params: &'static signature::RsaParameters,
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ecdsa {
        curve: Curve,
        point: UnparsedPublicKey<Vec<u8>>,
    },
    Ed25519(UnparsedPublicKey<Vec<u8>>),
}

impl VerifyingKey {
    /// Reads a PEM `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) document.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Pem`] for another label or a broken document, and the errors of
    /// [`from_spki_der`](Self::from_spki_der) and [`from_pkcs1_der`](Self::from_pkcs1_der).
    pub fn from_pem(alg: &'static Algorithm, pem: &[u8]) -> Result<Self, Error> {
        let doc = pem::parse(pem)?;
        match doc.label {
            Label::PublicKey => Self::from_spki_der(alg, doc.der.expose()),
            Label::RsaPublicKey => Self::from_pkcs1_der(alg, doc.der.expose()),
            _ => Err(KeyRejected::Pem.into()),
        }
    }

    /// Reads a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7) for RSA, P-256, P-384 or
    /// Ed25519.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Der`] for malformed DER, [`Error::Unsupported`] for a key type or curve
    /// `ring` lacks, [`KeyRejected::WrongAlgorithm`] for a key that does not fit `alg`, and the
    /// range checks of the other constructors.
    pub fn from_spki_der(alg: &'static Algorithm, der: &[u8]) -> Result<Self, Error> {
        match der::parse_spki(der)? {
            PublicKeyInfo::Rsa { n, e } => Self::from_rsa_components(alg, n, e),
            PublicKeyInfo::Ec { curve, point } => Self::checked_ec(alg, curve, point),
            PublicKeyInfo::Ed25519(key) => Self::from_ed25519_bytes(alg, key),
        }
    }

    /// Reads a DER PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1).
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Der`] for malformed DER, and the errors of
    /// [`from_rsa_components`](Self::from_rsa_components).
    pub fn from_pkcs1_der(alg: &'static Algorithm, der: &[u8]) -> Result<Self, Error> {
        let (n, e) = der::parse_rsa_public_pkcs1(der)?;
        Self::from_rsa_components(alg, n, e)
    }

    /// Builds an RSA key from its modulus `n` and exponent `e`, big-endian (leading zero
    /// bytes are ignored).
    ///
    /// # Errors
    ///
    /// [`KeyRejected::WrongAlgorithm`] unless `alg` is an RS* or PS* algorithm,
    /// [`KeyRejected::RsaModulusSize`] unless `n` has 2048..=8192 bits,
    /// [`KeyRejected::InvalidComponent`] for an even modulus, [`KeyRejected::RsaExponent`]
    /// unless `e` is odd and in 3..2^33, [`KeyRejected::RocaModulus`] for a modulus with the
    /// ROCA structure (CVE-2017-15361), which anyone can factor.
    pub fn from_rsa_components(alg: &'static Algorithm, n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let Family::Rsa { verify, .. } = alg.family else {
            return Err(wrong_algorithm(alg));
        };
        let (n, e) = (strip_zeros(n), strip_zeros(e));
        let bits = bit_len(n);
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
            return Err(KeyRejected::RsaModulusSize { bits }.into());
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(KeyRejected::InvalidComponent("n").into());
        }
        let e_ok = e.last().is_some_and(|b| b & 1 == 1) && (2..=33).contains(&bit_len(e));
        if !e_ok {
            return Err(KeyRejected::RsaExponent.into());
        }
        weak::check_rsa_modulus(n)?;
        let public = Public::Rsa {
            params: verify,
            n: n.to_vec(),
            e: e.to_vec(),
        };
        Ok(Self {
            alg,
            public,
            kid: None,
        })
    }

    /// Builds an ECDSA key from an uncompressed SEC1 point (`0x04 || X || Y`), checking that
    /// it lies on the curve of `alg`.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::WrongAlgorithm`] unless `alg` is `ES256` or `ES384`,
    /// [`KeyRejected::InvalidComponent`] for a point of the wrong form or length or not on the
    /// curve.
    pub fn from_ec_point(alg: &'static Algorithm, point: &[u8]) -> Result<Self, Error> {
        let Family::Ecdsa { curve, .. } = alg.family else {
            return Err(wrong_algorithm(alg));
        };
        Self::checked_ec(alg, curve, point)
    }

    fn checked_ec(alg: &'static Algorithm, curve: Curve, point: &[u8]) -> Result<Self, Error> {
        let Family::Ecdsa {
            curve: wanted,
            verify,
            ..
        } = alg.family
        else {
            return Err(wrong_algorithm(alg));
        };
        if curve != wanted {
            return Err(wrong_algorithm(alg));
        }
        check_point(curve, point)?;
        Ok(Self::ec_unchecked(alg, curve, verify, point))
    }

    /// The public half of an ECDSA key pair of ring's, whose point ring computed from the
    /// private key it validated: on the curve by construction, so not checked again (the check
    /// is one ECDH agreement, about 100 µs for P-256 and 500 µs for P-384).
    pub(crate) fn from_own_ec_point(alg: &'static Algorithm, point: &[u8]) -> Result<Self, Error> {
        let Family::Ecdsa { curve, verify, .. } = alg.family else {
            return Err(wrong_algorithm(alg));
        };
        Ok(Self::ec_unchecked(alg, curve, verify, point))
    }

    fn ec_unchecked(
        alg: &'static Algorithm,
        curve: Curve,
        verify: &'static signature::EcdsaVerificationAlgorithm,
        point: &[u8],
    ) -> Self {
        let public = Public::Ecdsa {
            curve,
            point: UnparsedPublicKey::new(verify, point.to_vec()),
        };
        Self {
            alg,
            public,
            kid: None,
        }
    }

    /// Builds an Ed25519 key from its 32 bytes (RFC 8032 §5.1.5).
    ///
    /// # Errors
    ///
    /// [`KeyRejected::WrongAlgorithm`] unless `alg` is `Ed25519` or `EdDSA`,
    /// [`KeyRejected::InvalidComponent`] unless `key` is 32 bytes,
    /// [`KeyRejected::NonCanonicalPoint`] for an encoding whose `y` is not below 2^255 − 19, and
    /// [`KeyRejected::SmallOrderPoint`] for any encoding of the eight points of small order
    /// (with such a key, fixed signatures verify for every message).
    pub fn from_ed25519_bytes(alg: &'static Algorithm, key: &[u8]) -> Result<Self, Error> {
        let Family::Ed25519 { .. } = alg.family else {
            return Err(wrong_algorithm(alg));
        };
        let bytes = <&[u8; 32]>::try_from(key).map_err(|_| KeyRejected::InvalidComponent("x"))?;
        weak::check_ed25519(bytes)?;
        let public = Public::Ed25519(UnparsedPublicKey::new(&signature::ED25519, key.to_vec()));
        Ok(Self {
            alg,
            public,
            kid: None,
        })
    }

    /// The key as a DER `SubjectPublicKeyInfo`.
    #[must_use]
    pub fn to_spki_der(&self) -> Vec<u8> {
        der::spki(&self.info())
    }

    /// The key as a PEM `PUBLIC KEY` document (64-character lines, LF line ends).
    #[must_use]
    pub fn to_spki_pem(&self) -> String {
        pem::encode(Label::PublicKey, &self.to_spki_der())
    }

    /// The key material, as SPKI knows it.
    pub(crate) fn info(&self) -> PublicKeyInfo<'_> {
        match &self.public {
            Public::Rsa { n, e, .. } => PublicKeyInfo::Rsa { n, e },
            Public::Ecdsa { curve, point } => PublicKeyInfo::Ec {
                curve: *curve,
                point: point.as_ref(),
            },
            Public::Ed25519(key) => PublicKeyInfo::Ed25519(key.as_ref()),
        }
    }

    /// Checks `signature` over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let result = match &self.public {
            Public::Rsa { params, n, e } => {
                RsaPublicKeyComponents { n, e }.verify(params, message, signature)
            }
            Public::Ecdsa { point, .. } => point.verify(message, signature),
            Public::Ed25519(key) => key.verify(message, signature),
        };
        result.map_err(|_| Error::InvalidSignature)
    }
}

/// Checks that `point` is an uncompressed point on `curve`.
///
/// ring has no call that only validates a public key, but ECDH validates the peer's point
/// (on the curve, not the identity) before using it: one agreement with a throw-away key does
/// the check, once, when the key is built.
fn check_point(curve: Curve, point: &[u8]) -> Result<(), Error> {
    let bad = || Error::from(KeyRejected::InvalidComponent("point"));
    if point.len() != curve.point_len() || point.first() != Some(&4) {
        return Err(bad());
    }
    let agreement = match curve {
        Curve::P256 => &ring::agreement::ECDH_P256,
        Curve::P384 => &ring::agreement::ECDH_P384,
    };
    let rng = ring::rand::SystemRandom::new();
    let ours = ring::agreement::EphemeralPrivateKey::generate(agreement, &rng)
        .map_err(|_| KeyRejected::Rng)?;
    let theirs = ring::agreement::UnparsedPublicKey::new(agreement, point);
    ring::agreement::agree_ephemeral(ours, &theirs, |_| ()).map_err(|_| bad())
}
