//! JSON Web Algorithms (RFC 7518, RFC 8037, RFC 9864): one `static` per signature algorithm.
//!
//! An [`Algorithm`] fixes every parameter (hash, padding, curve, signature format) and points at
//! `ring`'s own statics. Keys are bound to one algorithm when they are built, and a token's
//! `"alg"` is only ever compared with the name of that algorithm: nothing in a token chooses
//! which code runs.
//!
//! | name | static | key | ring |
//! |---|---|---|---|
//! | `HS256`, `HS384`, `HS512` | [`HS256`], [`HS384`], [`HS512`] | [`HmacKey`](crate::HmacKey), at least 32/48/64 bytes | `hmac::HMAC_SHA*` |
//! | `RS256`, `RS384`, `RS512` | [`RS256`], [`RS384`], [`RS512`] | RSA, 2048..=8192 bits | `RSA_PKCS1_*` |
//! | `PS256`, `PS384`, `PS512` | [`PS256`], [`PS384`], [`PS512`] | RSA, 2048..=8192 bits | `RSA_PSS_*` (salt = hash length) |
//! | `ES256` | [`ES256`] | P-256 | `ECDSA_P256_SHA256_FIXED*` |
//! | `ES384` | [`ES384`] | P-384 | `ECDSA_P384_SHA384_FIXED*` |
//! | `EdDSA` (deprecated by RFC 9864) | [`EdDSA`] | Ed25519 | `ED25519` |
//! | `Ed25519` (RFC 9864) | [`Ed25519`] | Ed25519 | `ED25519` |
//!
//! `Ed25519` and `EdDSA` run the same signature scheme but are two algorithms: a key bound to
//! one verifies only tokens whose `"alg"` names that one ([`Error::AlgorithmMismatch`]
//! otherwise): RFC 9864 makes each name mean one thing. New keys and tokens should use
//! `Ed25519`; `EdDSA` stays for tokens already issued (with Ed25519 keys only: an Ed448 key is
//! [`Unsupported::Curve`]).
//!
//! Not in `ring` 0.17, so reported as [`Unsupported::Algorithm`]: `ES512` (P-521), `ES256K`
//! (secp256k1), `Ed448`. `none` is never accepted: [`Unsupported::None`].

use core::fmt;
use ring::{hmac, signature};

use crate::error::{Error, Unsupported};

/// A JWS signature algorithm. The only values are the statics of this module.
pub struct Algorithm {
    name: &'static str,
    pub(crate) family: Family,
}

/// The curves `ring` signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
}

impl Curve {
    /// Every curve, for lookups by object identifier.
    pub(crate) const ALL: [Self; 2] = [Self::P256, Self::P384];

    /// The length of one coordinate (and of the private scalar), in bytes.
    pub(crate) const fn coordinate_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }

    /// The length of an uncompressed SEC1 point, `0x04 || x || y`, in bytes.
    pub(crate) const fn point_len(self) -> usize {
        self.coordinate_len().saturating_mul(2).saturating_add(1)
    }

    /// The JWK `crv` name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
        }
    }

    /// The value bytes (without tag and length) of the DER OBJECT IDENTIFIER naming the curve
    /// in SPKI, PKCS#8 and SEC1 documents (RFC 5480 §2.1.1.1): `prime256v1`
    /// (1.2.840.10045.3.1.7) and `secp384r1` (1.3.132.0.34).
    pub(crate) const fn oid(self) -> &'static [u8] {
        match self {
            Self::P256 => &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            Self::P384 => &[0x2b, 0x81, 0x04, 0x00, 0x22],
        }
    }
}

/// How an algorithm maps onto `ring`.
#[derive(Clone, Copy)]
pub(crate) enum Family {
    /// HMAC with the given hash; the key is at least `min_key_len` bytes.
    Hmac {
        algorithm: &'static hmac::Algorithm,
        min_key_len: usize,
    },
    /// RSA with PKCS#1 v1.5 or PSS padding.
    Rsa {
        verify: &'static signature::RsaParameters,
        sign: &'static dyn signature::RsaEncoding,
    },
    /// ECDSA with fixed-length `R || S` signatures.
    Ecdsa {
        curve: Curve,
        verify: &'static signature::EcdsaVerificationAlgorithm,
        sign: &'static signature::EcdsaSigningAlgorithm,
    },
    /// Ed25519 (RFC 8032 §5.1). `polymorphic` for `EdDSA`, whose name also covers Ed448
    /// (RFC 8037 §3.1); not for the fully-specified `Ed25519` (RFC 9864).
    Ed25519 { polymorphic: bool },
}

macro_rules! algorithm {
    ($(#[$doc:meta])* $id:ident = $name:literal, $family:expr) => {
        $(#[$doc])*
        pub static $id: Algorithm = Algorithm { name: $name, family: $family };
    };
}

algorithm!(
    /// HMAC using SHA-256 (RFC 7518 §3.2).
    HS256 = "HS256",
    Family::Hmac { algorithm: &hmac::HMAC_SHA256, min_key_len: 32 }
);
algorithm!(
    /// HMAC using SHA-384 (RFC 7518 §3.2).
    HS384 = "HS384",
    Family::Hmac { algorithm: &hmac::HMAC_SHA384, min_key_len: 48 }
);
algorithm!(
    /// HMAC using SHA-512 (RFC 7518 §3.2).
    HS512 = "HS512",
    Family::Hmac { algorithm: &hmac::HMAC_SHA512, min_key_len: 64 }
);
algorithm!(
    /// RSASSA-PKCS1-v1_5 using SHA-256 (RFC 7518 §3.3).
    RS256 = "RS256",
    Family::Rsa { verify: &signature::RSA_PKCS1_2048_8192_SHA256, sign: &signature::RSA_PKCS1_SHA256 }
);
algorithm!(
    /// RSASSA-PKCS1-v1_5 using SHA-384 (RFC 7518 §3.3).
    RS384 = "RS384",
    Family::Rsa { verify: &signature::RSA_PKCS1_2048_8192_SHA384, sign: &signature::RSA_PKCS1_SHA384 }
);
algorithm!(
    /// RSASSA-PKCS1-v1_5 using SHA-512 (RFC 7518 §3.3).
    RS512 = "RS512",
    Family::Rsa { verify: &signature::RSA_PKCS1_2048_8192_SHA512, sign: &signature::RSA_PKCS1_SHA512 }
);
algorithm!(
    /// RSASSA-PSS using SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 §3.5).
    PS256 = "PS256",
    Family::Rsa { verify: &signature::RSA_PSS_2048_8192_SHA256, sign: &signature::RSA_PSS_SHA256 }
);
algorithm!(
    /// RSASSA-PSS using SHA-384, MGF1 with SHA-384 and a 48-byte salt (RFC 7518 §3.5).
    PS384 = "PS384",
    Family::Rsa { verify: &signature::RSA_PSS_2048_8192_SHA384, sign: &signature::RSA_PSS_SHA384 }
);
algorithm!(
    /// RSASSA-PSS using SHA-512, MGF1 with SHA-512 and a 64-byte salt (RFC 7518 §3.5).
    PS512 = "PS512",
    Family::Rsa { verify: &signature::RSA_PSS_2048_8192_SHA512, sign: &signature::RSA_PSS_SHA512 }
);
algorithm!(
    /// ECDSA using P-256 and SHA-256, signature as 64-byte `R || S` (RFC 7518 §3.4).
    ES256 = "ES256",
    Family::Ecdsa {
        curve: Curve::P256,
        verify: &signature::ECDSA_P256_SHA256_FIXED,
        sign: &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
    }
);
algorithm!(
    /// ECDSA using P-384 and SHA-384, signature as 96-byte `R || S` (RFC 7518 §3.4).
    ES384 = "ES384",
    Family::Ecdsa {
        curve: Curve::P384,
        verify: &signature::ECDSA_P384_SHA384_FIXED,
        sign: &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    }
);
algorithm!(
    /// EdDSA with the Ed25519 curve (RFC 8037 §3.1), for tokens already issued under this name:
    /// RFC 9864 deprecates it for [`Ed25519`], a distinct algorithm here (a key bound
    /// to one does not verify the other's tokens). Ed448 is not in `ring`.
    #[allow(non_upper_case_globals, reason = "the registered name, as users read it in tokens")]
    EdDSA = "EdDSA",
    Family::Ed25519 { polymorphic: true }
);
algorithm!(
    /// Ed25519 (RFC 8032 §5.1) by its fully-specified name (RFC 9864): the same signatures
    /// as [`EdDSA`] with an Ed25519 key, under the name new tokens should carry.
    ///
    /// ```
    /// use jose_ring::{jwa, jws, Error, SigningKey};
    /// let key = SigningKey::generate(&jwa::Ed25519)?;
    /// let token = jws::sign(b"hello", &jws::Header::new(), &key)?;
    /// assert!(token.starts_with("eyJhbGciOiJFZDI1NTE5In0.")); // {"alg":"Ed25519"}
    /// assert_eq!(jws::verify(&token, &key.verifying_key())?.payload(), b"hello");
    /// // The same key bound to `EdDSA` does not verify it.
    /// let eddsa = SigningKey::from_pkcs8_der(&jwa::EdDSA, key.to_pkcs8_der().expose())?;
    /// assert_eq!(
    ///     jws::verify(&token, &eddsa.verifying_key()).map(|_| ()),
    ///     Err(Error::AlgorithmMismatch { expected: "EdDSA" })
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    #[allow(non_upper_case_globals, reason = "the registered name, as users read it in tokens")]
    Ed25519 = "Ed25519",
    Family::Ed25519 { polymorphic: false }
);

/// Every algorithm this crate implements, in the order of the table above. `Ed25519` is last,
/// so the positions of the others did not move when it was added.
pub static ALL: [&Algorithm; 13] = [
    &HS256, &HS384, &HS512, &RS256, &RS384, &RS512, &PS256, &PS384, &PS512, &ES256, &ES384, &EdDSA,
    &Ed25519,
];

/// Every asymmetric algorithm this crate implements, modern ones first: what a verifier of
/// public keys may accept when the keys themselves decide.
///
/// A key ring bound to this list ([`JwkSet::key_ring`](crate::jwk::JwkSet::key_ring)) binds each
/// JWK to its own `alg`, or, for a JWK without one, to every algorithm its `kty` and `crv`
/// fit (an RSA key to RS\* and PS\*, a P-384 key to ES384, an Ed25519 key to `Ed25519` and
/// `EdDSA`), as Spring Security's `JwtDecoders.fromIssuerLocation` does. Narrow it with your
/// own list when you know better. It is also the default list of DPoP proof algorithms.
///
/// ```
/// use jose_ring::jwa;
/// assert!(jwa::ASYMMETRIC.iter().all(|alg| !alg.is_symmetric()));
/// assert_eq!(jwa::ASYMMETRIC.len() + 3, jwa::ALL.len());
/// ```
pub static ASYMMETRIC: [&Algorithm; 10] = [
    &ES256, &ES384, &Ed25519, &EdDSA, &PS256, &PS384, &PS512, &RS256, &RS384, &RS512,
];

/// The longest signature any algorithm here makes, in bytes: RSA with an 8192-bit modulus.
pub(crate) const MAX_SIGNATURE_LEN: usize = 1024;

/// Registered JWS algorithm names that `ring` 0.17 cannot run.
const NOT_IN_RING: [&str; 3] = ["ES512", "ES256K", "Ed448"];

impl Algorithm {
    /// The registered name, as it appears in a JOSE header's `"alg"`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Looks an algorithm up by its registered name, for configuration (a command line, a JWK's
    /// `"alg"` member, a settings file). Verification never uses it: it compares a token's
    /// `"alg"` with the algorithm its key is bound to.
    ///
    /// ```
    /// use jose_ring::{jwa, Error, Unsupported};
    /// assert_eq!(jwa::Algorithm::from_name("ES256"), Ok(&jwa::ES256));
    /// assert_eq!(
    ///     jwa::Algorithm::from_name("ES512"),
    ///     Err(Error::Unsupported(Unsupported::Algorithm("ES512")))
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`Unsupported::None`] for `none` in any spelling, [`Unsupported::Algorithm`] for a
    /// registered name `ring` cannot run, [`Unsupported::UnknownAlgorithm`] otherwise. Names are
    /// case-sensitive.
    pub fn from_name(name: &str) -> Result<&'static Self, Error> {
        match ALL.iter().find(|a| a.name == name) {
            Some(&alg) => Ok(alg),
            None => Err(unusable(name)
                .unwrap_or(Unsupported::UnknownAlgorithm)
                .into()),
        }
    }

    /// Whether this is an HMAC algorithm (a shared secret rather than a key pair).
    #[must_use]
    pub const fn is_symmetric(&self) -> bool {
        matches!(self.family, Family::Hmac { .. })
    }
}

/// The error for a token `alg` that is not `expected`: a clear word for `none` and for the
/// registered algorithms ring lacks, an algorithm mismatch otherwise.
pub(crate) fn mismatch(alg: &str, expected: &'static Algorithm) -> Error {
    unusable(alg).map_or(
        Error::AlgorithmMismatch {
            expected: expected.name,
        },
        Error::from,
    )
}

/// Rejects `none` and the algorithms ring lacks before any key is looked at.
///
/// # Errors
///
/// As [`Algorithm::from_name`], except that names this crate implements and unknown names
/// pass.
pub(crate) fn reject_unusable(alg: &str) -> Result<(), Error> {
    unusable(alg).map_or(Ok(()), |why| Err(why.into()))
}

/// Why `name` can never be used, if it is `none` (in any spelling) or a registered algorithm
/// ring lacks; `None` for any other name, known or not.
fn unusable(name: &str) -> Option<Unsupported> {
    if name.eq_ignore_ascii_case("none") {
        return Some(Unsupported::None);
    }
    NOT_IN_RING
        .iter()
        .find(|&&n| n == name)
        .map(|&n| Unsupported::Algorithm(n))
}

impl PartialEq for Algorithm {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Algorithm {}

impl fmt::Debug for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in ALL {
            assert_eq!(Algorithm::from_name(alg.name()), Ok(alg));
        }
    }

    #[test]
    fn none_and_missing_algorithms() {
        for none in ["none", "None", "NONE", "nOnE"] {
            assert_eq!(
                Algorithm::from_name(none),
                Err(Error::Unsupported(Unsupported::None))
            );
            assert_eq!(
                mismatch(none, &HS256),
                Error::Unsupported(Unsupported::None)
            );
        }
        for name in NOT_IN_RING {
            assert_eq!(
                Algorithm::from_name(name),
                Err(Error::Unsupported(Unsupported::Algorithm(name)))
            );
        }
        for name in ["hs256", "HS257", "", "RSA-OAEP"] {
            assert_eq!(
                Algorithm::from_name(name),
                Err(Error::Unsupported(Unsupported::UnknownAlgorithm))
            );
            assert_eq!(
                mismatch(name, &RS256),
                Error::AlgorithmMismatch { expected: "RS256" }
            );
        }
    }
}
