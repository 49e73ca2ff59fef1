//! HMAC keys (RFC 7518 §3.2).

use alloc::string::String;
use ring::rand::{SecureRandom, SystemRandom};

use super::{sealed, wrong_algorithm};
use crate::error::{Error, KeyRejected};
use crate::jwa::{Algorithm, Family};
use crate::secret::Secret;

/// A shared secret bound to one of `HS256`, `HS384`, `HS512`; it signs and verifies.
///
/// The secret must be at least as long as the hash output (32, 48 or 64 bytes), as RFC 7518
/// §3.2 requires: `ring` alone would take even an empty key. This crate's copy of the secret is
/// zeroized on drop; `ring`'s precomputed HMAC state is not (ring offers no way to).
///
/// ```
/// use jose_ring::{jwa, HmacKey};
/// let key = HmacKey::new(&jwa::HS256, b"a secret of at least thirty-two bytes")?;
/// assert_eq!(key.algorithm(), &jwa::HS256);
/// assert!(HmacKey::new(&jwa::HS256, b"too short").is_err());
/// # Ok::<(), jose_ring::Error>(())
/// ```
pub struct HmacKey {
    alg: &'static Algorithm,
    key: ring::hmac::Key,
    secret: Secret,
    kid: Option<String>,
    /// See [`sealed::Sign::jwt_header`].
    jwt_header: Result<String, Error>,
}

super::bound_key!(HmacKey, Signer);

impl HmacKey {
    /// Binds `secret` to `alg`.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::WrongAlgorithm`] if `alg` is not an HMAC algorithm,
    /// [`KeyRejected::HmacTooShort`] if `secret` is shorter than the hash output.
    pub fn new(alg: &'static Algorithm, secret: &[u8]) -> Result<Self, Error> {
        Self::from_secret(alg, Secret::copy_from(secret))
    }

    /// Generates a random secret as long as the hash output, from the operating system's
    /// generator.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::WrongAlgorithm`] if `alg` is not an HMAC algorithm, [`KeyRejected::Rng`]
    /// if the generator fails.
    pub fn generate(alg: &'static Algorithm) -> Result<Self, Error> {
        let len = min_len(alg)?;
        let mut secret = Secret::new(alloc::vec![0; len]);
        SystemRandom::new()
            .fill(secret.expose_mut())
            .map_err(|_| KeyRejected::Rng)?;
        Self::from_secret(alg, secret)
    }

    pub(crate) fn from_secret(alg: &'static Algorithm, secret: Secret) -> Result<Self, Error> {
        let min = min_len(alg)?;
        let Family::Hmac { algorithm, .. } = alg.family else {
            return Err(wrong_algorithm(alg));
        };
        if secret.expose().len() < min {
            return Err(KeyRejected::HmacTooShort { min }.into());
        }
        let key = ring::hmac::Key::new(*algorithm, secret.expose());
        Ok(Self {
            alg,
            key,
            secret,
            kid: None,
            jwt_header: super::jwt_header(alg, None),
        })
    }

    /// The secret, for exporting the key.
    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Checks a MAC in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8]) -> Result<(), Error> {
        ring::hmac::verify(&self.key, message, tag).map_err(|_| Error::InvalidSignature)
    }
}

fn min_len(alg: &'static Algorithm) -> Result<usize, Error> {
    match alg.family {
        Family::Hmac { min_key_len, .. } => Ok(min_key_len),
        _ => Err(wrong_algorithm(alg)),
    }
}

impl sealed::Sign for HmacKey {
    fn sign(&self, message: &[u8]) -> Result<sealed::RawSignature, Error> {
        sealed::RawSignature::copy(ring::hmac::sign(&self.key, message).as_ref())
            .ok_or(Error::SigningFailed)
    }

    fn jwt_header(&self) -> Result<&str, Error> {
        self.jwt_header.as_deref().map_err(Clone::clone)
    }

    fn signature_len(&self) -> usize {
        self.key.algorithm().digest_algorithm().output_len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwa;

    #[test]
    fn lengths_follow_the_hash() {
        for (alg, min) in [(&jwa::HS256, 32), (&jwa::HS384, 48), (&jwa::HS512, 64)] {
            let short = alloc::vec![7u8; min - 1];
            assert_eq!(
                HmacKey::new(alg, &short).map(|_| ()),
                Err(Error::KeyRejected(KeyRejected::HmacTooShort { min }))
            );
            assert!(HmacKey::new(alg, &alloc::vec![7u8; min]).is_ok());
            assert_eq!(HmacKey::generate(alg).unwrap().secret().expose().len(), min);
        }
        assert_eq!(
            HmacKey::new(&jwa::HS256, b"").map(|_| ()),
            Err(Error::KeyRejected(KeyRejected::HmacTooShort { min: 32 }))
        );
    }

    #[test]
    fn only_hmac_algorithms() {
        assert_eq!(
            HmacKey::new(&jwa::RS256, &[0; 64]).map(|_| ()),
            Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
                expected: "RS256"
            }))
        );
        assert!(HmacKey::generate(&jwa::ES256).is_err());
    }

    #[test]
    fn debug_shows_no_secret() {
        let key = HmacKey::new(&jwa::HS256, &[0x41; 32])
            .unwrap()
            .with_kid("k1");
        let text = alloc::format!("{key:?}");
        assert_eq!(text, r#"HmacKey { alg: "HS256", kid: Some("k1"), .. }"#);
    }
}
