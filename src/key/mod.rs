//! Keys, each bound to one algorithm when it is built, and the key sources verification asks.

/// What every key type shares: the algorithm it is bound to, its key ID, and a `Debug` that
/// shows those two and nothing of the key; with `Signer`, the [`Signer`] impl too, and a
/// `with_kid` that rebuilds the key's JWT header segment ([`sealed::Sign::jwt_header`]).
macro_rules! bound_key {
    ($key:ident) => {
        super::bound_key!(@common $key, |_: &mut $key| {});
    };
    ($key:ident, $signer:ident) => {
        super::bound_key!(@common $key, |key: &mut $key| {
            key.jwt_header = super::jwt_header(key.alg, key.kid.as_deref());
        });

        impl super::$signer for $key {
            fn algorithm(&self) -> &'static crate::jwa::Algorithm {
                self.alg
            }

            fn kid(&self) -> Option<&str> {
                self.kid.as_deref()
            }
        }
    };
    (@common $key:ident, $kid_changed:expr) => {
        impl $key {
            /// Sets the key ID: signing puts it in the header's `kid`, and key sets match
            /// tokens against it.
            #[must_use]
            pub fn with_kid(mut self, kid: impl Into<alloc::string::String>) -> Self {
                self.kid = Some(kid.into());
                ($kid_changed)(&mut self);
                self
            }

            /// The algorithm the key is bound to.
            #[must_use]
            pub fn algorithm(&self) -> &'static crate::jwa::Algorithm {
                self.alg
            }

            /// The key ID, if set.
            #[must_use]
            pub fn kid(&self) -> Option<&str> {
                self.kid.as_deref()
            }
        }

        impl core::fmt::Debug for $key {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($key))
                    .field("alg", &self.alg.name())
                    .field("kid", &self.kid())
                    .finish_non_exhaustive()
            }
        }
    };
}
use bound_key;

pub(crate) mod der;
mod hmac;
pub(crate) mod pem;
mod signing;
mod verifying;
mod weak;

use alloc::string::String;

use crate::error::{Error, NoKey};
use crate::jwa::{self, Algorithm};
use crate::limits::check_kid;

pub use hmac::HmacKey;
pub use signing::SigningKey;
pub use verifying::VerifyingKey;

/// A key that can sign: an [`HmacKey`] or a [`SigningKey`].
///
/// The trait is sealed: signing always goes through the keys of this crate, whose algorithm was
/// fixed when they were built.
pub trait Signer: sealed::Sign {
    /// The algorithm the key is bound to; it becomes the header's `"alg"`.
    fn algorithm(&self) -> &'static Algorithm;
    /// The key ID, if the key has one; it becomes the header's `"kid"` unless the header sets
    /// its own.
    fn kid(&self) -> Option<&str>;
}

pub(crate) mod sealed {
    use crate::error::Error;

    /// The private half of [`Signer`](super::Signer).
    pub trait Sign {
        /// Signs `message` (the JWS signing input) with the key's algorithm.
        fn sign(&self, message: &[u8]) -> Result<RawSignature, Error>;

        /// The length of the key's signatures, at most [`MAX_LEN`].
        fn signature_len(&self) -> usize;

        /// The encoded header segment of [`jwt::encode`](crate::jwt::encode), built when the
        /// key or its `kid` was set, or the error that building it gave (a `kid` too long).
        ///
        /// # Errors
        ///
        /// [`Error::TooLarge`] for a `kid` over 256 bytes.
        fn jwt_header(&self) -> Result<&str, Error>;
    }

    /// The longest signature a signing key makes: RSA with a 4096-bit modulus.
    pub(crate) const MAX_LEN: usize = 512;

    /// A signature on the stack, so that signing allocates only the token.
    pub struct RawSignature {
        bytes: [u8; MAX_LEN],
        len: usize,
    }

    impl RawSignature {
        /// Copies `signature`; `None` if it is longer than [`MAX_LEN`].
        pub(crate) fn copy(signature: &[u8]) -> Option<Self> {
            let mut raw = Self::zeroed(signature.len())?;
            raw.as_mut().copy_from_slice(signature);
            Some(raw)
        }

        /// `len` zero bytes, to be written by the signer; `None` beyond [`MAX_LEN`].
        pub(crate) fn zeroed(len: usize) -> Option<Self> {
            (len <= MAX_LEN).then_some(Self {
                bytes: [0; MAX_LEN],
                len,
            })
        }

        /// The signature, to be written.
        pub(crate) fn as_mut(&mut self) -> &mut [u8] {
            self.bytes.get_mut(..self.len).unwrap_or_default()
        }
    }

    impl AsRef<[u8]> for RawSignature {
        fn as_ref(&self) -> &[u8] {
            self.bytes.get(..self.len).unwrap_or_default()
        }
    }
}

/// The encoded protected header `{"alg":..,"typ":"JWT","kid":..}` of a signer, built once so
/// that [`jwt::encode`](crate::jwt::encode) neither serializes nor encodes it per token; the
/// error signing would report if the header cannot be signed (a `kid` over the limit).
///
/// The key layer writes these three members itself rather than through `jws::Header`: keys
/// know algorithms and key IDs, not the syntax of JOSE headers at large.
fn jwt_header(alg: &'static Algorithm, kid: Option<&str>) -> Result<String, Error> {
    /// The only header a key writes: the one [`jwt::encode`](crate::jwt::encode) signs under.
    #[derive(serde::Serialize)]
    struct JwtHeader<'a> {
        alg: &'static str,
        typ: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        kid: Option<&'a str>,
    }
    check_kid(kid)?;
    let header = JwtHeader {
        alg: alg.name(),
        typ: "JWT",
        kid,
    };
    // Three strings make a JSON object: serde_json cannot fail here.
    let json = serde_json::to_vec(&header).map_err(|_| Error::SigningFailed)?;
    Ok(crate::b64::encode(&json))
}

/// A key found by a [`KeySource`]: a borrowed [`HmacKey`] or [`VerifyingKey`].
#[derive(Clone, Copy, Debug)]
pub struct KeyRef<'a>(Inner<'a>);

#[derive(Clone, Copy, Debug)]
enum Inner<'a> {
    Hmac(&'a HmacKey),
    Public(&'a VerifyingKey),
}

impl<'a> From<&'a HmacKey> for KeyRef<'a> {
    fn from(key: &'a HmacKey) -> Self {
        Self(Inner::Hmac(key))
    }
}

impl<'a> From<&'a VerifyingKey> for KeyRef<'a> {
    fn from(key: &'a VerifyingKey) -> Self {
        Self(Inner::Public(key))
    }
}

impl KeyRef<'_> {
    /// The algorithm the key is bound to.
    #[must_use]
    pub fn algorithm(&self) -> &'static Algorithm {
        match self.0 {
            Inner::Hmac(k) => k.algorithm(),
            Inner::Public(k) => k.algorithm(),
        }
    }

    /// The key ID, if the key has one.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        match self.0 {
            Inner::Hmac(k) => k.kid(),
            Inner::Public(k) => k.kid(),
        }
    }

    /// Checks `signature` over `message` with the key's algorithm.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match self.0 {
            Inner::Hmac(k) => k.verify(message, signature),
            Inner::Public(k) => k.verify(message, signature),
        }
    }
}

/// Where verification finds the key for a token.
///
/// A single [`HmacKey`] or [`VerifyingKey`] is a key source, and so is a set of keys; implement
/// it for your own key store to choose keys by `kid` your way. Whatever key is returned, the
/// verifier still compares the token's `alg` with the key's algorithm, so a source cannot
/// cause an algorithm substitution.
///
/// A single key fits a token whose `alg` is the key's algorithm and whose `kid`, when both
/// the token and the key have one, is the key's.
pub trait KeySource {
    /// Chooses the key for a token whose protected header has this `alg` and `kid`.
    ///
    /// # Errors
    ///
    /// [`Error::NoKey`] when no key fits, saying whether the `kid` is unknown, no key has the
    /// `alg`, or the choice would be ambiguous; [`Error::AlgorithmMismatch`] or
    /// [`Error::Unsupported`] from a single key whose algorithm is not `alg`.
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error>;
}

impl<S: KeySource + ?Sized> KeySource for &S {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        (**self).select(alg, kid)
    }
}

/// The single-key policy shared by [`HmacKey`] and [`VerifyingKey`].
fn select_single<'a>(key: KeyRef<'a>, alg: &str, kid: Option<&str>) -> Result<KeyRef<'a>, Error> {
    if let (Some(wanted), Some(have)) = (kid, key.kid()) {
        if wanted != have {
            return Err(Error::NoKey(NoKey::UnknownKid));
        }
    }
    if alg != key.algorithm().name() {
        return Err(jwa::mismatch(alg, key.algorithm()));
    }
    Ok(key)
}

impl KeySource for HmacKey {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        select_single(self.into(), alg, kid)
    }
}

impl KeySource for VerifyingKey {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        select_single(self.into(), alg, kid)
    }
}

/// `bytes` without its leading zero bytes.
pub(crate) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// The number of significant bits of a big-endian unsigned integer.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    match strip_zeros(be).split_first() {
        None => 0,
        Some((&top, rest)) => {
            let top_bits =
                usize::try_from(u8::BITS.saturating_sub(top.leading_zeros())).unwrap_or(8);
            rest.len().saturating_mul(8).saturating_add(top_bits)
        }
    }
}

/// The error for a key that does not fit `alg`.
pub(crate) fn wrong_algorithm(alg: &'static Algorithm) -> Error {
    crate::error::KeyRejected::WrongAlgorithm {
        expected: alg.name(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_zeros_drops_only_leading_zeros() {
        assert_eq!(strip_zeros(&[]), &[] as &[u8]);
        assert_eq!(strip_zeros(&[0, 0]), &[] as &[u8]);
        assert_eq!(strip_zeros(&[0, 1, 0]), &[1, 0]);
        assert_eq!(strip_zeros(&[0x80]), &[0x80]);
    }

    #[test]
    fn bit_len_counts_exactly() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x0f, 0xff]), 12);
    }
}
