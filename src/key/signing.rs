//! Private keys for RSA, ECDSA and Ed25519 signing.

use alloc::string::{String, ToString};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};

use super::der::{self, PrivateKeyKind};
use super::pem::{self, Label};
use super::verifying::{RSA_MIN_BITS, VerifyingKey};
use super::{bit_len, sealed, wrong_algorithm};
use crate::error::{Error, KeyRejected, Unsupported};
use crate::jwa::{Algorithm, Family};
use crate::secret::Secret;

/// The largest RSA modulus `ring` signs with, in bits.
const RSA_SIGNING_MAX_BITS: usize = 4096;

/// A private key bound to one asymmetric algorithm, for signing.
///
/// Read from PKCS#8, PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`), DER or PEM, or
/// generated (ECDSA and Ed25519: `ring` cannot generate RSA keys). `ring` checks that the
/// private and public parts agree. An RSA signing key has 2048..=4096 bits (ring's range for
/// private keys). The key's PKCS#8 document is kept, zeroized on drop, for export; `ring`'s
/// own key state is not zeroized.
///
/// ```
/// use jose_ring::{jwa, SigningKey};
/// let key = SigningKey::generate(&jwa::Ed25519)?.with_kid("2026-11");
/// assert_eq!(format!("{key:?}"), r#"SigningKey { alg: "Ed25519", kid: Some("2026-11"), .. }"#);
/// # Ok::<(), jose_ring::Error>(())
/// ```
pub struct SigningKey {
    alg: &'static Algorithm,
    pair: Pair,
    /// The public half, derived and checked once when the key is built.
    public: VerifyingKey,
    pkcs8: Secret,
    kid: Option<String>,
    /// See [`sealed::Sign::jwt_header`].
    jwt_header: Result<String, Error>,
}

super::bound_key!(SigningKey, Signer);

enum Pair {
    Rsa {
        pair: RsaKeyPair,
        padding: &'static dyn signature::RsaEncoding,
    },
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

impl SigningKey {
    /// Reads a PEM `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY`
    /// (SEC1) document.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Encrypted`] for an encrypted key, [`KeyRejected::Pem`] for another label
    /// or a broken document, and the errors of the DER constructors.
    pub fn from_pem(alg: &'static Algorithm, pem: &[u8]) -> Result<Self, Error> {
        let doc = pem::parse(pem)?;
        match doc.label {
            Label::PrivateKey => Self::from_pkcs8(alg, doc.der),
            Label::RsaPrivateKey => Self::from_pkcs1_der(alg, doc.der.expose()),
            Label::EcPrivateKey => Self::from_sec1_der(alg, doc.der.expose()),
            _ => Err(KeyRejected::Pem.into()),
        }
    }

    /// Reads a DER PKCS#8 `PrivateKeyInfo` or `OneAsymmetricKey` (RFC 5208, RFC 5958).
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Der`] for malformed DER, [`KeyRejected::Encrypted`] for an
    /// `EncryptedPrivateKeyInfo`, [`Error::Unsupported`] for a key type or curve `ring` lacks,
    /// [`KeyRejected::WrongAlgorithm`] for a key that does not fit `alg`,
    /// [`KeyRejected::RsaModulusSize`] for an RSA modulus outside 2048..=4096 bits, and
    /// [`KeyRejected::Inconsistent`] when `ring` finds the parts do not agree.
    pub fn from_pkcs8_der(alg: &'static Algorithm, der: &[u8]) -> Result<Self, Error> {
        Self::from_pkcs8(alg, Secret::copy_from(der))
    }

    /// Reads a DER PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2).
    ///
    /// # Errors
    ///
    /// As [`from_pkcs8_der`](Self::from_pkcs8_der); [`Unsupported::RsaKeyShape`] for a
    /// multi-prime key.
    pub fn from_pkcs1_der(alg: &'static Algorithm, der: &[u8]) -> Result<Self, Error> {
        Self::from_pkcs8(alg, der::rsa_pkcs1_to_pkcs8(der)?)
    }

    /// Reads a DER SEC1 `ECPrivateKey` (RFC 5915) that names its curve and holds its public
    /// key (as OpenSSL writes them).
    ///
    /// # Errors
    ///
    /// As [`from_pkcs8_der`](Self::from_pkcs8_der).
    pub fn from_sec1_der(alg: &'static Algorithm, der: &[u8]) -> Result<Self, Error> {
        let (_, pkcs8) = der::sec1_to_pkcs8(der)?;
        Self::from_pkcs8(alg, pkcs8)
    }

    /// Generates a key pair for `ES256`, `ES384`, `Ed25519` or `EdDSA` from the operating
    /// system's generator.
    ///
    /// # Errors
    ///
    /// [`Unsupported::RsaKeyGeneration`] for RS* and PS* (generate RSA keys with OpenSSL and
    /// read them with [`from_pem`](Self::from_pem)), [`KeyRejected::WrongAlgorithm`] for HS*
    /// (use [`HmacKey::generate`](crate::HmacKey::generate)), [`KeyRejected::Rng`] if the
    /// generator fails.
    pub fn generate(alg: &'static Algorithm) -> Result<Self, Error> {
        let rng = SystemRandom::new();
        let document = match alg.family {
            Family::Ecdsa { sign, .. } => EcdsaKeyPair::generate_pkcs8(sign, &rng),
            Family::Ed25519 { .. } => Ed25519KeyPair::generate_pkcs8(&rng),
            Family::Rsa { .. } => return Err(Unsupported::RsaKeyGeneration.into()),
            Family::Hmac { .. } => return Err(wrong_algorithm(alg)),
        }
        .map_err(|_| KeyRejected::Rng)?;
        Self::from_pkcs8(alg, Secret::copy_from(document.as_ref()))
    }

    pub(crate) fn from_pkcs8(alg: &'static Algorithm, pkcs8: Secret) -> Result<Self, Error> {
        let der = pkcs8.expose();
        let kind = der::pkcs8_kind(der)?;
        let rejected = |why: ring::error::KeyRejected| rejected(alg, why);
        let (pair, public) = match (alg.family, kind) {
            (Family::Rsa { sign, .. }, PrivateKeyKind::Rsa) => {
                // Counted before ring sees the key, so the error can say how many bits.
                let der::RsaPrivateComponents { n, e, .. } = der::rsa_private_components(der)?;
                let bits = bit_len(n);
                if !(RSA_MIN_BITS..=RSA_SIGNING_MAX_BITS).contains(&bits) {
                    return Err(KeyRejected::RsaModulusSize { bits }.into());
                }
                let public = VerifyingKey::from_rsa_components(alg, n, e)?;
                let pair = RsaKeyPair::from_pkcs8(der).map_err(rejected)?;
                let pair = Pair::Rsa {
                    pair,
                    padding: sign,
                };
                pairwise_check(&pair, &public)?;
                (pair, public)
            }
            (Family::Ecdsa { curve, sign, .. }, PrivateKeyKind::Ec(found)) if found == curve => {
                let rng = SystemRandom::new();
                let pair = EcdsaKeyPair::from_pkcs8(sign, der, &rng).map_err(rejected)?;
                let public = VerifyingKey::from_own_ec_point(alg, pair.public_key().as_ref())?;
                (Pair::Ecdsa(pair), public)
            }
            (Family::Ed25519 { .. }, PrivateKeyKind::Ed25519) => {
                let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(rejected)?;
                let public = VerifyingKey::from_ed25519_bytes(alg, pair.public_key().as_ref())?;
                (Pair::Ed25519(pair), public)
            }
            _ => return Err(wrong_algorithm(alg)),
        };
        Ok(Self {
            alg,
            pair,
            public,
            pkcs8,
            kid: None,
            jwt_header: super::jwt_header(alg, None),
        })
    }

    /// The public half, bound to the same algorithm and carrying the same `kid`.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        let public = self.public.clone();
        match &self.kid {
            Some(kid) => public.with_kid(kid.clone()),
            None => public,
        }
    }

    /// The private key as a DER PKCS#8 document. Handle the result as the secret it is.
    #[must_use]
    pub fn to_pkcs8_der(&self) -> Secret {
        Secret::copy_from(self.pkcs8.expose())
    }

    /// The private key as a PEM `PRIVATE KEY` document. Handle the result as the secret it is.
    #[must_use]
    pub fn to_pkcs8_pem(&self) -> Secret {
        Secret::new(pem::encode(Label::PrivateKey, self.pkcs8.expose()).into_bytes())
    }
}

/// Signs and verifies once: ring checks `dp` and `dq` only when it signs (and never uses
/// `d`), so a key whose CRT parameters do not match would otherwise be accepted here and fail
/// at every signature.
fn pairwise_check(pair: &Pair, public: &VerifyingKey) -> Result<(), Error> {
    const PROBE: &[u8] = b"jose-ring: pairwise consistency test";
    let inconsistent = |_| Error::from(KeyRejected::Inconsistent);
    let signature = pair.sign(PROBE).map_err(inconsistent)?;
    public
        .verify(PROBE, signature.as_ref())
        .map_err(inconsistent)
}

/// Maps ring's reason for rejecting a key pair to ours.
fn rejected(alg: &'static Algorithm, why: ring::error::KeyRejected) -> Error {
    let why = why.to_string();
    let ours = match why.as_str() {
        "InvalidEncoding" => KeyRejected::Der,
        "WrongAlgorithm" => KeyRejected::WrongAlgorithm {
            expected: alg.name(),
        },
        "PublicKeyIsMissing" => KeyRejected::InvalidComponent("public key"),
        "VersionNotSupported" => return Unsupported::RsaKeyShape.into(),
        _ => KeyRejected::Inconsistent,
    };
    ours.into()
}

impl sealed::Sign for SigningKey {
    fn sign(&self, message: &[u8]) -> Result<sealed::RawSignature, Error> {
        self.pair.sign(message)
    }

    fn jwt_header(&self) -> Result<&str, Error> {
        self.jwt_header.as_deref().map_err(Clone::clone)
    }

    fn signature_len(&self) -> usize {
        match &self.pair {
            Pair::Rsa { pair, .. } => pair.public().modulus_len(),
            // The fixed-length encoding: both coordinates, as in the uncompressed point.
            Pair::Ecdsa(pair) => pair.public_key().as_ref().len().saturating_sub(1),
            Pair::Ed25519(_) => 64, // RFC 8032 §5.1.6
        }
    }
}

impl Pair {
    fn sign(&self, message: &[u8]) -> Result<sealed::RawSignature, Error> {
        let rng = SystemRandom::new();
        match self {
            Self::Rsa { pair, padding } => {
                let mut signature = sealed::RawSignature::zeroed(pair.public().modulus_len())
                    .ok_or(Error::SigningFailed)?;
                pair.sign(*padding, &rng, message, signature.as_mut())
                    .map_err(|_| Error::SigningFailed)?;
                Ok(signature)
            }
            Self::Ecdsa(pair) => pair
                .sign(&rng, message)
                .ok()
                .and_then(|s| sealed::RawSignature::copy(s.as_ref()))
                .ok_or(Error::SigningFailed),
            Self::Ed25519(pair) => {
                sealed::RawSignature::copy(pair.sign(message).as_ref()).ok_or(Error::SigningFailed)
            }
        }
    }
}
