//! Reading PKCS#1 RSA keys (RFC 8017 §A.1): `RSAPublicKey` and two-prime `RSAPrivateKey`.

use super::reader::{Tag, nested, positive_integer, small_integer};
use super::{RsaPrivateComponents, der_error};
use crate::error::{Error, Unsupported};

/// Reads a PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1) and returns `(n, e)`, positive and without
/// leading zeros.
///
/// # Errors
///
/// [`KeyRejected::Der`] for malformed DER, or an `n` or `e` that is zero or negative.
///
/// [`KeyRejected::Der`]: crate::error::KeyRejected::Der
pub(crate) fn parse_rsa_public_pkcs1(der: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    nested(der, Tag::Sequence, |reader| {
        let n = positive_integer(reader.expect(Tag::Integer)?)?;
        let e = positive_integer(reader.expect(Tag::Integer)?)?;
        Ok((n, e))
    })
}

/// Reads a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2) with two primes.
///
/// Every component must be positive; they are returned without leading zeros. A multi-prime
/// key (version 1) is [`Unsupported::RsaKeyShape`].
pub(super) fn rsa_private_key(der: &[u8]) -> Result<RsaPrivateComponents<'_>, Error> {
    nested(der, Tag::Sequence, |reader| {
        match small_integer(reader.expect(Tag::Integer)?)? {
            0 => {}
            1 => return Err(Unsupported::RsaKeyShape.into()),
            _ => return Err(der_error()),
        }
        let mut next = || positive_integer(reader.expect(Tag::Integer)?);
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
